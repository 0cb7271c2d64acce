"""The one interface between newsmark and its SQLite file.

Everything that reads or writes the database goes through :class:`Store`: the
CLI, the importer and the Textual app alike. It owns the connection, applies
migrations on open, and keeps every write in an explicit transaction so that a
failure leaves nothing half-written.

Why raw SQL for writes, not sqlite-utils' ``insert``: sqlite-utils wraps each
call in ``with conn:``, which commits whatever transaction is open. An import
must put a whole file in *one* transaction, so writes go through
:meth:`Store.transaction`. sqlite-utils (``Store.db``) is still the handle for
introspection and ad-hoc queries.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlite_utils

from annotations.migrations import migrate
from annotations.model import Article, ArticleRow, NewArticle, Span, Status

DEFAULT_DB = "newsmark.db"
DB_ENV = "NEWSMARK_DB"


def resolve_db_path(db: str | os.PathLike[str] | None) -> Path:
    """``--db``, else ``$NEWSMARK_DB``, else ``./newsmark.db``."""
    return Path(db or os.environ.get(DB_ENV) or DEFAULT_DB)


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# What happened to an article handed to Store.add_article.
ADDED, DUPLICATE, RECLEANED, KEPT_ANNOTATED = "added", "duplicate", "recleaned", "kept"


@dataclass(frozen=True, slots=True)
class Stats:
    articles: int
    sources: int
    statuses: dict[str, dict[str, int]]  # annotator -> status -> count
    labels: dict[str, dict[str, int]]  # annotator -> label -> count


# Search ranks at most this many of the newest matches (see Store.search).
SEARCH_WINDOW = 2000

_FTS_WORD = re.compile(r"\w+", re.UNICODE)


def plain_fts_query(query: str) -> str:
    """Turn any text into a safe FTS5 query: each word quoted, all required."""
    return " ".join(f'"{w}"' for w in _FTS_WORD.findall(query))


class Store:
    """A newsmark database: open it, and it is migrated and ready."""

    def __init__(self, path: str | os.PathLike[str], *, check_same_thread: bool = True) -> None:
        self.path = Path(path)
        if self.path.parent and not self.path.parent.exists():
            raise FileNotFoundError(f"folder for database does not exist: {self.path.parent}")
        # Autocommit mode: transactions are opened explicitly by transaction().
        self.conn = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=check_same_thread
        )
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = NORMAL")  # durable in WAL; fsync at checkpoints
        self.conn.execute("PRAGMA foreign_keys = ON")
        self.conn.execute("PRAGMA busy_timeout = 5000")  # several annotators share one file
        migrate(self.conn)
        self.db = sqlite_utils.Database(self.conn)

    # -- lifecycle -------------------------------------------------------------

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: everything inside commits together or not at all."""
        if self.conn.in_transaction:  # nested: join the outer transaction
            yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- articles ---------------------------------------------------------------

    def add_article(self, art: NewArticle) -> tuple[str, int]:
        """Store an article unless it is already there; return (outcome, article id).

        Same content and same cleaner version: a duplicate, nothing changes.
        Same content cleaned by an older cleaner: the new cleaned text replaces the
        old one, unless an annotator has spans in the old one, whose offsets
        would then point at the wrong words: then the old text is kept.
        """
        row = self.conn.execute(
            "SELECT id, cleaner_version FROM articles WHERE content_hash = ?", (art.content_hash,)
        ).fetchone()
        if row is not None:
            article_id, version = row
            if version == art.cleaner_version:
                return DUPLICATE, article_id
            return self.reclean(article_id, art.clean_text, art.cleaner_version), article_id
        cur = self.conn.execute(
            "INSERT INTO articles (title, source, published, byline, url, external_id,"
            " content_hash, raw_format, origin, cleaner_version, imported_at, meta,"
            " clean_text, raw_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                art.title, art.source, art.published, art.byline, art.url, art.external_id,
                art.content_hash, art.raw_format, art.origin, art.cleaner_version, now(),
                json.dumps(dict(art.meta), ensure_ascii=False), art.clean_text, art.raw_text,
            ),
        )
        return ADDED, int(cur.lastrowid)

    def reclean(self, article_id: int, clean_text: str, cleaner_version: str) -> str:
        """Replace an article's cleaned text, unless spans point into the old one."""
        with self.transaction():
            if self.conn.execute(
                "SELECT 1 FROM spans WHERE article_id = ? LIMIT 1", (article_id,)
            ).fetchone():
                return KEPT_ANNOTATED
            self.conn.execute(
                "UPDATE articles SET clean_text = ?, cleaner_version = ? WHERE id = ?",
                (clean_text, cleaner_version, article_id),
            )
        return RECLEANED

    def article(self, article_id: int) -> Article | None:
        row = self.conn.execute(
            "SELECT id, content_hash, title, byline, source, url, published, external_id,"
            " raw_format, origin, cleaner_version, imported_at, meta, clean_text, raw_text"
            " FROM articles WHERE id = ?",
            (article_id,),
        ).fetchone()
        if row is None:
            return None
        *head, meta, clean, raw = row
        return Article(*head, meta=json.loads(meta), clean_text=clean, raw_text=raw)

    def article_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM articles").fetchone()[0]

    def page(self, after_id: int = 0, limit: int = 50) -> list[ArticleRow]:
        """A page of the article list in import order, after ``after_id`` (keyset paging)."""
        rows = self.conn.execute(
            "SELECT id, title, source, published FROM articles WHERE id > ? ORDER BY id LIMIT ?",
            (after_id, limit),
        )
        return [ArticleRow(*r) for r in rows]

    def page_at(self, offset: int, limit: int = 50) -> list[ArticleRow]:
        """A page of the article list by position.

        OFFSET walks the table, so this is fast only near the top (0.2 ms under
        offset 1,000; about 0.6 s deep into a million articles): a long list
        should page by key with :meth:`page` from a nearby known id.
        """
        rows = self.conn.execute(
            "SELECT id, title, source, published FROM articles ORDER BY id LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [ArticleRow(*r) for r in rows]

    def search(self, query: str, limit: int = 50) -> list[ArticleRow]:
        """Full-text search over titles and cleaned text, best match first.

        FTS5 syntax works (``"exact phrase"``, ``idlib OR aleppo``); a query that
        is not valid FTS5 is searched as plain words instead of failing.

        Ranking is bounded: bm25 is computed over the newest ``SEARCH_WINDOW``
        matches only. A word found in most of a million articles would otherwise
        take the better part of a second to rank; a query with fewer matches is
        ranked in full. (FTS5 pushes the rowid bound into the index scan.)
        """
        sql = (
            "SELECT a.id, a.title, a.source, a.published FROM articles_fts"
            " JOIN articles a ON a.id = articles_fts.rowid"
            " WHERE articles_fts MATCH :q AND articles_fts.rowid >= ("
            "  SELECT coalesce(min(rowid), 0) FROM ("
            "   SELECT rowid FROM articles_fts WHERE articles_fts MATCH :q"
            "   ORDER BY rowid DESC LIMIT :window))"
            " ORDER BY rank LIMIT :limit"
        )
        params = {"q": query, "window": SEARCH_WINDOW, "limit": limit}
        try:
            rows = self.conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError:
            params["q"] = plain_fts_query(query)
            if not params["q"]:
                return []
            rows = self.conn.execute(sql, params).fetchall()
        return [ArticleRow(*r) for r in rows]

    def articles_to_reclean(self, cleaner_version: str) -> Iterator[tuple[int, str, str, str | None]]:
        """(id, raw format, raw text, source) of articles cleaned by another cleaner version."""
        yield from self.conn.execute(
            "SELECT id, raw_format, raw_text, source FROM articles WHERE cleaner_version != ?",
            (cleaner_version,),
        ).fetchall()

    # -- repeated lines per source (corpus boilerplate) ----------------------

    def source_line_counts(self, source: str) -> tuple[int, dict[str, int]]:
        """(articles seen from ``source``, line -> how many of them contain it)."""
        row = self.conn.execute("SELECT articles FROM sources WHERE name = ?", (source,)).fetchone()
        lines = dict(
            self.conn.execute("SELECT line, articles FROM source_lines WHERE source = ?", (source,))
        )
        return (row[0] if row else 0), lines

    def add_source_line_counts(self, source: str, articles: int, lines: Mapping[str, int]) -> None:
        """Add a batch's counts for ``source`` to the stored ones."""
        with self.transaction():
            self.conn.execute(
                "INSERT INTO sources (name, articles) VALUES (?, ?)"
                " ON CONFLICT (name) DO UPDATE SET articles = articles + excluded.articles",
                (source, articles),
            )
            self.conn.executemany(
                "INSERT INTO source_lines (source, line, articles) VALUES (?, ?, ?)"
                " ON CONFLICT (source, line) DO UPDATE SET articles = articles + excluded.articles",
                ((source, line, n) for line, n in lines.items()),
            )

    # -- annotators, spans, statuses -------------------------------------------

    def annotator_id(self, name: str) -> int:
        """The id of annotator ``name``, created on first use."""
        row = self.conn.execute("SELECT id FROM annotators WHERE name = ?", (name,)).fetchone()
        if row:
            return row[0]
        with self.transaction():
            self.conn.execute(
                "INSERT OR IGNORE INTO annotators (name, created_at) VALUES (?, ?)", (name, now())
            )
        return self.conn.execute("SELECT id FROM annotators WHERE name = ?", (name,)).fetchone()[0]

    def add_span(
        self,
        article_id: int,
        annotator: str,
        start: int,
        end: int,
        label: str,
        attributes: Mapping[str, Any] | None = None,
    ) -> Span:
        """Save a span at once (one transaction); offsets are checked against the text."""
        annotator_id = self.annotator_id(annotator)
        with self.transaction():
            row = self.conn.execute(
                "SELECT substr(clean_text, ? + 1, ? - ?), length(clean_text) FROM articles WHERE id = ?",
                (start, end, start, article_id),
            ).fetchone()
            if row is None:
                raise KeyError(f"no article {article_id}")
            text, length = row
            if not 0 <= start < end <= length:
                raise ValueError(f"span {start}:{end} is outside article {article_id} (length {length})")
            stamp = now()
            attrs = json.dumps(dict(attributes or {}), ensure_ascii=False)
            cur = self.conn.execute(
                'INSERT INTO spans (article_id, annotator_id, start, "end", label, text, attributes,'
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (article_id, annotator_id, start, end, label, text, attrs, stamp, stamp),
            )
        return Span(int(cur.lastrowid), article_id, annotator, start, end, label, text,
                    dict(attributes or {}), stamp, stamp)

    def spans(self, article_id: int, annotator: str | None = None) -> list[Span]:
        sql = (
            'SELECT s.id, s.article_id, a.name, s.start, s."end", s.label, s.text, s.attributes,'
            " s.created_at, s.updated_at FROM spans s JOIN annotators a ON a.id = s.annotator_id"
            " WHERE s.article_id = ?"
        )
        params: list[Any] = [article_id]
        if annotator is not None:
            sql += " AND a.name = ?"
            params.append(annotator)
        rows = self.conn.execute(sql + " ORDER BY s.start, s.\"end\", s.id", params)
        return [Span(*r[:7], json.loads(r[7]), *r[8:]) for r in rows]

    def delete_span(self, span_id: int) -> None:
        with self.transaction():
            self.conn.execute("DELETE FROM spans WHERE id = ?", (span_id,))

    def set_status(self, article_id: int, annotator: str, status: Status | str) -> None:
        status = Status(status)
        annotator_id = self.annotator_id(annotator)
        with self.transaction():
            self.conn.execute(
                "INSERT INTO article_status (article_id, annotator_id, status, updated_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (article_id, annotator_id)"
                " DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at",
                (article_id, annotator_id, status.value, now()),
            )

    def status(self, article_id: int, annotator: str) -> Status:
        row = self.conn.execute(
            "SELECT st.status FROM article_status st JOIN annotators a ON a.id = st.annotator_id"
            " WHERE st.article_id = ? AND a.name = ?",
            (article_id, annotator),
        ).fetchone()
        return Status(row[0]) if row else Status.NEW

    # -- stats ------------------------------------------------------------------

    def stats(self) -> Stats:
        """Article count, and per annotator the status and label counts.

        Articles an annotator has not touched count as ``new`` for them.
        """
        articles = self.article_count()
        sources = self.conn.execute(
            "SELECT count(DISTINCT source) FROM articles WHERE source IS NOT NULL"
        ).fetchone()[0]
        statuses: dict[str, dict[str, int]] = {}
        for name, status, n in self.conn.execute(
            "SELECT a.name, st.status, count(*) FROM article_status st"
            " JOIN annotators a ON a.id = st.annotator_id GROUP BY a.name, st.status"
        ):
            statuses.setdefault(name, {})[status] = n
        labels: dict[str, dict[str, int]] = {}
        for name, label, n in self.conn.execute(
            "SELECT a.name, s.label, count(*) FROM spans s"
            " JOIN annotators a ON a.id = s.annotator_id GROUP BY a.name, s.label"
        ):
            labels.setdefault(name, {})[label] = n
        for (name,) in self.conn.execute("SELECT name FROM annotators"):
            counts = statuses.setdefault(name, {})
            touched = sum(n for s, n in counts.items() if s != Status.NEW.value)
            counts[Status.NEW.value] = articles - touched
            labels.setdefault(name, {})
        return Stats(articles, sources, statuses, labels)


def open_store(db: str | os.PathLike[str] | None = None) -> Store:
    """Open the database named by ``--db``/``$NEWSMARK_DB``/default."""
    return Store(resolve_db_path(db))

