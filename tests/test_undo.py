"""The persistent undo log: every annotator action can be undone and redone, across restarts."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from annotations.model import NewArticle, Status
from annotations.storage import Store
from annotations.storage.sqlite.migrations import MIGRATIONS, SCHEMA_VERSION

TEXT = "Turkish forces shelled Saraqeb, killing nine soldiers."


def article(text: str = TEXT) -> NewArticle:
    return NewArticle(
        content_hash=str(hash(text)),
        raw_format="text",
        raw_text=text,
        clean_text=text,
        cleaner_version="1",
        title="Clashes in Idlib",
    )


@pytest.fixture
def art(store) -> int:
    return store.add_article(article())[1]


def span_tuples(store: Store, article_id: int, annotator: str = "ana") -> list[tuple]:
    return [
        (s.id, s.start, s.end, s.label, s.attributes, s.created_at, s.updated_at)
        for s in store.spans(article_id, annotator)
    ]


def test_undo_and_redo_an_added_span(store, art):
    span = store.add_span(art, "ana", 0, 7, "ACTOR")
    edit = store.undo("ana")
    assert edit.kind == "add_span" and edit.undone and edit.article_id == art
    assert edit.after["start"] == 0 and edit.after["id"] == span.id and edit.before is None
    assert store.spans(art) == []
    redone = store.redo("ana")
    assert redone.id == edit.id and not redone.undone
    assert store.spans(art) == [span]  # same id, same timestamps
    assert store.redo("ana") is None


def test_undo_of_delete_restores_the_same_span(store, art):
    span = store.add_span(art, "ana", 8, 14, "ACTOR", {"side": "TR"})
    other = store.add_span(art, "ana", 23, 30, "LOCATION")
    assert store.delete_span(span.id) == span
    assert store.delete_span(span.id) is None  # gone: nothing to delete, nothing logged
    edit = store.undo("ana")
    assert edit.kind == "delete_span" and edit.before["id"] == span.id and edit.after is None
    assert store.spans(art) == [span, other]
    store.redo("ana")
    assert store.spans(art) == [other]


def test_deleted_span_ids_are_never_reused(store, art):
    span = store.add_span(art, "ana", 0, 7, "ACTOR")
    store.delete_span(span.id)
    assert store.add_span(art, "ana", 0, 7, "ACTOR").id > span.id


def test_undo_and_redo_an_update(store, art):
    span = store.add_span(art, "ana", 0, 7, "ACTOR", {"a": 1})
    updated = store.update_span(span.id, label="LOCATION")
    assert updated.label == "LOCATION" and updated.attributes == {"a": 1}
    assert store.update_span(span.id, attributes={"b": 2}).attributes == {"b": 2}
    assert store.update_span(span.id, label="LOCATION").label == "LOCATION"  # no change: not logged
    assert store.undo("ana").kind == "update_span"
    assert store.span(span.id).attributes == {"a": 1} and store.span(span.id).label == "LOCATION"
    edit = store.undo("ana")
    assert edit.before["label"] == "ACTOR" and edit.after["label"] == "LOCATION"
    assert store.span(span.id) == span  # label, attributes and updated_at as they were
    store.redo("ana")
    assert store.span(span.id).label == "LOCATION"
    with pytest.raises(KeyError):
        store.update_span(9999, label="X")


def test_undo_and_redo_statuses(store, art):
    store.set_status(art, "ana", Status.IN_PROGRESS, record=False)  # opening it: not an action
    store.set_status(art, "ana", Status.DONE)
    store.set_status(art, "ana", Status.FLAGGED)
    edit = store.undo("ana")
    assert (edit.kind, edit.before, edit.after) == ("set_status", {"status": "done"}, {"status": "flagged"})
    assert store.status(art, "ana") is Status.DONE
    store.undo("ana")
    assert store.status(art, "ana") is Status.IN_PROGRESS
    assert store.undo("ana") is None  # the unrecorded change is not in the log
    store.redo("ana")
    store.redo("ana")
    assert store.status(art, "ana") is Status.FLAGGED


def test_undoing_a_first_status_removes_the_row(store, art):
    store.set_status(art, "ana", "done")
    assert store.undo("ana").before == {"status": None}
    assert store.status(art, "ana") is Status.NEW
    assert store.conn.execute("SELECT count(*) FROM article_status").fetchone()[0] == 0


def test_a_new_action_discards_the_redo_stack(store, art):
    store.add_span(art, "ana", 0, 7, "ACTOR")
    store.add_span(art, "ana", 8, 14, "ACTOR")
    store.undo("ana")
    store.undo("ana")
    store.add_span(art, "ana", 23, 30, "LOCATION")
    assert store.redo("ana") is None
    assert [s.label for s in store.spans(art)] == ["LOCATION"]


def test_unrecorded_status_keeps_the_redo_stack(store, art):
    store.add_span(art, "ana", 0, 7, "ACTOR")
    store.undo("ana")
    store.set_status(art, "ana", Status.IN_PROGRESS, record=False)
    assert store.redo("ana").kind == "add_span"


def test_redo_replays_in_original_order(store, art):
    first = store.add_span(art, "ana", 0, 7, "ACTOR")
    store.update_span(first.id, label="LOCATION")
    store.undo("ana")
    store.undo("ana")
    assert store.redo("ana").kind == "add_span"
    assert store.redo("ana").kind == "update_span"
    assert store.span(first.id).label == "LOCATION"


def test_undo_and_redo_survive_a_restart(db_path):
    with Store(db_path) as store:
        art = store.add_article(article())[1]
        span = store.add_span(art, "ana", 0, 7, "ACTOR")
        store.add_span(art, "ana", 8, 14, "ACTOR")
        store.undo("ana")
    with Store(db_path, durable=True) as store:
        assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert store.redo("ana").after["start"] == 8
        store.undo("ana")
        store.undo("ana")
    with Store(db_path) as store:
        assert store.spans(art) == []
        assert store.redo("ana").after["id"] == span.id
        assert [e.undone for e in store.edits("ana")] == [False, True]


def test_annotators_have_their_own_logs(store, art):
    store.add_span(art, "ana", 0, 7, "ACTOR")
    store.add_span(art, "ben", 8, 14, "ACTOR")
    store.set_status(art, "ben", "done")
    assert store.undo("ana").annotator == "ana"
    assert store.spans(art, "ana") == [] and len(store.spans(art, "ben")) == 1
    assert store.undo("ana") is None
    assert store.undo("ben").kind == "set_status"
    assert store.undo("nobody") is None and store.redo("nobody") is None
    store.add_span(art, "ben", 23, 30, "LOCATION")  # ben's new action leaves ana's redo alone
    assert store.redo("ana").annotator == "ana"


def test_a_failed_action_logs_nothing(store, art):
    with pytest.raises(ValueError):
        store.add_span(art, "ana", 0, 10_000, "ACTOR")
    assert store.edits("ana") == []


def test_deleting_an_article_drops_its_edits(store, art):
    store.add_span(art, "ana", 0, 7, "ACTOR")
    with store.transaction():
        store.conn.execute("DELETE FROM articles WHERE id = ?", (art,))
    assert store.undo("ana") is None


def test_migration_2_keeps_spans_of_a_version_1_database(db_path: Path):
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.executescript(f"BEGIN; {MIGRATIONS[0].sql}; PRAGMA user_version = 1; COMMIT;")
    conn.execute(
        "CREATE TABLE migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    conn.execute("INSERT INTO migrations VALUES (1, 'initial', 'then')")
    conn.execute(
        "INSERT INTO articles (id, content_hash, raw_format, cleaner_version, imported_at,"
        " clean_text, raw_text) VALUES (1, 'h', 'text', '1', 'then', ?, ?)",
        (TEXT, TEXT),
    )
    conn.execute("INSERT INTO annotators VALUES (1, 'ana', 'then')")
    conn.execute("INSERT INTO spans VALUES (5, 1, 1, 0, 7, 'ACTOR', 'Turkish', '{\"a\": 1}', 't0', 't1')")
    conn.execute("INSERT INTO article_status VALUES (1, 1, 'done', 't')")
    conn.close()
    with Store(db_path) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        [span] = store.spans(1)
        assert (span.id, span.text, span.attributes, span.created_at) == (5, "Turkish", {"a": 1}, "t0")
        assert (
            "AUTOINCREMENT"
            in store.conn.execute("SELECT sql FROM sqlite_master WHERE name = 'spans'").fetchone()[0]
        )
        indexes = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"spans_article", "spans_annotator_label", "article_status_by_annotator"} <= indexes
        assert store.list_ids("ana", "done").tolist() == [1]
        store.delete_span(5)
        assert store.add_span(1, "ana", 0, 7, "ACTOR").id == 6  # past the copied ids
        store.undo("ana")
        store.undo("ana")
        assert [s.id for s in store.spans(1)] == [5]
        assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_an_annotator_made_in_a_rolled_back_transaction_is_not_remembered(store, art):
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.add_span(art, "zoe", 0, 7, "ACTOR")
            raise RuntimeError("boom")
    assert store.add_span(art, "zoe", 0, 7, "ACTOR").annotator == "zoe"  # no stale cached id
    assert [e.kind for e in store.edits("zoe")] == ["add_span"]
