"""The SQLite file itself: schema, pragmas, migrations, foreign keys, durability across restarts.

What every backend must do is in tests/storage (the contract tests); these are SQLite's own.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from annotations.storage import (
    Store,
    resolve_db_path,
)
from annotations.storage.sqlite.migrations import MIGRATIONS, SCHEMA_VERSION
from tests.storage.conftest import TEXT, article


@pytest.fixture
def art(store) -> int:
    return store.add_article(article())[1]


def test_new_database_has_schema_wal_and_foreign_keys(store, db_path):
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = set(store.db.table_names())
    assert {"articles", "annotators", "spans", "article_status", "migrations", "articles_fts"} <= tables
    # Readable with plain sqlite3, no newsmark needed.
    plain = sqlite3.connect(db_path)
    assert plain.execute("SELECT max(version) FROM migrations").fetchall() == [(SCHEMA_VERSION,)]


def test_reopening_applies_no_migration_twice(db_path):
    Store(db_path).close()
    with Store(db_path) as again:
        assert again.conn.execute("SELECT count(*) FROM migrations").fetchone()[0] == len(
            again.conn.execute("SELECT DISTINCT version FROM migrations").fetchall()
        )


def test_newer_schema_is_refused(db_path):
    Store(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(Exception, match="newer"):
        Store(db_path)


def test_db_path_resolution(monkeypatch, tmp_path):
    monkeypatch.delenv("NEWSMARK_DB", raising=False)
    assert resolve_db_path(None).name == "newsmark.db"
    monkeypatch.setenv("NEWSMARK_DB", str(tmp_path / "env.db"))
    assert resolve_db_path(None) == tmp_path / "env.db"
    assert resolve_db_path(tmp_path / "flag.db") == tmp_path / "flag.db"


def test_foreign_keys_are_enforced(store):
    with pytest.raises(sqlite3.IntegrityError):
        with store.transaction():
            store.conn.execute("INSERT INTO article_status VALUES (12345, 1, 'done', 'now')")


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
