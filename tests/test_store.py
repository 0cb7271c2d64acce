"""The SQLite store: schema, migrations, articles, spans, statuses, search, stats."""

from __future__ import annotations

import sqlite3

import pytest

from annotations.model import NewArticle, Status
from annotations.storage import (
    ADDED,
    DUPLICATE,
    KEPT_ANNOTATED,
    RECLEANED,
    Store,
    plain_fts_query,
    resolve_db_path,
)
from annotations.storage.sqlite.migrations import SCHEMA_VERSION


def article(text: str = "Turkish forces shelled Saraqeb, killing nine soldiers.", **kw) -> NewArticle:
    fields = dict(
        content_hash=str(hash(text)),
        raw_format="text",
        raw_text=text,
        clean_text=text,
        cleaner_version="1",
        title="Clashes in Idlib",
    )
    fields.update(kw)
    return NewArticle(**fields)


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


def test_add_article_is_idempotent(store):
    outcome, first = store.add_article(article())
    assert outcome == ADDED
    assert store.add_article(article()) == (DUPLICATE, first)
    assert store.article_count() == 1
    stored = store.article(first)
    assert stored.title == "Clashes in Idlib" and stored.clean_text.startswith("Turkish forces")


def test_reclean_replaces_text_unless_annotated(store):
    _, a = store.add_article(article("old text of a"))
    _, b = store.add_article(article("old text of b"))
    store.add_span(b, "ana", 0, 3, "ACTOR")
    assert (
        store.add_article(article("old text of a", clean_text="new a", cleaner_version="2"))[0] == RECLEANED
    )
    assert (
        store.add_article(article("old text of b", clean_text="new b", cleaner_version="2"))[0]
        == KEPT_ANNOTATED
    )
    assert store.article(a).clean_text == "new a" and store.article(a).cleaner_version == "2"
    assert store.article(b).clean_text == "old text of b"
    assert store.search("new")[0].id == a  # the FTS index follows the update


def test_spans_are_checked_and_keep_their_text(store):
    text = "Turkish forces shelled Saraqeb, killing nine soldiers."
    _, art = store.add_article(article(text))
    start = text.index("nine soldiers")
    span = store.add_span(art, "ana", start, start + 13, "CASUALTY", {"kind": "killed", "count": 9})
    assert span.text == "nine soldiers"
    assert store.spans(art)[0].text == "nine soldiers"
    assert store.spans(art)[0].attributes == {"kind": "killed", "count": 9}
    assert store.spans(art, "someone else") == []
    with pytest.raises(ValueError):
        store.add_span(art, "ana", 10, 10_000, "ACTOR")
    with pytest.raises(KeyError):
        store.add_span(999, "ana", 0, 1, "ACTOR")
    store.delete_span(span.id)
    assert store.spans(art) == []


def test_failed_transaction_leaves_nothing(store):
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.add_article(article("first"))
            raise RuntimeError("boom")
    assert store.article_count() == 0


def test_statuses_and_stats_per_annotator(store):
    ids = [store.add_article(article(f"text {i}"))[1] for i in range(4)]
    assert store.status(ids[0], "ana") is Status.NEW
    store.set_status(ids[0], "ana", "done")
    store.set_status(ids[1], "ana", Status.FLAGGED)
    store.set_status(ids[1], "ana", Status.SKIPPED)  # the latest status wins
    store.set_status(ids[2], "ben", Status.IN_PROGRESS)
    store.add_span(ids[0], "ana", 0, 4, "ACTOR")
    store.add_span(ids[0], "ana", 5, 6, "LOCATION")
    store.add_span(ids[2], "ben", 0, 4, "ACTOR")
    stats = store.stats()
    assert stats.articles == 4
    assert stats.statuses["ana"] == {"done": 1, "skipped": 1, "new": 2}
    assert stats.statuses["ben"] == {"in_progress": 1, "new": 3}
    assert stats.labels == {"ana": {"ACTOR": 1, "LOCATION": 1}, "ben": {"ACTOR": 1}}
    with pytest.raises(ValueError):
        store.set_status(ids[0], "ana", "finished")


def test_foreign_keys_are_enforced(store):
    with pytest.raises(sqlite3.IntegrityError):
        with store.transaction():
            store.conn.execute("INSERT INTO article_status VALUES (12345, 1, 'done', 'now')")


@pytest.mark.parametrize("query", ['"unbalanced', "AND OR", "NEAR(", "idlib*)", "col:thing", "-x"])
def test_search_never_fails_on_fts_syntax(store, query):
    store.add_article(article("Shelling near Idlib: thing x"))
    assert isinstance(store.search(query), list)


def test_search_finds_words_and_fts_syntax(store):
    _, idlib = store.add_article(article("Air strikes on Idlib province."))
    _, aleppo = store.add_article(article("Shelling in Aleppo.", title="Aleppo"))
    assert [r.id for r in store.search("idlib")] == [idlib]
    assert {r.id for r in store.search("idlib OR aleppo")} == {idlib, aleppo}
    assert [r.id for r in store.search('"air strikes"')] == [idlib]
    assert plain_fts_query('say "hi" -- DROP TABLE') == '"say" "hi" "DROP" "TABLE"'


def test_article_text_is_data_not_sql(store):
    evil = "Robert'); DROP TABLE articles;-- [bold]x[/] \x1b[31m"
    _, art = store.add_article(article(evil, title=evil))
    assert store.article(art).clean_text == evil
    assert store.search(evil) == [] or store.search(evil)[0].id == art
    assert store.article_count() == 1


def test_pages_by_key_and_by_position(store):
    ids = [store.add_article(article(f"article number {i}", title=f"t{i}"))[1] for i in range(120)]
    first = store.page(0, 50)
    assert [r.id for r in first] == ids[:50]
    assert [r.id for r in store.page(first[-1].id, 50)] == ids[50:100]
    assert [r.id for r in store.page_at(100, 50)] == ids[100:]


def test_ranking_is_bounded_to_the_newest_matches(store, monkeypatch):
    import annotations.storage.sqlite.store as store_module

    ids = [store.add_article(article(f"shelling report {i}" + " shelling" * (10 - i)))[1] for i in range(10)]
    _, rare = store.add_article(article("a quiet day in Kelmar"))
    assert {r.id for r in store.search("shelling")} == set(ids)
    assert store.search("shelling")[0].id == ids[0]  # most mentions ranks first
    monkeypatch.setattr(store_module, "SEARCH_WINDOW", 3)
    assert [r.id for r in store.search("shelling")] == ids[-3:]  # only the newest three, ranked
    assert [r.id for r in store.search("kelmar")] == [rare]
