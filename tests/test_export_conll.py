"""The CoNLL export and the sentence splitter, on a real SQLite store and the sample corpus."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.cli import main
from annotations.export import Filters, chosen_annotations, export
from annotations.export.conll import DOCSTART_LINE, document, entities, read_conll
from annotations.export.overlap import longest_non_overlapping
from annotations.export.tokens import doc_tokens
from annotations.importing import import_paths
from annotations.model import Annotation, SpanData, Status
from annotations.sentences import sentence_starts
from annotations.storage import Store
from annotations.tokens import snap
from tests.conftest import SAMPLE_CORPUS

STAMP = "2026-11-01T10:00:00.000Z"


def _ann(text: str, *spans: tuple[int, int, str], annotator: str = "alice") -> Annotation:
    return Annotation(
        article_id=None,
        text=text,
        annotator=annotator,
        status=Status.DONE,
        updated_at=STAMP,
        spans=[SpanData(a, b, label, text[a:b]) for a, b, label in spans],
    )


def _span(text: str, phrase: str, label: str, nth: int = 0) -> tuple[int, int, str]:
    start = [m.start() for m in re.finditer(re.escape(phrase), text)][nth]
    return start, start + len(phrase), label


def _export(store: Store, path: Path, filters: Filters | None = None, columns: int = 4):
    report = export(store, "conll", str(path), filters or Filters(), columns=columns)
    return report, path.read_bytes().decode("utf-8")


def _read(data: str) -> list[list[list[tuple[str, str]]]]:
    return read_conll(data.split("\n"))


def _expected_entities(ann: Annotation) -> list[tuple[str, list[str]]]:
    """The kept spans' labels and non-whitespace tokens, from the export's own tokens."""
    kept, _ = longest_non_overlapping(ann.spans)
    tokens = doc_tokens(ann.text, kept)
    out = []
    for span in kept:
        first, last = tokens.token_range(span.start, span.end)
        out.append((span.label, [w for w in tokens.words[first : last + 1] if not w.isspace()]))
    return out


def _sentences(doc: list[list[tuple[str, str]]]) -> list[str]:
    return [" ".join(token for token, _ in sentence) for sentence in doc]


def _check_lines(data: str, columns: int = 4) -> None:
    """utf-8 text with \\n line ends; every token line is TOKEN -X- _ TAG (or TOKEN TAG),
    one space apart."""
    assert "\r" not in data and data.endswith("\n")
    for line in data.split("\n"):
        if line and line != DOCSTART_LINE:
            token, *middle, tag = line.split(" ")
            assert middle == (["-X-", "_"] if columns == 4 else []), line
            assert token and not any(c.isspace() for c in token)
            assert tag == "O" or re.fullmatch(r"[BI]-\S+", tag), line


# -- hand-made articles ---------------------------------------------------------------


def test_document_layout_and_idlib_comma(store: Store, tmp_path: Path) -> None:
    text = "Turkish soldiers died near Idlib, officials said."
    store.import_annotation(
        _ann(text, _span(text, "Turkish soldiers", "CASUALTY"), _span(text, "Idlib", "LOCATION"))
    )
    report, data = _export(store, tmp_path / "out.conll")
    assert data == (
        "-DOCSTART- -X- O O\n\n"
        "Turkish -X- _ B-CASUALTY\nsoldiers -X- _ I-CASUALTY\ndied -X- _ O\nnear -X- _ O\n"
        "Idlib -X- _ B-LOCATION\n, -X- _ O\nofficials -X- _ O\nsaid -X- _ O\n. -X- _ O\n\n"
    )
    assert (report.annotations, report.spans, report.dropped) == (1, 2, 0)
    report, data = _export(store, tmp_path / "short.conll", columns=2)
    assert data == (
        "-DOCSTART- -X- O O\n\n"
        "Turkish B-CASUALTY\nsoldiers I-CASUALTY\ndied O\nnear O\nIdlib B-LOCATION\n, O\n"
        "officials O\nsaid O\n. O\n\n"
    )
    assert (report.annotations, report.spans, report.dropped) == (1, 2, 0)


def test_sentence_breaks_at_paragraphs_and_full_stops_not_abbreviations(store: Store, tmp_path: Path) -> None:
    text = (
        "Mr. Smith met Gen. Lee at the U.S. Army base. Then the rebels left!\n\n"
        'A second paragraph ends here. 3 people died. "We fled," one said\n'
        "a line without a full stop\r\nCRLF line… Yes."
    )
    store.import_annotation(_ann(text, _span(text, "Mr. Smith", "ACTOR"), _span(text, "U.S. Army", "ACTOR")))
    _, data = _export(store, tmp_path / "out.conll")
    _check_lines(data)
    [doc] = _read(data)
    assert _sentences(doc) == [
        "Mr . Smith met Gen . Lee at the U.S. Army base .",
        "Then the rebels left !",
        "A second paragraph ends here .",
        "3 people died .",
        '" We fled , " one said',
        "a line without a full stop",
        "CRLF line …",
        "Yes .",
    ]
    assert entities(doc) == [("ACTOR", ["Mr", ".", "Smith"]), ("ACTOR", ["U.S.", "Army"])]


def test_no_sentence_break_inside_an_entity(store: Store, tmp_path: Path) -> None:
    text = "They shelled Idlib. Town residents fled. The Northern\n\nCommand said so."
    spans = (_span(text, "Idlib. Town", "LOCATION"), _span(text, "Northern\n\nCommand", "ACTOR"))
    store.import_annotation(_ann(text, *spans))
    store.import_annotation(_ann(text, annotator="bob"))  # the same text, no spans
    _, data = _export(store, tmp_path / "out.conll")
    alice, bob = _read(data)
    assert _sentences(alice) == [
        "They shelled Idlib . Town residents fled .",
        "The Northern Command said so .",
    ]
    assert entities(alice) == [("LOCATION", ["Idlib", ".", "Town"]), ("ACTOR", ["Northern", "Command"])]
    assert _sentences(bob) == [
        "They shelled Idlib .",
        "Town residents fled .",
        "The Northern",
        "Command said so .",
    ]
    assert entities(bob) == []


def test_overlapping_spans_keep_the_longest_and_count_the_dropped(store: Store, tmp_path: Path) -> None:
    text = "The Free Syrian Army base was hit. Syrian forces denied it."
    spans = (
        _span(text, "Free Syrian Army", "ACTOR"),
        _span(text, "Syrian", "LOCATION"),
        _span(text, "Army base", "LOCATION"),
        _span(text, "Syrian forces", "ACTOR", 0),
        _span(text, "Syrian", "LOCATION", 1),
    )
    store.import_annotation(_ann(text, *spans))
    report, data = _export(store, tmp_path / "out.conll")
    assert (report.annotations, report.spans, report.dropped) == (1, 2, 3)
    [doc] = _read(data)
    assert entities(doc) == [("ACTOR", ["Free", "Syrian", "Army"]), ("ACTOR", ["Syrian", "forces"])]
    assert [tag for _, tag in doc[0]][:5] == ["O", "B-ACTOR", "I-ACTOR", "I-ACTOR", "O"]


def test_adjacent_entities_of_one_label_stay_apart_and_cut_tokens_are_kept(
    store: Store, tmp_path: Path
) -> None:
    text = "Rebels militias fought in the U.S. yesterday."
    # "U.S" without its dot, as another tool might have drawn it: the token is cut.
    spans = (_span(text, "Rebels", "ACTOR"), _span(text, "militias", "ACTOR"), _span(text, "U.S", "LOCATION"))
    store.import_annotation(_ann(text, *spans))
    _, data = _export(store, tmp_path / "out.conll")
    [doc] = _read(data)
    assert doc[0][:2] == [("Rebels", "B-ACTOR"), ("militias", "B-ACTOR")]
    assert ("U.S", "B-LOCATION") in doc[0] and ("yesterday", "O") in doc[0]
    assert entities(doc) == [("ACTOR", ["Rebels"]), ("ACTOR", ["militias"]), ("LOCATION", ["U.S"])]


def test_a_whitespace_only_span_is_dropped_and_attributes_are_not_written(
    store: Store, tmp_path: Path
) -> None:
    text = "Shelling hit Kelmar.\n\nResidents fled."
    ann = _ann(text, _span(text, "\n\n", "LOCATION"))
    ann.spans.append(SpanData(13, 19, "LOCATION", "Kelmar", {"precision": "town"}))
    store.import_annotation(ann)
    report, data = _export(store, tmp_path / "out.conll")
    assert (report.spans, report.dropped) == (1, 1)
    assert "town" not in data and "precision" not in data
    assert entities(_read(data)[0]) == [("LOCATION", ["Kelmar"])]


def test_empty_export_and_filters(store: Store, tmp_path: Path) -> None:
    report, data = _export(store, tmp_path / "none.conll")
    assert (report.annotations, data) == (0, "")
    text = "Rebels left."
    store.import_annotation(_ann(text, _span(text, "Rebels", "ACTOR")))
    store.import_annotation(_ann("Bob's text.", annotator="bob"))
    report, data = _export(store, tmp_path / "bob.conll", Filters(annotators=("bob",)))
    assert report.annotations == 1
    assert _read(data) == [[[("Bob", "O"), ("'s", "O"), ("text", "O"), (".", "O")]]]


# -- the sample corpus ------------------------------------------------------------------


def _annotate_corpus(store: Store) -> int:
    """Import the sample corpus; tag capitalised words and pairs, with overlaps and
    spans across sentence ends; mark every article done. Returns the span count."""
    report = import_paths(store, [str(SAMPLE_CORPUS)], fetch=False)
    assert report.added > 20
    count = 0
    ids = [row.id for row in store.page(limit=1000)]
    for article_id in ids:
        text = store.article(article_id).clean_text
        caps = [m.span() for m in re.finditer(r"\b[A-Z]\w+", text)]
        for k, (start, end) in enumerate(caps[:40]):
            if k % 3 == 0:
                snapped = snap(text, start, end)
                label = "ACTOR"
            elif k % 3 == 1 and k + 1 < len(caps):
                snapped = snap(text, start, caps[k + 1][1])  # may cross ". " or a line break
                label = "LOCATION"
            else:
                snapped = snap(text, start - 2, end + 1)  # a sloppy selection, overlapping
                label = "CASUALTY"
            if snapped:
                store.add_span(article_id, "alice", *snapped, label)
                count += 1
        store.set_status(article_id, "alice", Status.DONE)
    return count


def test_sample_corpus_round_trip(store: Store, tmp_path: Path) -> None:
    total = _annotate_corpus(store)
    report, data = _export(store, tmp_path / "corpus.conll")
    _check_lines(data)
    anns = list(chosen_annotations(store, Filters()))
    docs = _read(data)
    assert report.annotations == len(anns) == len(docs) > 20
    assert report.spans + report.dropped == total and report.dropped > 0
    for ann, doc in zip(anns, docs):
        kept, _ = longest_non_overlapping(ann.spans)
        tokens = doc_tokens(ann.text, kept)
        assert [t for s in doc for t, _ in s] == [w for w in tokens.words if not w.isspace()]
        assert entities(doc) == _expected_entities(ann)
        # every line break is a sentence break, unless an entity spans it
        protected = [(s.start, s.end) for s in kept]
        breaks = set(sentence_starts(ann.text, tokens, protected))
        assert len(breaks) == len(doc)
        for i, word in enumerate(tokens.words):
            if "\n" in word and i + 1 < len(tokens.words):
                inside = any(a < tokens.starts[i + 1] < b for a, b in protected)
                assert (i + 1 in breaks) != inside


def test_spacy_reads_the_export(store: Store, tmp_path: Path) -> None:
    spacy = pytest.importorskip("spacy")
    from spacy.training.converters import conll_ner_to_docs

    assert spacy
    _annotate_corpus(store)
    _, data = _export(store, tmp_path / "corpus.conll")
    anns = list(chosen_annotations(store, Filters()))
    docs = list(conll_ner_to_docs(data, no_print=True))
    assert len(docs) == len(anns)
    for ann, doc in zip(anns, docs):
        assert [(e.label_, [t.text for t in e]) for e in doc.ents] == _expected_entities(ann)
        kept, _ = longest_non_overlapping(ann.spans)
        starts = sentence_starts(ann.text, doc_tokens(ann.text, kept), [(s.start, s.end) for s in kept])
        assert len(list(doc.sents)) == len(starts)


def test_spacy_convert_reads_both_forms(store: Store, tmp_path: Path) -> None:
    """``spacy convert -c ner``, the command itself, on the 4- and 2-column files."""
    pytest.importorskip("spacy")
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    _annotate_corpus(store)
    anns = list(chosen_annotations(store, Filters()))
    expected = [_expected_entities(ann) for ann in anns]
    for columns in (4, 2):
        conll = tmp_path / f"corpus{columns}.conll"
        _export(store, conll, columns=columns)
        done = subprocess.run(
            [sys.executable, "-m", "spacy", "convert", str(conll), str(tmp_path), "-c", "ner"],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"({len(anns)} documents)" in done.stdout
        docs = list(DocBin().from_disk(tmp_path / f"corpus{columns}.spacy").get_docs(Vocab()))
        assert [[(e.label_, [t.text for t in e]) for e in doc.ents] for doc in docs] == expected
        assert all(t.tag_ == ("-X-" if columns == 4 else "-") for doc in docs for t in doc)


def test_spacy_converter_needs_its_own_docstart_spelling() -> None:
    """Why the document line is ``-DOCSTART- -X- O O``: given the ``-X- -X- O`` of some
    CoNLL-2003 copies, spaCy's converter finds no document and takes the marker for a word."""
    from spacy.training.converters import conll_ner_to_docs

    body = "\n\nRebels -X- _ B-ACTOR\nleft -X- _ O\n\n"
    ours = list(conll_ner_to_docs((DOCSTART_LINE + body) * 2, no_print=True))
    assert [[t.text for t in doc] for doc in ours] == [["Rebels", "left"]] * 2
    other = list(conll_ner_to_docs(("-DOCSTART- -X- -X- O" + body) * 2, no_print=True))
    assert "-DOCSTART-" in [t.text for doc in other for t in doc]


def test_seqeval_reads_the_exported_spans(store: Store, tmp_path: Path) -> None:
    """seqeval's own chunking, lenient and strict IOB2, finds exactly the kept spans."""
    from seqeval.metrics import classification_report
    from seqeval.metrics.sequence_labeling import get_entities
    from seqeval.scheme import IOB2

    _annotate_corpus(store)
    anns = list(chosen_annotations(store, Filters()))
    expected = [e for ann in anns for e in _expected_entities(ann)]
    _, four = _export(store, tmp_path / "four.conll")
    _, two = _export(store, tmp_path / "two.conll", columns=2)
    sentences = [sentence for doc in _read(four) for sentence in doc]
    assert sentences == [sentence for doc in _read(two) for sentence in doc]
    tags = [[tag for _, tag in sentence] for sentence in sentences]
    words = [w for sentence in sentences for w in [*(t for t, _ in sentence), None]]
    found = [(label, words[a : b + 1]) for label, a, b in get_entities(tags)]
    assert found == expected and len(found) > 100
    report = classification_report(tags, tags, mode="strict", scheme=IOB2, output_dict=True)
    supports = {label: row["support"] for label, row in report.items() if "avg" not in label}
    assert supports == dict(Counter(label for label, _ in expected))
    assert report["micro avg"]["f1-score"] == 1.0


# -- the reader -------------------------------------------------------------------------


def test_read_conll_takes_conll2003_columns_and_iob1() -> None:
    lines = [
        "-DOCSTART- -X- -X- O",
        "",
        "EU NNP B-NP I-ORG",
        "rejects VBZ B-VP O",
        "German JJ B-NP I-MISC",
        "call NN I-NP O",
        "",
        "",
        "Peter NNP B-NP B-PER",
        "Blackburn NNP I-NP I-PER",
        "",
        "-DOCSTART- -X- -X- O",
        "",
        "x NN B-NP O",
    ]
    docs = read_conll(lines)
    assert docs[0][1] == [("Peter", "B-PER"), ("Blackburn", "I-PER")]
    assert entities(docs[0]) == [("ORG", ["EU"]), ("MISC", ["German"]), ("PER", ["Peter", "Blackburn"])]
    assert docs[1] == [[("x", "O")]]


def test_read_conll_names_a_line_without_a_tag() -> None:
    with pytest.raises(ValueError, match=r"line 4: a token without a tag: 'left'"):
        read_conll(["-DOCSTART- -X- O O", "", "Rebels -X- _ B-ACTOR", "left"])


# -- properties -------------------------------------------------------------------------

PIECES = [
    "Mr",
    "Dr",
    "U.S.",
    "Idlib",
    "rebels",
    "Al-Qaida",
    "don't",
    "3.5",
    "1,000",
    "e\u0301te",
    "Ki\u0302",
    "\u0928\u092e\u0938\u094d\u0924\u0947",
    "👍🏽",
    "👨‍👩‍👧",
    "🇺🇦",
    "東京",
    "العربية",
    "\u200b",
    ".",
    ",",
    "!",
    "?",
    "…",
    '"',
    "”",
    "“",
    "’",
    "(",
    ")",
    "-",
    " ",
    " ",
    " ",
    "  ",
    "\r\n",
    "\n\n",
    "\n",
    "\t",
    "\u00a0",
    "\u2028",
    "A",
    "b",
]
TEXTS = st.one_of(st.lists(st.sampled_from(PIECES), max_size=40).map("".join), st.text(max_size=60))
LABELS = st.sampled_from(["ACTOR", "CASUALTY", "LOCATION"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS, data=st.data())
def test_read_back_entities_equal_the_kept_spans(text: str, data: st.DataObject) -> None:
    tokens = doc_tokens(text)
    words = [i for i, w in enumerate(tokens.words) if not w.isspace()]
    spans = []
    if words:
        for _ in range(data.draw(st.integers(0, 6))):
            i, j = sorted(data.draw(st.lists(st.sampled_from(words), min_size=2, max_size=2)))
            a, b = tokens.starts[i], tokens.ends[j]
            spans.append(SpanData(a, b, data.draw(LABELS), text[a:b]))
    ann = Annotation(None, text, "alice", Status.DONE, STAMP, spans)
    columns = data.draw(st.sampled_from((4, 2)))
    raw, written, dropped = document(ann, columns)
    out = raw.decode("utf-8")
    _check_lines(out, columns)
    kept, n_dropped = longest_non_overlapping(spans)
    assert (written, dropped) == (len(kept), n_dropped)
    docs = _read(out)
    assert len(docs) == 1
    assert [t for s in docs[0] for t, _ in s] == [tokens.words[i] for i in words]
    assert entities(docs[0]) == [
        (
            s.label,
            [
                w
                for w in tokens.words[
                    tokens.token_range(s.start, s.end)[0] : tokens.token_range(s.start, s.end)[1] + 1
                ]
                if not w.isspace()
            ],
        )
        for s in kept
    ]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS, data=st.data())
def test_spans_at_any_offsets_are_cut_into_tokens(text: str, data: st.DataObject) -> None:
    """Spans from other tools need not end on token edges (or may hold only spaces)."""
    spans = []
    if len(text) > 1:
        for _ in range(data.draw(st.integers(0, 5))):
            a, b = sorted(data.draw(st.lists(st.integers(0, len(text)), min_size=2, max_size=2, unique=True)))
            spans.append(SpanData(a, b, data.draw(LABELS), text[a:b]))
    ann = Annotation(None, text, "alice", Status.DONE, STAMP, spans)
    raw, written, dropped = document(ann)
    out = raw.decode("utf-8")
    _check_lines(out)
    expected = [e for e in _expected_entities(ann) if e[1]]  # nothing to tag: dropped
    assert (written, dropped) == (len(expected), len(spans) - len(expected))
    [doc] = _read(out)
    assert entities(doc) == expected


@settings(max_examples=200, deadline=None)
@given(text=TEXTS)
def test_sentence_starts_are_word_tokens_in_order(text: str) -> None:
    tokens = doc_tokens(text)
    starts = sentence_starts(text, tokens)
    assert starts == sorted(set(starts))
    assert (starts[:1] == [0]) == bool(len(tokens))
    assert all(not tokens.words[i].isspace() for i in starts[1:])


# -- the command ------------------------------------------------------------------------


def test_cli_export_reports_dropped_overlaps(store: Store, db_path: Path, tmp_path: Path) -> None:
    text = "The Free Syrian Army base was hit."
    store.import_annotation(
        _ann(text, _span(text, "Free Syrian Army", "ACTOR"), _span(text, "Syrian", "LOCATION"))
    )
    out = tmp_path / "out.conll"
    if "mix_stderr" in inspect.signature(CliRunner.__init__).parameters:
        runner = CliRunner(mix_stderr=False)
    else:
        runner = CliRunner()  # click 8.2+: stderr is kept apart anyway
    result = runner.invoke(main, ["export", "--db", str(db_path), "--format", "conll", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "exported 1 annotation(s) with 1 span(s) as conll" in result.stderr
    assert "dropped 1 overlapping span(s)" in result.stderr
    assert entities(_read(out.read_text("utf-8"))[0]) == [("ACTOR", ["Free", "Syrian", "Army"])]
    assert "Free -X- _ B-ACTOR\n" in out.read_text("utf-8")
    result = runner.invoke(
        main, ["export", "--db", str(db_path), "--format", "conll", "--columns", "2", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    _check_lines(out.read_text("utf-8"), columns=2)
    assert entities(_read(out.read_text("utf-8"))[0]) == [("ACTOR", ["Free", "Syrian", "Army"])]
