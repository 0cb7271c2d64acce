"""`newsmark suggest`, the import's suggestions and `stats`, through click's runner on real files.

The rules are other modules' work (and change): these tests put rules of their own in
``annotations.suggest`` (monkeypatched), so that what is stored and written is known.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import annotations.suggest as suggest_package
from annotations.model import Status, Suggestion
from annotations.storage import Store
from annotations.suggest import SUGGESTER_VERSION
from tui.cli import main

TEXTS = {
    "a1": "Turkish forces shelled Saraqeb on Monday, killing nine soldiers, the ministry said.",
    "a2": "Russian jets struck Idlib overnight, residents and local officials told reporters on Tuesday.",
    "a3": "Talks between the delegations resumed in Geneva on Wednesday after a pause of two weeks.",
}
# What the test's rules find: (phrase, label, origin, attributes)
RULES = [
    ("Turkish forces", "ACTOR", "actor.force", {}),
    ("Saraqeb", "LOCATION", "location.gazetteer", {}),
    ("nine soldiers", "CASUALTY", "casualty.count", {"kind": "killed", "count": 9, "qualifier": "exact"}),
    ("Idlib", "LOCATION", "location.gazetteer", {}),
    ("Russian jets", "ACTOR", "actor.force", {}),
]


def rules(text: str) -> list[Suggestion]:
    found = []
    for phrase, label, origin, attributes in RULES:
        start = text.find(phrase)
        if start >= 0:
            found.append(Suggestion(start, start + len(phrase), label, phrase, origin, attributes))
    return sorted(found, key=lambda s: (s.start, -s.end))


@pytest.fixture(autouse=True)
def known_rules(monkeypatch):
    calls: list[str] = []

    def counted(text: str) -> list[Suggestion]:
        calls.append(text)
        return rules(text)

    monkeypatch.setattr(suggest_package, "suggest_text", counted)
    return calls


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args: str, env: dict[str, str] | None = None):
        return runner.invoke(main, list(args), env=env, catch_exceptions=False)

    return invoke


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "articles.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for gid, text in TEXTS.items():
            line = {"id": gid, "text": text, "title": f"title {gid}", "meta": {"licence": "CC0", "case": gid}}
            f.write(json.dumps(line) + "\n")
    return path


@pytest.fixture
def db(tmp_path: Path, run, corpus) -> Path:
    path = tmp_path / "n.db"
    done = run("import", "--db", str(path), "--no-suggest", str(corpus))
    assert done.exit_code == 0, done.output
    return path


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_import_without_suggestions_then_suggest_stores_them(run, db, known_rules):
    with Store(db) as store:
        assert all(store.suggestions(i) == [] for i in (1, 2, 3))
    assert known_rules == []
    done = run("suggest", "--db", str(db))
    assert done.exit_code == 0, done.output
    assert "3  articles suggested for" in done.output and "5  suggestions" in done.output
    assert "2  LOCATION" in done.output and "2  ACTOR" in done.output and "1  CASUALTY" in done.output
    with Store(db) as store:
        stored = store.suggestions(1)
        assert [(s.text, s.label, s.origin) for s in stored] == [
            ("Turkish forces", "ACTOR", "actor.force"),
            ("Saraqeb", "LOCATION", "location.gazetteer"),
            ("nine soldiers", "CASUALTY", "casualty.count"),
        ]
        assert stored[-1].attributes == {"kind": "killed", "count": 9, "qualifier": "exact"}
        assert store.spans(1) == []  # nobody's work
        assert store.article_ids_to_suggest(SUGGESTER_VERSION) == []


def test_only_what_is_not_current_unless_again_or_named(run, db, known_rules):
    run("suggest", "--db", str(db))
    known_rules.clear()
    again = run("suggest", "--db", str(db))
    assert "0  articles suggested for" in again.output and known_rules == []
    run("suggest", "--db", str(db), "--article", "2")
    assert known_rules == [TEXTS["a2"]]
    known_rules.clear()
    run("suggest", "--db", str(db), "--again")
    assert len(known_rules) == 3
    missing = run("suggest", "--db", str(db), "--article", "99")
    assert missing.exit_code == 2 and "no article 99" in missing.output


def test_import_suggests_for_new_articles(run, tmp_path, corpus, known_rules):
    path = tmp_path / "s.db"
    done = run("import", "--db", str(path), str(corpus))
    assert done.exit_code == 0, done.output
    assert "suggestions" in done.output
    with Store(path) as store:
        assert [len(store.suggestions(i)) for i in (1, 2, 3)] == [3, 2, 0]
        assert store.article_ids_to_suggest(SUGGESTER_VERSION) == []
    known_rules.clear()
    run("import", "--db", str(path), str(corpus))  # duplicates: nothing suggested again
    assert known_rules == []


def test_output_has_the_jsonl_exports_line_schema(run, db, tmp_path):
    out = tmp_path / "suggested.jsonl"
    done = run("suggest", "--db", str(db), "--output", str(out))
    assert done.exit_code == 0, done.output
    assert "wrote 3 line(s)" in done.output
    got = lines(out)
    assert [g["meta"]["external_id"] for g in got] == ["a1", "a2", "a3"]
    assert got[0]["meta"]["licence"] == "CC0" and got[0]["meta"]["case"] == "a1"
    assert got[0]["_annotator_id"] == "newsmark-suggest" and got[0]["answer"] == "ignore"
    assert got[0]["meta"]["status"] == "in_progress"
    assert [s["text"] for s in got[0]["spans"]] == ["Turkish forces", "Saraqeb", "nine soldiers"]
    assert got[2]["spans"] == []
    # The same article's export, the suggestions accepted by an annotator as unfinished work:
    with Store(db) as store:
        store.accept_suggestions(1, "ana")
        assert store.status(1, "ana") is Status.IN_PROGRESS
    exported = tmp_path / "export.jsonl"
    run("export", "--db", str(db), "--status", "in_progress", "-o", str(exported))
    (mine,) = lines(exported)
    theirs = got[0]
    assert list(theirs) == list(mine)  # the same keys, in the same order
    assert theirs["tokens"] == mine["tokens"] and theirs["text"] == mine["text"]
    assert theirs["spans"] == mine["spans"]  # token_start/end and every attribute column
    assert list(theirs["meta"])[: len(mine["meta"])] == list(mine["meta"])
    assert {k: theirs["meta"][k] for k in mine["meta"]} == mine["meta"]


def test_output_of_the_named_articles_only(run, db, tmp_path):
    out = tmp_path / "one.jsonl"
    run("suggest", "--db", str(db))
    done = run("suggest", "--db", str(db), "--article", "2", "--output", str(out))
    assert done.exit_code == 0, done.output
    assert [g["meta"]["id"] for g in lines(out)] == [2]


def test_output_to_standard_output_keeps_the_summary_apart(db):
    done = CliRunner().invoke(main, ["suggest", "--db", str(db), "--output", "-"])
    assert done.exit_code == 0
    assert len([json.loads(line) for line in done.stdout.splitlines()]) == 3
    assert "suggest summary" in done.stderr


def test_the_priming_switch(run, db):
    done = run("suggest", "--db", str(db), "--off-for", "ana,bo")
    assert "suggestions off for: ana, bo" in done.output
    run("suggest", "--db", str(db), "--on-for", "bo")
    with Store(db) as store:
        assert not store.suggestions_enabled("ana") and store.suggestions_enabled("bo")
        assert store.suggestions_enabled("carl")
    both = run("suggest", "--db", str(db), "--off-for", "ana", "--on-for", "ana")
    assert both.exit_code == 2


def test_rules_folder_is_set_for_the_run(run, db, tmp_path, monkeypatch):
    from annotations.suggest import wordlists

    monkeypatch.delenv(wordlists.ENV, raising=False)
    seen = []
    monkeypatch.setattr(
        suggest_package, "suggest_text", lambda text: seen.append(wordlists.user_dirs()) or []
    )
    lists = tmp_path / "lists"
    lists.mkdir()
    run("suggest", "--db", str(db), "--rules", str(lists))
    assert seen and all(dirs == (lists,) for dirs in seen)


def test_a_failing_rule_names_the_article_and_the_rest_goes_on(run, db, monkeypatch):
    def fragile(text: str) -> list[Suggestion]:
        if "Idlib" in text:
            raise RuntimeError("rule bug")
        return rules(text)

    monkeypatch.setattr(suggest_package, "suggest_text", fragile)
    done = run("suggest", "--db", str(db))
    assert done.exit_code == 1
    assert "article 2: suggesting failed" in done.output
    with Store(db) as store:
        assert len(store.suggestions(1)) == 3 and store.article_ids_to_suggest(SUGGESTER_VERSION) == [2]


def test_imported_casualty_spans_without_attributes_are_filled(run, tmp_path):
    """A file from elsewhere (Prodigy-style, no ``meta.status``): the real CASUALTY filler reads
    kind and count from the words; a span with one attribute given, and newsmark's own export
    (which writes unset attributes as unset), are kept as written."""
    text = TEXTS["a1"]
    start = text.index("nine soldiers")
    task = {
        "text": text,
        "spans": [
            {"start": start, "end": start + 13, "label": "CASUALTY"},
            {"start": 0, "end": 14, "label": "ACTOR"},
        ],
        "answer": "accept",
        "_annotator_id": "ana",
    }
    given = dict(
        task, spans=[{"start": start, "end": start + 13, "label": "CASUALTY", "attributes": {"count": 3}}]
    )
    given["_annotator_id"] = "bo"
    ours = dict(task, meta={"status": "done"}, _annotator_id="cy")
    path = tmp_path / "work.jsonl"
    path.write_text("".join(json.dumps(t) + "\n" for t in (task, given, ours)), "utf-8")
    db = tmp_path / "w.db"
    done = run("import", "--db", str(db), "--no-suggest", str(path))
    assert done.exit_code == 0, done.output
    with Store(db) as store:
        ana = {s.label: s.attributes for s in store.spans(1, "ana")}
        assert ana == {"CASUALTY": {"kind": "killed", "count": 9, "qualifier": "exact"}, "ACTOR": {}}
        (bo,) = store.spans(1, "bo")
        assert bo.attributes == {"count": 3}  # carries one of its attributes: kept as given
        cy = {s.label: s.attributes for s in store.spans(1, "cy")}
        assert cy == {"CASUALTY": {}, "ACTOR": {}}  # our own export: as written


def test_stats_count_spans_from_suggestions(run, db):
    run("suggest", "--db", str(db))
    with Store(db) as store:
        actor, place, casualty = store.suggestions(1)
        store.accept_suggestion(actor.id, "ana")
        store.accept_suggestion(casualty.id, "ana")
        store.reject_suggestion(place.id, "ana")
        store.add_span(2, "ana", 0, 7, "ACTOR")  # by hand
    figures = json.loads(run("stats", "--db", str(db), "--json").output)
    assert figures["labels"]["ana"] == {"ACTOR": 2, "CASUALTY": 1}
    assert figures["from_suggestions"]["ana"] == {"ACTOR": 1, "CASUALTY": 1}
    assert figures["rejected_suggestions"]["ana"] == 1
    assert figures["suggestions"] == {"ACTOR": 2, "CASUALTY": 1, "LOCATION": 2}
    table = run("stats", "--db", str(db)).output
    assert "5 suggestions: ACTOR 2, CASUALTY 1, LOCATION 2" in table
    assert "spans from suggestions" in table


def test_agreement_and_review_never_count_a_suggestion(run, db):
    with Store(db) as store:
        for who, label in (("ana", "ACTOR"), ("bo", "LOCATION")):
            store.add_span(1, who, 0, 14, label)
            store.set_status(1, who, Status.DONE)
        before_review = store.review_ids("rita")
        before_work = store.review_work(1, "rita")
    before = run("agree", "--db", str(db), "--format", "json").output
    run("suggest", "--db", str(db))  # suggestions for every article, nobody's answer
    after = run("agree", "--db", str(db), "--format", "json").output
    assert json.loads(after) == json.loads(before)
    with Store(db) as store:
        assert len(store.suggestions(1)) == 3
        assert store.review_ids("rita") == before_review
        assert store.review_work(1, "rita") == before_work
