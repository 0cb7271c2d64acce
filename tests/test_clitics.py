"""Possessive clitics ("Syria's", "soldiers'"): split off as spaCy does, left out of snapped
span ends, still lined up in the export for old spans that hold one, counted by `stats`."""

from __future__ import annotations

import json

import pytest
import spacy
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.tokens import Doc

from annotations.cli import main
from annotations.export import Filters, export
from annotations.model import Annotation, SpanData, Status
from annotations.storage import Store
from annotations.tokens import TokenIndex, ends_with_clitic, snap, split_tokens, tokenize

CLITICS = {"'s", "'S", "\u2019s", "\u2019S"}


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("en")


def words(text: str) -> list[str]:
    return [text[s:e] for s, e in tokenize(text)]


def snapped(text: str, fragment: str) -> str | None:
    start = text.index(fragment)
    span = snap(text, start, start + len(fragment))
    return None if span is None else text[span[0] : span[1]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Syria's army", ["Syria", "'s", "army"]),
        ("SYRIA'S ARMY", ["SYRIA", "'S", "ARMY"]),
        ("Erdogan\u2019s office", ["Erdogan", "\u2019s", "office"]),
        ("Turkey\u2019S", ["Turkey", "\u2019S"]),
        ("the soldiers' bodies", ["the", "soldiers", "'", "bodies"]),
        ("the soldiers\u2019 bodies", ["the", "soldiers", "\u2019", "bodies"]),
        ("the U.N.'s envoy", ["the", "U.N.", "'s", "envoy"]),
        ("Saraqeb's, Idlib's.", ["Saraqeb", "'s", ",", "Idlib", "'s", "."]),
        ("the 1990's", ["the", "1990", "'s"]),
    ],
)
def test_clitic_is_a_token_of_its_own_as_in_spacy(nlp, text, expected):
    assert words(text) == expected
    assert [t.text for t in nlp.make_doc(text)] == expected


@pytest.mark.parametrize("text", ["Turkey'sx", "Smith's-backed", "don't", "O'Brien"])
def test_an_apostrophe_inside_a_word_stays(text):
    assert words(text) == [text]


def test_snapping_leaves_the_clitic_out_of_the_end():
    text = "Turkey's defense ministry said Syria's army shelled the soldiers' post."
    assert snapped(text, "Syria's") == "Syria"
    assert snapped(text, "yria'") == "Syria"
    assert snapped(text, "Syria's army") == "Syria's army"
    assert snapped(text, "Turkey's defense ministry") == "Turkey's defense ministry"
    assert snapped(text, "the soldiers'") == "the soldiers"
    cursor = text.index("Syria") + 2
    assert text[slice(*snap(text, cursor, cursor))] == "Syria"
    assert snapped(text, "'s") is None  # a clitic alone is no word


def test_word_motion_skips_the_clitic():
    text = "Syria's army"
    index = TokenIndex(text)
    assert index.next_word(0) == text.index("army")
    assert index.word_at(text.index("'")) is None


def test_export_tokens_line_up_with_spacy_make_doc(nlp):
    text = (
        "Turkey's defense ministry said SYRIA'S army shelled the soldiers' post near the "
        "U.N.'s office, Erdogan\u2019s aides said.\nIdlib's governor agreed."
    )
    parts = split_tokens(text)
    ours = Doc(nlp.vocab, words=parts[1::2], spaces=[bool(s) for s in parts[2::2]])
    assert ours.text == text
    assert [t.text for t in ours] == [t.text for t in nlp.make_doc(text)]


TEXT = "Syria's army and Turkey's defense ministry met the soldiers' families in Idlib."


def _save_old_spans(store: Store, annotator: str, *phrases: str) -> int:
    """Spans as saved before the clitic was split (or imported from another tool)."""
    spans = [SpanData(TEXT.index(p), TEXT.index(p) + len(p), "ACTOR", p, {}) for p in phrases]
    article_id, _, _ = store.import_annotation(
        Annotation(
            article_id=None,
            text=TEXT,
            annotator=annotator,
            status=Status.DONE,
            updated_at="2026-11-01T10:00:00.000Z",
            spans=sorted(spans, key=lambda s: (s.start, s.end)),
        )
    )
    return article_id


def test_old_spans_ending_in_a_clitic_stay_and_line_up_in_the_export(store, tmp_path, nlp):
    _save_old_spans(store, "ana", "Syria's", "Turkey's defense ministry", "soldiers'")
    saved = {s.text for s in store.spans(1, "ana")}
    assert saved == {"Syria's", "Turkey's defense ministry", "soldiers'"}  # not rewritten
    out = tmp_path / "out.jsonl"
    export(store, "jsonl", str(out), Filters())
    (task,) = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    tokens = task["tokens"]
    doc = Doc(nlp.vocab, words=[t["text"] for t in tokens], spaces=[t["ws"] for t in tokens])
    assert doc.text == TEXT
    for span in task["spans"]:
        found = doc.char_span(span["start"], span["end"], alignment_mode="strict")
        assert found is not None and found.text == span["text"], span
        assert (found.start, found.end - 1) == (span["token_start"], span["token_end"])
    syria = next(s for s in task["spans"] if s["text"] == "Syria's")
    assert [t["text"] for t in tokens[syria["token_start"] : syria["token_end"] + 1]] == ["Syria", "'s"]


def test_stats_count_spans_ending_in_a_clitic(db_path):
    with Store(db_path) as store:
        _save_old_spans(store, "ana", "Syria's", "Turkey's defense ministry", "soldiers'", "Idlib")
        _save_old_spans(store, "bob", "Syria", "Turkey's defense ministry")
        assert store.stats().clitic_ends == {"ana": 2, "bob": 0}
    runner = CliRunner()
    figures = json.loads(runner.invoke(main, ["stats", "--db", str(db_path), "--json"]).output)
    assert figures["clitic_ends"] == {"ana": 2, "bob": 0}
    table = runner.invoke(main, ["stats", "--db", str(db_path)], env={"COLUMNS": "160"}).output
    assert "ends 's" in table
    assert "ends 's: 2 spans end in a possessive" in table


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Syria's", True),
        ("SYRIA'S", True),
        ("Erdogan\u2019s", True),
        ("U.N.'s", True),
        ("soldiers'", True),
        ("BOSS\u2019", True),
        ("Syria", False),
        ("'s", False),
        ("Turkey's defense ministry", False),
        ("rock 'n'", False),
        ("Idlib.", False),
    ],
)
def test_ends_with_clitic(text, expected):
    assert ends_with_clitic(text) is expected


# -- a property: no snapped span ends on a clitic ------------------------------------

ALPHABET = "aAsSyZé0 .,-'\u2019\n"
texts = st.text(alphabet=st.one_of(st.sampled_from(ALPHABET), st.characters()), max_size=40)
offsets = st.integers(min_value=-2, max_value=45)


@settings(max_examples=400)
@given(texts, offsets, offsets)
def test_a_snapped_span_never_ends_with_a_clitic_token(text, start, end):
    span = snap(text, start, end)
    if span is None:
        return
    s, e = span
    last = next(t for t in tokenize(text) if t[1] == e)
    assert last in TokenIndex(text).words and text[last[0] : last[1]] not in CLITICS
    # the clitic after a snapped word is outside the span, never half in it
    if text[e : e + 2] in CLITICS:
        assert (e, e + 2) in tokenize(text)


CLITIC_HEAVY = "aSs's\u2019'\u2019S U.N.-1.5,0 \n\t\u00ad\u2010"


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from(CLITIC_HEAVY), max_size=40))
def test_the_export_fast_path_splits_clitics_as_the_full_rules_do(text):
    from annotations.tokens import split_by_rules

    assert split_tokens(text) == split_by_rules(text)
