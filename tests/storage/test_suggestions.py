"""The SQLite side of suggestions: migration 5 from a version-4 file with data, and every
suggestion write all or nothing (a failure at any row leaves the file as it was)."""

from __future__ import annotations

import json
import sqlite3

import pytest

from annotations.model import Status, Suggestion
from annotations.storage import Store
from annotations.storage.sqlite.migrations import MIGRATIONS, migrate
from tests.storage.conftest import TEXT, article, where
from tests.storage.test_atomic_writes import check_every_failure, saved


def version_4(path) -> sqlite3.Connection:
    """A file as newsmark left it before suggestions: migrations 1 to 4."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(
        "CREATE TABLE migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    for m in MIGRATIONS[:4]:
        conn.executescript(
            f"BEGIN;\n{m.sql}\nINSERT INTO migrations VALUES ({m.version}, 'x', 'y');"
            f"\nPRAGMA user_version = {m.version};\nCOMMIT;"
        )
    return conn


def test_migration_5_from_version_4_with_data(tmp_path):
    path = tmp_path / "v4.db"
    conn = version_4(path)
    conn.execute(
        "INSERT INTO articles (id, content_hash, raw_format, cleaner_version, imported_at,"
        " clean_text, raw_text) VALUES (1, 'h', 'text', 'v1', 'now', ?, ?)",
        (TEXT, TEXT),
    )
    conn.execute("INSERT INTO annotators (id, name, created_at) VALUES (1, 'ana', 'now')")
    start, end = where("Saraqeb")
    old_span = {
        "id": 7,
        "article_id": 1,
        "start": start,
        "end": end,
        "label": "LOCATION",
        "text": "Saraqeb",
        "attributes": {},
        "created_at": "t0",
        "updated_at": "t0",
    }  # logged before spans had an origin: no such key
    conn.execute(
        'INSERT INTO spans (id, article_id, annotator_id, start, "end", label, text, attributes,'
        " created_at, updated_at) VALUES (7, 1, 1, ?, ?, 'LOCATION', 'Saraqeb', '{}', 't0', 't0')",
        (start, end),
    )
    conn.execute("INSERT INTO article_status VALUES (1, 1, 'in_progress', 'now')")
    conn.execute(
        'INSERT INTO edits (id, annotator_id, article_id, kind, "before", "after", undone, created_at,'
        " batch, session) VALUES (3, 1, 1, 'add_span', NULL, ?, 0, 'now', 3, NULL)",
        (json.dumps(old_span),),
    )
    with pytest.raises(sqlite3.IntegrityError):  # version 4 refuses an answer
        conn.execute(
            "INSERT INTO edits (annotator_id, article_id, kind, undone, created_at)"
            " VALUES (1, 1, 'answer', 0, 'now')"
        )
    assert migrate(conn) == [5]
    columns = {r[1] for r in conn.execute("PRAGMA table_info(edits)")}
    assert {"session", "batch", "kind", "before", "after", "undone"} <= columns
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"edits_by_annotator", "edits_article", "edits_batch", "edits_by_session"} <= indexes
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.close()
    with Store(path) as store:
        (span,) = store.spans(1, "ana")
        assert span.id == 7 and span.origin is None
        assert store.status(1, "ana") is Status.IN_PROGRESS
        assert store.suggestions_enabled("ana")
        assert [(e.id, e.kind) for e in store.edits("ana")] == [(3, "add_span")]
        assert store.article_ids_to_suggest("any") == [1]
        edit = store.undo("ana")  # the old entry undoes though it has no origin
        assert edit is not None and edit.id == 3 and store.spans(1) == []
        assert store.redo("ana") is not None and store.span(7).origin is None
        store.set_suggestions(1, [Suggestion(0, 7, "ACTOR", "Turkish", "actor.nationality")], "v1")
        store.reject_suggestion(store.suggestions(1)[0].id, "ana")  # the new kind is allowed now
        assert store.undo("ana").kind == "answer"


# -- all or nothing ---------------------------------------------------------------------------


def suggested(store: Store) -> None:
    _, article_id = store.add_article(article())
    store.add_span(article_id, "ana", *where("Monday"), "TIME")
    store.set_suggestions(
        article_id,
        [
            Suggestion(*where("Turkish forces"), "ACTOR", "", "actor.force"),
            Suggestion(*where("Saraqeb"), "LOCATION", "", "location.gazetteer"),
            Suggestion(*where("nine soldiers"), "CASUALTY", "", "casualty.count", {"count": 9}),
        ],
        "v1",
    )


def test_setting_suggestions(tmp_path):
    before = saved(tmp_path, suggested)
    again = [Suggestion(*where("the ministry"), "ACTOR", "", "actor.org")]
    check_every_failure(before, lambda s: s.set_suggestions(1, again, "v2") and None, tmp_path)


def test_accepting_rejecting_and_accepting_all(tmp_path):
    before = saved(tmp_path, suggested)
    assert check_every_failure(before, lambda s: s.accept_suggestion(1, "ana") and None, tmp_path) >= 4
    check_every_failure(before, lambda s: s.accept_suggestion(1, "bo") and None, tmp_path)  # new annotator
    check_every_failure(before, lambda s: s.reject_suggestion(2, "ana"), tmp_path)
    check_every_failure(before, lambda s: s.accept_suggestions(1, "ana") and None, tmp_path)


def accepted(store: Store) -> None:
    suggested(store)
    store.accept_suggestions(1, "ana")


def undone(store: Store) -> None:
    accepted(store)
    store.undo("ana")


def test_undoing_an_accept_all(tmp_path):
    check_every_failure(saved(tmp_path, accepted), lambda s: s.undo("ana") and None, tmp_path)


def test_redoing_an_accept_all(tmp_path):
    check_every_failure(saved(tmp_path, undone), lambda s: s.redo("ana") and None, tmp_path)
