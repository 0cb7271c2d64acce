"""``newsmark export --reviewed``: one annotation per article, the reviewed one where there is one.

Real SQLite files in temporary folders; the sample corpus for real text. Three
annotators (ann, bob, cas) and a reviewer (rita):

1. ann and bob done, disagreeing; rita reviewed it: rita's spans are exported.
2. ann done, bob in progress: ann's (the one who finished it).
3. ann and cas done with the same spans (added in another order): ann's, once.
4. bob and cas done, same offsets but one label differs: left out, counted.
5. ann in progress only: not exported (unless --status all).
6. ann done, bob skipped: ann's.

(Articles 7 and 8, with attributes, are added by the test that needs them.)
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from annotations.cli import main
from annotations.corpus.annotation_files import read_annotations
from annotations.export import REVIEWED_STATUSES, STATUS_CHOICES, Filters, export, export_keys
from annotations.export.conll import read_conll
from annotations.export.jsonl import ANSWERS, STATUS_OF_ANSWER
from annotations.export.overlap import longest_non_overlapping
from annotations.importing import import_paths
from annotations.model import SpanData, Status
from annotations.storage import Store
from annotations.tokens import snap
from tests.conftest import SAMPLE_CORPUS, json_lines, set_work_time

OLD = "2026-01-01T00:00:00.000Z"
SINCE = "2026-06-01T00:00:00.000Z"
REVIEWED = Filters(statuses=REVIEWED_STATUSES, reviewed=True)
CHOSEN = [(1, "rita"), (2, "ann"), (3, "ann"), (6, "ann")]

# Word-aligned places in an article (snapped to word edges), far enough apart not to overlap.
A, B, C, D = (0, 12), (40, 55), (80, 95), (120, 135)


def _add(store: Store, article_id: int, who: str, *spans: tuple[tuple[int, int], str]) -> None:
    text = store.article(article_id).clean_text
    for (start, end), label in spans:
        store.add_span(article_id, who, *snap(text, start, end), label)


def _annotate(store: Store) -> None:
    import_paths(store, [str(SAMPLE_CORPUS)], fetch=False)
    # 1: ann and bob disagree; rita settles it
    _add(store, 1, "ann", (A, "ACTOR"), (B, "LOCATION"))
    _add(store, 1, "bob", (A, "ACTOR"), (C, "LOCATION"))
    store.set_status(1, "ann", Status.DONE)
    store.set_status(1, "bob", Status.DONE)
    _add(store, 1, "rita", (A, "ACTOR"), (B, "LOCATION"), (D, "CASUALTY"))
    store.set_status(1, "rita", Status.REVIEWED)
    # 2: only ann finished
    _add(store, 2, "ann", (A, "ACTOR"))
    _add(store, 2, "bob", (B, "ACTOR"))
    store.set_status(2, "ann", Status.DONE)
    store.set_status(2, "bob", Status.IN_PROGRESS)
    # 3: ann and cas agree exactly
    _add(store, 3, "ann", (A, "ACTOR"), (C, "LOCATION"))
    _add(store, 3, "cas", (C, "LOCATION"), (A, "ACTOR"))
    store.set_status(3, "ann", Status.DONE)
    store.set_status(3, "cas", Status.DONE)
    # 4: bob and cas disagree on one label, and no one reviewed it
    _add(store, 4, "bob", (A, "ACTOR"), (B, "LOCATION"))
    _add(store, 4, "cas", (A, "ACTOR"), (B, "CASUALTY"))
    store.set_status(4, "bob", Status.DONE)
    store.set_status(4, "cas", Status.DONE)
    # 5: in progress only
    _add(store, 5, "ann", (A, "ACTOR"))
    store.set_status(5, "ann", Status.IN_PROGRESS)
    # 6: ann done, bob skipped
    _add(store, 6, "ann", (B, "LOCATION"))
    store.set_status(6, "ann", Status.DONE)
    store.set_status(6, "bob", Status.SKIPPED)


def _picked(store: Store, filters: Filters) -> list[tuple[int, str]]:
    return [(k[0], k[2]) for k in export_keys(store, filters)]


def _runner() -> CliRunner:
    if "mix_stderr" in CliRunner.__init__.__code__.co_varnames:
        return CliRunner(mix_stderr=False)
    return CliRunner()


def _spans(store: Store, article_id: int, who: str) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.label) for s in store.spans(article_id, who)]


# --- the choice -------------------------------------------------------------------------


def test_reviewed_then_single_then_agreed_and_disagreement_left_out(store, tmp_path):
    _annotate(store)
    out = tmp_path / "out.jsonl"
    report = export(store, "jsonl", str(out), REVIEWED)
    tasks = json_lines(out)
    assert [(t["meta"]["id"], t["_annotator_id"]) for t in tasks] == CHOSEN
    assert (report.annotations, report.left_out, report.left_out_unfinished) == (4, 1, 0)
    reviewed = tasks[0]
    assert [(s["start"], s["end"], s["label"]) for s in reviewed["spans"]] == _spans(store, 1, "rita")
    assert [s["label"] for s in reviewed["spans"]] == ["ACTOR", "LOCATION", "CASUALTY"]
    assert reviewed["answer"] == "accept"
    assert reviewed["_session_id"] == "newsmark-rita"
    agreed = tasks[2]
    assert [(s["start"], s["end"], s["label"]) for s in agreed["spans"]] == _spans(store, 3, "ann")
    assert report.spans == sum(len(t["spans"]) for t in tasks) == 3 + 1 + 2 + 1


def test_without_reviewed_nothing_changes(store, tmp_path):
    _annotate(store)
    done = [(1, "ann"), (1, "bob"), (2, "ann"), (3, "ann"), (3, "cas"), (4, "bob"), (4, "cas"), (6, "ann")]
    assert _picked(store, Filters(statuses=("done",))) == done
    # the default is finished work: the reviewer's accepted annotation is a record of its own
    # too, and jsonl, which says each record's answer, adds the skipped and flagged work
    assert _picked(store, Filters()) == sorted([*done, (1, "rita")])
    report = export(store, "jsonl", str(tmp_path / "all.jsonl"), Filters())
    assert (report.annotations, report.left_out) == (10, 0)
    # reviewed is a status of its own, and part of "all"
    assert "reviewed" in STATUS_CHOICES
    assert _picked(store, Filters(statuses=("reviewed",))) == [(1, "rita")]
    assert (1, "rita") in _picked(store, Filters(statuses=None))


def test_reviewed_with_only_done_asked_for_leaves_reviews_aside(store):
    _annotate(store)
    # --status done --reviewed: the review is not among the work asked for, so article 1's
    # annotators disagree again
    keys = export_keys(store, Filters(statuses=("done",), reviewed=True))
    assert [(k[0], k[2]) for k in keys] == [(2, "ann"), (3, "ann"), (6, "ann")]
    assert keys.left_out == 2


def test_status_all_with_reviewed(store):
    _annotate(store)
    # 7: two annotators' unfinished work differs: left out, counted apart
    _add(store, 7, "ann", (A, "ACTOR"))
    _add(store, 7, "bob", (B, "ACTOR"))
    # 8: two annotators skipped it alike (no spans): one of them
    store.set_status(8, "bob", Status.SKIPPED)
    store.set_status(8, "cas", Status.SKIPPED)
    keys = export_keys(store, Filters(statuses=None, reviewed=True))
    assert [(k[0], k[2], k[3]) for k in keys] == [
        (1, "rita", "reviewed"),
        (2, "ann", "done"),
        (3, "ann", "done"),
        (5, "ann", "in_progress"),
        (6, "ann", "done"),
        (8, "bob", "skipped"),
    ]
    assert (keys.left_out, keys.left_out_unfinished) == (1, 1)


def test_the_newest_review_wins(store):
    _annotate(store)
    _add(store, 1, "aaron", (B, "ACTOR"))
    store.set_status(1, "aaron", Status.REVIEWED)
    set_work_time(store, "2026-03-01T00:00:00.000Z", 1, "aaron")
    set_work_time(store, "2026-02-01T00:00:00.000Z", 1, "rita")
    assert _picked(store, REVIEWED)[0] == (1, "aaron")
    set_work_time(store, "2026-04-01T00:00:00.000Z", 1, "rita")
    assert _picked(store, REVIEWED)[0] == (1, "rita")
    set_work_time(store, "2026-04-01T00:00:00.000Z", 1, "aaron")  # a tie: the first by name
    assert _picked(store, REVIEWED)[0] == (1, "aaron")


def test_annotator_filter_applies_before_the_choice(store):
    _annotate(store)
    # without the reviewer, article 1 is a disagreement again; 3 and 4 have one annotator each
    keys = export_keys(store, Filters(annotators=("ann", "bob"), statuses=REVIEWED_STATUSES, reviewed=True))
    assert [(k[0], k[2]) for k in keys] == [(2, "ann"), (3, "ann"), (4, "bob"), (6, "ann")]
    assert keys.left_out == 1
    keys = export_keys(
        store, Filters(annotators=("bob", "cas", "rita"), statuses=REVIEWED_STATUSES, reviewed=True)
    )
    assert [(k[0], k[2]) for k in keys] == [(1, "rita"), (3, "cas")]
    assert keys.left_out == 1  # article 4
    assert _picked(store, Filters(annotators=("rita",), statuses=REVIEWED_STATUSES, reviewed=True)) == [
        (1, "rita")
    ]


def test_agreement_is_on_the_labels_exported(store, tmp_path):
    _annotate(store)
    # bob and cas differ only on a LOCATION/CASUALTY span: on ACTOR alone they agree
    keys = export_keys(store, Filters(statuses=REVIEWED_STATUSES, labels=("ACTOR",), reviewed=True))
    assert [(k[0], k[2]) for k in keys] == [(1, "rita"), (2, "ann"), (3, "ann"), (4, "bob"), (6, "ann")]
    assert keys.left_out == 0


def test_spans_that_differ_only_in_attributes_wait_for_review(store, tmp_path):
    from annotations import review

    _annotate(store)
    text = store.article(7).clean_text
    where = snap(text, *A)
    # 7: ann and cas agree on offsets and label, not on the count: left out until reviewed
    store.add_span(7, "ann", *where, "CASUALTY", {"kind": "killed", "count": 2})
    store.add_span(7, "cas", *where, "CASUALTY", {"kind": "killed", "count": 3})
    # 8: the same attributes, in another order and with a null (unset): identical work
    store.add_span(8, "ann", *where, "CASUALTY", {"kind": "killed", "count": 2})
    store.add_span(8, "cas", *where, "CASUALTY", {"count": 2, "qualifier": None, "kind": "killed"})
    for article_id in (7, 8):
        for who in ("ann", "cas"):
            store.set_status(article_id, who, Status.DONE)
    keys = export_keys(store, REVIEWED)
    assert [(k[0], k[2]) for k in keys] == [*CHOSEN, (8, "ann")]
    assert keys.left_out == 2  # articles 4 and 7
    # rita reviews article 7 and takes cas's count
    comparison = review.compare(store.review_work(7, "rita"))
    review.start(store, 7, "rita", comparison)
    [region] = comparison.regions
    review.accept(store, 7, "rita", comparison, region, "cas")
    store.set_status(7, "rita", Status.REVIEWED)
    out = tmp_path / "gold.jsonl"
    report = export(store, "jsonl", str(out), REVIEWED)
    tasks = {t["meta"]["id"]: t for t in json_lines(out)}
    assert report.left_out == 1 and tasks[7]["_annotator_id"] == "rita"
    assert [(s["label"], s["attributes"]["count"]) for s in tasks[7]["spans"]] == [("CASUALTY", 3)]


def test_since_applies_to_the_chosen_work(store):
    _annotate(store)
    set_work_time(store, OLD)
    since = Filters(statuses=REVIEWED_STATUSES, since=SINCE, reviewed=True)
    keys = export_keys(store, since)
    assert (list(keys), keys.left_out) == ([], 0)
    # bob edits his work on article 1 after rita's review: it stays settled, and old
    _add(store, 1, "bob", (D, "ACTOR"))
    # cas edits article 4: still a disagreement, counted, and not bob's or cas's alone
    _add(store, 4, "cas", (D, "ACTOR"))
    # ann's work on article 2 changes: exported
    _add(store, 2, "ann", (C, "LOCATION"))
    keys = export_keys(store, since)
    assert ([(k[0], k[2]) for k in keys], keys.left_out) == ([(2, "ann")], 1)
    # rita's review changes: exported
    _add(store, 1, "rita", (C, "ACTOR"))
    assert _picked(store, since) == [(1, "rita"), (2, "ann")]


def test_spans_are_compared_a_chunk_of_articles_at_a_time(store, monkeypatch):
    _annotate(store)
    whole = export_keys(store, REVIEWED)
    monkeypatch.setattr(store, "in_chunk", 1)
    chunked = export_keys(store, REVIEWED)
    assert list(chunked) == list(whole) and [(k[0], k[2]) for k in chunked] == CHOSEN
    assert chunked.left_out == whole.left_out == 1
    set_work_time(store, OLD)
    _add(store, 4, "cas", (D, "ACTOR"))
    keys = export_keys(store, Filters(statuses=REVIEWED_STATUSES, since=SINCE, reviewed=True))
    assert (list(keys), keys.left_out) == ([], 1)


# --- every format ------------------------------------------------------------------------


def test_every_format_exports_the_same_articles(store, tmp_path):
    _annotate(store)
    expected = {(a, who): _spans(store, a, who) for a, who in CHOSEN}

    report = export(store, "jsonl", str(tmp_path / "a.jsonl"), REVIEWED)
    assert report.left_out == 1
    assert [(t["meta"]["id"], t["_annotator_id"]) for t in json_lines(tmp_path / "a.jsonl")] == CHOSEN

    report = export(store, "doccano", str(tmp_path / "a.doccano.jsonl"), REVIEWED)
    lines = json_lines(tmp_path / "a.doccano.jsonl")
    assert report.left_out == 1
    assert [(d["meta"]["id"], d["annotator"]) for d in lines] == CHOSEN
    assert [d["status"] for d in lines] == ["reviewed", "done", "done", "done"]
    assert [[tuple(x) for x in d["label"]] for d in lines] == list(expected.values())

    report = export(store, "brat", str(tmp_path / "brat"), REVIEWED)
    assert report.left_out == 1
    assert report.files == [f"{a}-{who}.txt" for a, who in CHOSEN]
    assert sorted(p.name for p in (tmp_path / "brat").glob("*.ann")) == sorted(
        f"{a}-{who}.ann" for a, who in CHOSEN
    )
    rita = (tmp_path / "brat" / "1-rita.ann").read_text("utf-8")
    assert [line.split("\t")[1].split()[0] for line in rita.splitlines() if line.startswith("T")] == [
        "ACTOR",
        "LOCATION",
        "CASUALTY",
    ]

    report = export(store, "conll", str(tmp_path / "a.conll"), REVIEWED)
    assert report.left_out == 1
    with open(tmp_path / "a.conll", encoding="utf-8") as lines:
        docs = read_conll(lines)
    assert len(docs) == len(CHOSEN)
    for doc, key in zip(docs, CHOSEN):
        text = store.article(key[0]).clean_text
        kept, _ = longest_non_overlapping([SpanData(s, e, label, text[s:e]) for s, e, label in expected[key]])
        assert [tag[2:] for sentence in doc for _, tag in sentence if tag.startswith("B-")] == [
            s.label for s in kept
        ]
        first = next(token for sentence in doc for token, _ in sentence)
        assert text.lstrip().startswith(first)


def test_spacy_exports_the_same_articles(store, tmp_path):
    pytest.importorskip("spacy")
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    _annotate(store)
    out = tmp_path / "a.spacy"
    report = export(store, "spacy", str(out), REVIEWED)
    assert (report.annotations, report.left_out) == (4, 1)
    docs = list(DocBin().from_disk(out).get_docs(Vocab()))
    data = [doc.user_data["newsmark"] for doc in docs]
    assert [(d["article_id"], d["annotator"]) for d in data] == CHOSEN
    assert [(d["status"], d["answer"]) for d in data][0] == ("reviewed", "accept")
    assert [(s.start_char, s.end_char, s.label_) for s in docs[0].spans["sc"]] == _spans(store, 1, "rita")


# --- the command --------------------------------------------------------------------------


def test_cli_export_reviewed(store, tmp_path):
    _annotate(store)
    db = str(store.path)
    runner = _runner()
    result = runner.invoke(main, ["export", "--db", db, "--reviewed"])
    assert result.exit_code == 0, result.output
    tasks = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(t["meta"]["id"], t["_annotator_id"]) for t in tasks] == CHOSEN
    assert "exported 4 annotation(s)" in result.stderr
    assert (
        "1 article done by several annotators disagrees and is not reviewed yet: left out "
        "(newsmark review settles it)"
    ) in result.stderr

    # a second disagreement: the plural
    _add(store, 9, "ann", (A, "ACTOR"))
    _add(store, 9, "cas", (B, "ACTOR"))
    store.set_status(9, "ann", Status.DONE)
    store.set_status(9, "cas", Status.DONE)
    result = runner.invoke(
        main, ["export", "--db", db, "--reviewed", "--format", "doccano", "-o", str(tmp_path / "d.jsonl")]
    )
    assert result.exit_code == 0, result.output
    assert (
        "2 articles done by several annotators disagree and are not reviewed yet: left out "
        "(newsmark review settles them)"
    ) in result.stderr
    assert len(json_lines(tmp_path / "d.jsonl")) == 4

    # without --reviewed: no such line; --status reviewed alone
    result = runner.invoke(main, ["export", "--db", db])
    assert result.exit_code == 0 and "left out" not in result.stderr
    result = runner.invoke(main, ["export", "--db", db, "--status", "reviewed"])
    assert [json.loads(line)["_annotator_id"] for line in result.stdout.splitlines()] == ["rita"]
    # --status all --reviewed: the in-progress-only article too
    result = runner.invoke(main, ["export", "--db", db, "--reviewed", "--status", "all"])
    assert [json.loads(line)["meta"]["id"] for line in result.stdout.splitlines()] == [1, 2, 3, 5, 6]
    bad = runner.invoke(main, ["export", "--db", db, "--status", "settled"])
    assert bad.exit_code == 2 and "reviewed" in bad.stderr
    assert "--reviewed" in runner.invoke(main, ["export", "--help"]).stdout


# --- reading it back ---------------------------------------------------------------------


def test_answers_of_a_review():
    assert ANSWERS[Status.REVIEWED] == ANSWERS[Status.DONE] == "accept"
    assert STATUS_OF_ANSWER == {"accept": Status.DONE, "ignore": Status.SKIPPED, "reject": Status.FLAGGED}


@pytest.mark.parametrize("fmt", ["jsonl", "doccano"])
def test_import_of_a_reviewed_export_gives_done(store, tmp_path, fmt):
    _annotate(store)
    out = tmp_path / f"reviewed.{fmt}.jsonl"
    export(store, fmt, str(out), REVIEWED)
    with Store(tmp_path / "other.db") as other:
        report = import_paths(other, [str(out)], fetch=False)
        assert report.annotations == 4 and not report.problems
        assert other.status(1, "rita") is Status.DONE
        assert _spans(other, 1, "rita") == _spans(store, 1, "rita")
        assert [other.status(a, who) for a, who in CHOSEN] == [Status.DONE] * 4
        assert other.stats().statuses["rita"].get("reviewed", 0) == 0
    # the reader itself, line by line
    first = next(iter(read_annotations(out, fmt)))
    assert (first.annotator, first.status) == ("rita", Status.DONE)
