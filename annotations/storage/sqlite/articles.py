"""Articles: adding, recleaning, reading, paging and full-text search; per-source line counts."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator, Mapping

from annotations.model import Annotation, Article, ArticleRow, NewArticle
from annotations.storage.sqlite.connection import Database
from annotations.storage.types import (
    ADDED,
    DUPLICATE,
    KEPT_ANNOTATED,
    RECLEANED,
    AddResult,
    RecleanRow,
    SourceLineCounts,
    now,
)

# The cleaner version of articles imported with their annotations: their text
# is already clean, spans point into it, and ``reclean`` must leave it alone.
VERBATIM = "verbatim"

# Search ranks at most this many of the newest matches (see Articles.search).
SEARCH_WINDOW = 2000

_FTS_WORD = re.compile(r"\w+", re.UNICODE)

_SEARCH = (
    "SELECT a.id, a.title, a.source, a.published FROM articles_fts"
    " JOIN articles a ON a.id = articles_fts.rowid"
    " WHERE articles_fts MATCH :q AND articles_fts.rowid >= ("
    "  SELECT coalesce(min(rowid), 0) FROM ("
    "   SELECT rowid FROM articles_fts WHERE articles_fts MATCH :q"
    "   ORDER BY rowid DESC LIMIT :window))"
    " ORDER BY rank LIMIT :limit"
)


def plain_fts_query(query: str) -> str:
    """Turn any text into a safe FTS5 query: each word quoted, all required."""
    return " ".join(f'"{w}"' for w in _FTS_WORD.findall(query))


def verbatim_hash(text: str) -> str:
    """The content hash of an article stored verbatim (its cleaned text is its content)."""
    import hashlib  # here, not at the top: OpenSSL's load is 2 ms of the annotator's start-up

    return hashlib.sha256(f"{VERBATIM}\n{text}".encode()).hexdigest()


def _text_key(text: str) -> bytes:
    import hashlib  # see verbatim_hash

    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class Articles:
    """The articles table and its full-text index."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.search_window = SEARCH_WINDOW  # public: a test makes it tiny
        self._texts: dict[bytes, int] | None = None  # see _text_index

    def add_article(self, art: NewArticle) -> AddResult:
        """Store an article unless it is already there; return (outcome, article id).

        Same content and same cleaner version: a duplicate, nothing changes.
        Same content cleaned by an older cleaner: the new cleaned text replaces the
        old one, unless an annotator has spans in the old one, whose offsets
        would then point at the wrong words: then the old text is kept.
        """
        conn = self.db.conn
        row = conn.execute(
            "SELECT id, cleaner_version FROM articles WHERE content_hash = ?", (art.content_hash,)
        ).fetchone()
        if row is not None:
            article_id, version = row
            if version == art.cleaner_version:
                return AddResult(DUPLICATE, article_id)
            return AddResult(self.reclean(article_id, art.clean_text, art.cleaner_version), article_id)
        cur = conn.execute(
            "INSERT INTO articles (title, source, published, byline, url, external_id,"
            " content_hash, raw_format, origin, cleaner_version, imported_at, meta,"
            " clean_text, raw_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                art.title,
                art.source,
                art.published,
                art.byline,
                art.url,
                art.external_id,
                art.content_hash,
                art.raw_format,
                art.origin,
                art.cleaner_version,
                now(),
                json.dumps(dict(art.meta), ensure_ascii=False),
                art.clean_text,
                art.raw_text,
            ),
        )
        return AddResult(ADDED, int(cur.lastrowid or 0))

    def is_stored(self, content_hash: str, cleaner_version: str) -> bool:
        """Whether an article with this content, cleaned by this cleaner version, is stored."""
        row = self.db.conn.execute(
            "SELECT 1 FROM articles WHERE content_hash = ? AND cleaner_version = ?",
            (content_hash, cleaner_version),
        ).fetchone()
        return row is not None

    def reclean(self, article_id: int, clean_text: str, cleaner_version: str) -> str:
        """Replace an article's cleaned text, unless spans point into the old one."""
        with self.db.transaction() as conn:
            if conn.execute("SELECT 1 FROM spans WHERE article_id = ? LIMIT 1", (article_id,)).fetchone():
                return KEPT_ANNOTATED
            conn.execute(
                "UPDATE articles SET clean_text = ?, cleaner_version = ? WHERE id = ?",
                (clean_text, cleaner_version, article_id),
            )
            # Logged spans (a deleted one undo would restore, an undone add redo
            # would replay) point into the old text: drop them with it.
            conn.execute("DELETE FROM edits WHERE article_id = ?", (article_id,))
        return RECLEANED

    def article(self, article_id: int) -> Article | None:
        row = self.db.conn.execute(
            "SELECT id, content_hash, title, byline, source, url, published, external_id,"
            " raw_format, origin, cleaner_version, imported_at, meta, clean_text, raw_text"
            " FROM articles WHERE id = ?",
            (article_id,),
        ).fetchone()
        if row is None:
            return None
        id_, digest, title, byline, source, url, published, external_id, raw_format, origin = row[:10]
        version, imported_at, meta, clean, raw = row[10:]
        return Article(
            id_,
            digest,
            title,
            byline,
            source,
            url,
            published,
            external_id,
            raw_format,
            origin,
            version,
            imported_at,
            json.loads(meta),
            clean,
            raw,
        )

    def article_title_text(self, article_id: int) -> tuple[str | None, str]:
        """(title, cleaned text) of an article, without the raw page."""
        row = self.db.conn.execute(
            "SELECT title, clean_text FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None:
            raise KeyError(f"no article {article_id}")
        return row[0], row[1]

    def article_count(self) -> int:
        return int(self.db.conn.execute("SELECT count(*) FROM articles").fetchone()[0])

    def page(self, after_id: int = 0, limit: int = 50) -> list[ArticleRow]:
        """A page of the article list in import order, after ``after_id`` (keyset paging)."""
        rows = self.db.conn.execute(
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
        rows = self.db.conn.execute(
            "SELECT id, title, source, published FROM articles ORDER BY id LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [ArticleRow(*r) for r in rows]

    def search(self, query: str, limit: int = 50) -> list[ArticleRow]:
        """Full-text search over titles and cleaned text, best match first.

        FTS5 syntax works (``"exact phrase"``, ``idlib OR aleppo``); a query that
        is not valid FTS5 is searched as plain words instead of failing.

        Ranking is bounded: bm25 is computed over the newest ``search_window``
        matches only. A word found in most of a million articles would otherwise
        take the better part of a second to rank; a query with fewer matches is
        ranked in full. (FTS5 pushes the rowid bound into the index scan.)
        """
        params: dict[str, str | int] = {"q": query, "window": self.search_window, "limit": limit}
        try:
            rows = self.db.conn.execute(_SEARCH, params).fetchall()
        except sqlite3.OperationalError:
            params["q"] = plain_fts_query(query)
            if not params["q"]:
                return []
            rows = self.db.conn.execute(_SEARCH, params).fetchall()
        return [ArticleRow(*r) for r in rows]

    def articles_to_reclean(self, cleaner_version: str) -> Iterator[RecleanRow]:
        """(id, raw format, raw text, source) of articles cleaned by another cleaner version."""
        rows = self.db.conn.execute(
            "SELECT id, raw_format, raw_text, source FROM articles"
            " WHERE cleaner_version != ? AND cleaner_version != ?",
            (cleaner_version, VERBATIM),
        ).fetchall()
        yield from map(RecleanRow._make, rows)

    # -- repeated lines per source (corpus boilerplate) ----------------------

    def source_line_counts(self, source: str) -> SourceLineCounts:
        """(articles seen from ``source``, line -> how many of them contain it)."""
        conn = self.db.conn
        row = conn.execute("SELECT articles FROM sources WHERE name = ?", (source,)).fetchone()
        lines = dict(conn.execute("SELECT line, articles FROM source_lines WHERE source = ?", (source,)))
        return SourceLineCounts(row[0] if row else 0, lines)

    def add_source_line_counts(self, source: str, articles: int, lines: Mapping[str, int]) -> None:
        """Add a batch's counts for ``source`` to the stored ones."""
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO sources (name, articles) VALUES (?, ?)"
                " ON CONFLICT (name) DO UPDATE SET articles = articles + excluded.articles",
                (source, articles),
            )
            conn.executemany(
                "INSERT INTO source_lines (source, line, articles) VALUES (?, ?, ?)"
                " ON CONFLICT (source, line) DO UPDATE SET articles = articles + excluded.articles",
                ((source, line, n) for line, n in lines.items()),
            )

    # -- the article of an imported annotation ---------------------------------

    def article_with_text(self, ann: Annotation) -> int:
        """The id of the article an imported annotation belongs to, added verbatim if none has its text.

        The one under ``ann.article_id`` if its text matches, else any article
        with the same text, else a new one (under ``ann.article_id`` if free).
        """
        conn = self.db.conn
        if ann.article_id is not None:
            row = conn.execute(
                "SELECT clean_text = ? FROM articles WHERE id = ?", (ann.text, ann.article_id)
            ).fetchone()
            if row is not None and row[0]:
                return ann.article_id
        digest = verbatim_hash(ann.text)
        row = conn.execute("SELECT id FROM articles WHERE content_hash = ?", (digest,)).fetchone()
        if row is not None:
            return int(row[0])
        found = self._text_index().get(_text_key(ann.text))
        if found is not None:
            return found
        free = (
            ann.article_id is not None
            and ann.article_id > 0
            and conn.execute("SELECT 1 FROM articles WHERE id = ?", (ann.article_id,)).fetchone() is None
        )
        cur = conn.execute(
            "INSERT INTO articles (id, title, source, published, url, content_hash, raw_format,"
            " origin, cleaner_version, imported_at, clean_text, raw_text)"
            " VALUES (?, ?, ?, ?, ?, ?, 'text', ?, ?, ?, ?, ?)",
            (
                ann.article_id if free else None,
                ann.title,
                ann.source,
                ann.published,
                ann.url,
                digest,
                "import of annotations",
                VERBATIM,
                now(),
                ann.text,
                ann.text,
            ),
        )
        return int(cur.lastrowid or 0)

    def _text_index(self) -> dict[bytes, int]:
        """Every article's cleaned text (as a digest) -> its id, built once per Store.

        For an import whose article ids do not match this database (another
        copy of the corpus): one pass over all the text, only when needed.
        """
        if self._texts is None:
            self._texts = {
                _text_key(text): id_
                for id_, text in self.db.conn.execute("SELECT id, clean_text FROM articles")
            }
        return self._texts
