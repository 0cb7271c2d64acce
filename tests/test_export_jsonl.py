"""The JSONL export (Prodigy task shape), filters, atomic writes, and import back.

Real SQLite files in temporary folders; the sample corpus for real text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import annotations.export as export_pkg
from annotations.cli import main
from annotations.corpus.annotation_files import annotation_kind
from annotations.export import Filters, export, jsonl
from annotations.importing import import_paths
from annotations.model import Annotation, SpanData, Status
from annotations.storage import Store
from annotations.tokens import snap
from tests.conftest import SAMPLE_CORPUS, SEEDS, json_lines, set_work_time

STAMP = "2026-11-01T10:00:00.000Z"
# A Prodigy task's keys, in the order every line has them.
TASK_KEYS = (
    "text",
    "tokens",
    "spans",
    "meta",
    "answer",
    "_input_hash",
    "_task_hash",
    "_annotator_id",
    "_session_id",
    "_timestamp",
)


def _annotate(store: Store) -> dict[int, str]:
    """Sample corpus, with alice done/skipped/flagged/in progress and bob done on article 1."""
    import_paths(store, [str(SAMPLE_CORPUS)], fetch=False)
    statuses = {1: "done", 2: "done", 3: "skipped", 4: "flagged", 5: "in_progress"}
    texts = {}
    for article_id, status in statuses.items():
        text = store.article(article_id).clean_text
        texts[article_id] = text
        first = snap(text, 0, 12)
        second = snap(text, 30, 45)
        store.add_span(article_id, "alice", *first, "ACTOR", {"role": "state"})
        store.add_span(article_id, "alice", *second, "LOCATION")
        store.add_span(article_id, "alice", first[0], second[1], "CASUALTY", {"kind": "killed", "count": 2})
        store.set_status(article_id, "alice", status)
    store.add_span(1, "bob", *snap(texts[1], 50, 60), "ACTOR")
    store.set_status(1, "bob", "done")
    return texts


def _export(store: Store, tmp_path: Path, name: str = "out.jsonl", **filters) -> list[dict]:
    target = tmp_path / name
    export(store, "jsonl", str(target), Filters(**filters))
    return json_lines(target)


# --- the shape ------------------------------------------------------------------


def test_lines_have_the_prodigy_task_shape(store, tmp_path):
    texts = _annotate(store)
    tasks = _export(store, tmp_path)
    # default: finished work (done, skipped, flagged; not in progress); one line per article
    # and annotator, article then annotator order
    assert [(t["meta"]["id"], t["_annotator_id"]) for t in tasks] == [
        (1, "alice"),
        (1, "bob"),
        (2, "alice"),
        (3, "alice"),
        (4, "alice"),
    ]
    task = tasks[0]
    assert tuple(task) == TASK_KEYS
    assert task["text"] == texts[1]
    assert task["answer"] == "accept"
    article = store.article(1)
    assert task["meta"] == {
        "id": 1,
        "title": article.title,
        "source": article.source,
        "url": article.url,
        "published": article.published,
        "status": "done",
        "schema_version": jsonl.SCHEMA_VERSION,
    }
    assert task["_session_id"] == "newsmark-alice"
    assert isinstance(task["_timestamp"], int) and task["_timestamp"] > 1_700_000_000
    assert all(
        isinstance(task[k], int) and -(2**31) <= task[k] < 2**31 for k in ("_input_hash", "_task_hash")
    )
    # same text: same input hash; different spans: different task hash
    assert tasks[0]["_input_hash"] == tasks[1]["_input_hash"]
    assert tasks[0]["_task_hash"] != tasks[1]["_task_hash"]
    assert list(task["tokens"][0]) == ["text", "start", "end", "id", "ws"]
    assert [t["id"] for t in task["tokens"]] == list(range(len(task["tokens"])))
    spans = task["spans"]
    assert [s["label"] for s in spans] == ["ACTOR", "CASUALTY", "LOCATION"]
    assert list(spans[0]) == ["start", "end", "token_start", "token_end", "label", "text", "attributes"]
    # every span has every attribute key: the schema's, then others found in the data
    keys = ["actor_type", "kind", "count", "qualifier", "gazetteer_id", "lat", "lon", "role"]
    assert all(list(s["attributes"]) == keys for t in tasks for s in t["spans"])
    assert spans[0]["attributes"] == {**dict.fromkeys(keys), "role": "state"}
    assert spans[1]["attributes"] == {**dict.fromkeys(keys), "kind": "killed", "count": 2}
    assert spans[2]["attributes"] == dict.fromkeys(keys)  # none set: all null


def test_answers_follow_the_status(store, tmp_path):
    _annotate(store)
    tasks = _export(store, tmp_path, statuses=None)
    answers = {
        t["meta"]["id"]: (t["answer"], t["meta"]["status"]) for t in tasks if t["_annotator_id"] == "alice"
    }
    # unfinished work is never an accept: Prodigy's db-in would fill a missing answer with it
    assert answers == {
        1: ("accept", "done"),
        2: ("accept", "done"),
        3: ("ignore", "skipped"),
        4: ("reject", "flagged"),
        5: ("ignore", "in_progress"),
    }


def _check_task(task: dict) -> None:
    """Every span is the text at its offsets and lines up with its tokens."""
    text, tokens = task["text"], task["tokens"]
    assert "".join(t["text"] + (" " if t["ws"] else "") for t in tokens) == text
    pos = 0
    for token in tokens:
        assert token["start"] == pos and text[token["start"] : token["end"]] == token["text"]
        pos = token["end"] + (1 if token["ws"] else 0)
    for span in task["spans"]:
        assert text[span["start"] : span["end"]] == span["text"]
        assert tokens[span["token_start"]]["start"] == span["start"]
        assert tokens[span["token_end"]]["end"] == span["end"]
        assert span["token_start"] <= span["token_end"]


def test_every_span_lines_up_on_the_sample_corpus(store, tmp_path):
    _annotate(store)
    for task in _export(store, tmp_path, statuses=None):
        _check_task(task)


# Arbitrary Unicode: emoji with modifiers and ZWJ, combining marks, CRLF, CJK, RTL.
ALPHABET = "aZé0 9_\t\r\n\u00a0\u3000.,;:!?'’\"-()«»—%$ \u0301\u0308\u093f\u200d\ufe0f👍🏽👨👩🇸🇾東京にДدمشق١٬"
texts = st.text(
    alphabet=st.one_of(st.sampled_from(ALPHABET), st.characters(exclude_categories=("Cs",))),
    min_size=1,
    max_size=60,
)


@st.composite
def annotated(draw):
    text = draw(texts)
    n = len(text)
    spans = []
    for _ in range(draw(st.integers(0, 5))):
        start = draw(st.integers(0, n - 1))
        end = draw(st.integers(start + 1, n))
        if draw(st.booleans()):  # a span as the app makes it: snapped to words
            snapped = snap(text, start, end)
            if snapped is None:
                continue
            start, end = snapped
        spans.append(SpanData(start, end, draw(st.sampled_from(["ACTOR", "LOCATION"])), text[start:end]))
    return Annotation(7, text, "alice", Status.DONE, STAMP, spans)


@settings(max_examples=400, deadline=None)
@given(annotated())
def test_any_text_and_any_spans_line_up_with_tokens(ann):
    line, count = jsonl.Encoder().line(ann)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    task = json.loads(line)
    assert count == len(ann.spans) == len(task["spans"])
    assert task["text"] == ann.text
    _check_task(task)


def test_snapped_spans_do_not_cut_tokens(store, tmp_path):
    """Spans made in the app lie on word edges: the tokens are the tokenizer's own."""
    text = "Troops of the U.S.-backed SDF entered al-Hasakah's centre, 1,000 fled.\r\nMore."
    ann = Annotation(
        1,
        text,
        "a",
        Status.DONE,
        STAMP,
        [SpanData(14, 29, "ACTOR", text[14:29]), SpanData(38, 48, "LOCATION", text[38:48])],
    )
    task = json.loads(jsonl.Encoder().line(ann)[0])
    words = [t["text"] for t in task["tokens"]]
    assert "U.S.-backed" in words and "al-Hasakah" in words and "1,000" in words
    assert words[words.index("al-Hasakah") + 1] == "'s"  # the possessive is a token, as in spaCy
    assert "\r\n" in words  # a line break is a whitespace token, as in spaCy


def test_a_span_inside_a_word_cuts_the_tokens_there():
    text = "the U.S. army"
    ann = Annotation(1, text, "a", Status.DONE, STAMP, [SpanData(4, 7, "LOCATION", "U.S")])
    task = json.loads(jsonl.Encoder().line(ann)[0])
    assert [t["text"] for t in task["tokens"]] == ["the", "U.S", ".", "army"]
    _check_task(task)


# --- filters ----------------------------------------------------------------------


def test_filters_annotator_status_label(store, tmp_path):
    _annotate(store)
    assert {t["_annotator_id"] for t in _export(store, tmp_path, annotators=("bob",))} == {"bob"}
    skipped = _export(store, tmp_path, statuses=("skipped", "flagged"))
    assert [(t["meta"]["id"], t["answer"]) for t in skipped] == [(3, "ignore"), (4, "reject")]
    located = _export(store, tmp_path, labels=("LOCATION",))
    assert len(located) == 5  # a line without LOCATION spans is still a (negative) example
    assert {s["label"] for t in located for s in t["spans"]} == {"LOCATION"}
    assert [len(t["spans"]) for t in located] == [1, 0, 1, 1, 1]


def test_since_keeps_work_changed_since(store, tmp_path):
    _annotate(store)
    set_work_time(store, "2020-01-01T00:00:00.000Z")
    set_work_time(store, "2026-06-01T00:00:00.000Z", 2, statuses=False)  # a span changed, not the status
    set_work_time(store, "2026-06-02T00:00:00.000Z", 1, "bob", spans=False)  # the status, not a span
    tasks = _export(store, tmp_path, since=export_pkg.parse_since("2026-01-01"))
    assert [(t["meta"]["id"], t["_annotator_id"]) for t in tasks] == [(1, "bob"), (2, "alice")]
    assert tasks[1]["_timestamp"] == 1780272000  # 2026-06-01, the newest change of that work


def test_parse_since():
    assert export_pkg.parse_since("2026-11-01") == "2026-11-01T00:00:00.000Z"
    assert export_pkg.parse_since("2026-11-01T09:30+02:00") == "2026-11-01T07:30:00.000Z"
    with pytest.raises(ValueError, match="not a date"):
        export_pkg.parse_since("last week")


def test_spans_without_a_status_are_in_progress_work(store, tmp_path):
    import_paths(store, [str(SEEDS[0])], fetch=False)
    store.add_span(1, "carol", 0, 6, "ACTOR")  # no status row at all
    assert _export(store, tmp_path) == []
    [task] = _export(store, tmp_path, statuses=None)
    assert task["answer"] == "ignore" and task["meta"]["status"] == "in_progress"
    assert task["_annotator_id"] == "carol"


# --- parallel and atomic writing -----------------------------------------------------


def test_worker_processes_write_the_same_bytes(store, tmp_path, monkeypatch):
    _annotate(store)
    serial = tmp_path / "serial.jsonl"
    with serial.open("wb") as out:
        jsonl.write(store, Filters(statuses=None), out, workers=1)
    monkeypatch.setattr(jsonl, "PARALLEL_MIN", 1)
    monkeypatch.setattr(export_pkg, "BATCH", 2)
    parallel = tmp_path / "parallel.jsonl"
    with parallel.open("wb") as out:
        report = jsonl.write(store, Filters(statuses=None), out, workers=2)
    assert parallel.read_bytes() == serial.read_bytes()
    assert report.annotations == 6 and report.spans == 16


def test_a_failed_export_leaves_the_old_file_and_no_temporary(store, tmp_path, monkeypatch):
    _annotate(store)
    target = tmp_path / "out.jsonl"
    target.write_text("old\n")
    calls = []

    def failing(self, ann):
        calls.append(ann)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return original(self, ann)

    original = jsonl.Encoder.line
    monkeypatch.setattr(jsonl.Encoder, "line", failing)
    with pytest.raises(RuntimeError):
        export(store, "jsonl", str(target), Filters())
    assert target.read_text() == "old\n"
    assert [
        p.name for p in tmp_path.iterdir() if p.name != "newsmark.db" and not p.name.startswith("newsmark.db")
    ] == ["out.jsonl"]


# --- import back ------------------------------------------------------------------------


def test_round_trip_into_a_new_database_gives_the_samejson_lines(store, tmp_path):
    _annotate(store)
    first = tmp_path / "first.jsonl"
    export(store, "jsonl", str(first), Filters(statuses=None))
    with Store(tmp_path / "other.db") as other:
        report = import_paths(other, [str(first)], fetch=False)
        assert (report.annotations, report.spans_added, report.problems) == (6, 16, [])
        assert other.status(4, "alice") is Status.FLAGGED
        assert other.status(5, "alice") is Status.IN_PROGRESS
        [casualty] = [s for s in other.spans(1, "alice") if s.label == "CASUALTY"]
        assert casualty.attributes == {"kind": "killed", "count": 2}
        second = tmp_path / "second.jsonl"
        export(other, "jsonl", str(second), Filters(statuses=None))
    assert second.read_bytes() == first.read_bytes()


def test_round_trip_of_doccano(store, tmp_path):
    _annotate(store)
    first = tmp_path / "first.jsonl"
    export(store, "doccano", str(first), Filters(statuses=None))
    line = json.loads(first.read_text().splitlines()[0])
    assert line["label"][0][2] == "ACTOR" and line["annotator"] == "alice"
    assert annotation_kind(first) == "doccano"
    with Store(tmp_path / "other.db") as other:
        import_paths(other, [str(first)], fetch=False)
        second = tmp_path / "second.jsonl"
        export(other, "doccano", str(second), Filters(statuses=None))
    assert second.read_bytes() == first.read_bytes()


def test_importing_into_the_same_database_changes_nothing(store, tmp_path):
    _annotate(store)
    first = tmp_path / "first.jsonl"
    export(store, "jsonl", str(first), Filters(statuses=None))
    articles = store.article_count()
    report = import_paths(store, [str(first)], fetch=False)
    assert (report.spans_added, report.spans_present) == (0, 16)
    assert store.article_count() == articles
    second = tmp_path / "second.jsonl"
    export(store, "jsonl", str(second), Filters(statuses=None))
    assert second.read_bytes() == first.read_bytes()


def test_import_finds_the_article_by_its_text_when_ids_differ(store, tmp_path):
    _annotate(store)
    first = tmp_path / "first.jsonl"
    export(store, "jsonl", str(first), Filters())
    with Store(tmp_path / "other.db") as other:
        # the same corpus imported file by file in reverse order: other ids
        for path in sorted(SAMPLE_CORPUS.iterdir(), reverse=True):
            import_paths(other, [str(path)], fetch=False)
        count = other.article_count()
        import_paths(other, [str(first)], fetch=False)
        assert other.article_count() == count  # no new article
        text = store.article(1).clean_text
        [match] = [i for i in range(1, count + 1) if other.article(i).clean_text == text]
        assert match != 1
        assert [s.label for s in other.spans(match, "alice")] == ["ACTOR", "CASUALTY", "LOCATION"]


def test_import_merges_and_keeps_what_is_saved(store, tmp_path):
    _annotate(store)
    first = tmp_path / "first.jsonl"
    export(store, "jsonl", str(first), Filters(annotators=("bob",)))
    before = store.spans(1, "bob")
    store.add_span(1, "bob", 0, 6, "LOCATION")  # saved after the export
    report = import_paths(store, [str(first)], fetch=False)
    assert (report.spans_added, report.spans_present) == (0, 1)
    assert len(store.spans(1, "bob")) == len(before) + 1


def test_import_as_another_annotator(store, tmp_path):
    _annotate(store)
    first = tmp_path / "first.jsonl"
    export(store, "jsonl", str(first), Filters(annotators=("bob",)))
    import_paths(store, [str(first)], fetch=False, annotator="dana")
    assert [s.text for s in store.spans(1, "dana")] == [s.text for s in store.spans(1, "bob")]
    assert store.status(1, "dana") is Status.DONE


def test_bad_lines_are_named_and_the_rest_imported(store, tmp_path):
    text = "Shelling hit Idlib."
    good = {
        "text": text,
        "spans": [{"start": 13, "end": 18, "label": "LOCATION", "text": "Idlib"}],
        "answer": "accept",
        "_annotator_id": "alice",
    }
    lines = [
        good,
        {**good, "spans": [{"start": 13, "end": 99, "label": "LOCATION"}]},
        {**good, "spans": [{"start": 13, "end": 18, "label": "LOCATION", "text": "Aleppo"}]},
        {**good, "answer": "maybe"},
        {k: v for k, v in good.items() if k != "_annotator_id"},
        {**good, "spans": [{"start": "13", "end": 18, "label": "LOCATION"}]},
    ]
    path = tmp_path / "tasks.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n{not json\n", "utf-8")
    report = import_paths(store, [str(path)], fetch=False)
    assert report.annotations == 1
    where = [(p.line, p.reason) for p in report.problems]
    assert [line for line, _ in where] == [2, 3, 4, 5, 6, 7]
    assert "outside the text" in where[0][1]
    assert "'Aleppo'" in where[1][1] and "'Idlib'" in where[1][1]
    assert "unknown answer 'maybe'" in where[2][1]
    assert "--annotator" in where[3][1]
    assert "spans[0].start" in where[4][1]
    assert all(str(p).startswith(f"{path}:") for p in report.problems)
    assert [s.text for s in store.spans(1, "alice")] == ["Idlib"]


def test_an_article_corpus_jsonl_is_not_taken_for_annotations(store, tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    text = SEEDS[0].read_text("utf-8")
    corpus.write_text(json.dumps({"id": "a1", "title": "T", "text": text}) + "\n")
    assert annotation_kind(corpus) is None
    report = import_paths(store, [str(corpus)], fetch=False)
    assert (report.added, report.annotations) == (1, 0)


def test_verbatim_articles_are_not_recleaned(store, tmp_path):
    text = "Cookie banner\n\nShelling hit Idlib."
    ann = Annotation(None, text, "alice", Status.DONE, STAMP, [])
    store.import_annotation(ann)
    assert list(store.articles_to_reclean("some-new-cleaner")) == []


# --- the command ------------------------------------------------------------------------


def test_cli_export_and_import(store, tmp_path):
    _annotate(store)
    db = str(store.path)
    runner = (
        CliRunner(mix_stderr=False)
        if "mix_stderr" in CliRunner.__init__.__code__.co_varnames
        else CliRunner()
    )
    result = runner.invoke(
        main, ["export", "--db", db, "--status", "done,skipped", "--label", "ACTOR", "--label", "CASUALTY"]
    )
    assert result.exit_code == 0, result.output
    tasks = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(tasks) == 4
    assert {s["label"] for t in tasks for s in t["spans"]} == {"ACTOR", "CASUALTY"}
    out = tmp_path / "x.jsonl"
    result = runner.invoke(main, ["export", "--db", db, "-o", str(out), "--annotator", "alice"])
    assert result.exit_code == 0 and len(out.read_text().splitlines()) == 4  # done, skip, flag
    other = str(tmp_path / "other.db")
    result = runner.invoke(main, ["import", str(out), "--db", other])
    assert result.exit_code == 0, result.output
    assert "annotations imported" in result.stdout
    bad = runner.invoke(main, ["export", "--db", db, "--status", "finished"])
    assert bad.exit_code == 2 and "finished" in bad.stderr
    bad = runner.invoke(main, ["export", "--db", db, "--since", "yesterday"])
    assert bad.exit_code == 2 and "not a date" in bad.stderr
    bad = runner.invoke(main, ["export", "--db", db, "--format", "brat"])
    assert bad.exit_code == 2 and "-o DIR" in bad.stderr


def test_the_store_schema_is_unchanged_by_export(store, tmp_path):
    """Export only reads: the database file has the same rows after it."""
    _annotate(store)
    dump = "\n".join(store.conn.iterdump())
    _export(store, tmp_path, statuses=None)
    assert "\n".join(store.conn.iterdump()) == dump


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(1, 8), st.sampled_from("AB")), max_size=12))
def test_longest_non_overlapping_keeps_a_maximal_set_longest_first(raw):
    from annotations.export.overlap import longest_non_overlapping

    spans = [SpanData(s, s + n, label, "x" * n) for s, n, label in raw]
    kept, dropped = longest_non_overlapping(spans)
    assert dropped == len(spans) - len(kept)
    assert all(a.end <= b.start for a, b in zip(kept, kept[1:]))  # sorted, no overlap
    # the greedy rule, spelled out slowly
    expected = []
    for span in sorted(spans, key=lambda s: (s.start - s.end, s.start, s.label)):
        if all(span.end <= k.start or k.end <= span.start for k in expected):
            expected.append(span)
    assert kept == sorted(expected, key=lambda s: s.start)
