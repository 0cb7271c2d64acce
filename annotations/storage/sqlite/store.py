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

import hashlib
import json
import os
import re
import sqlite3
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite_utils

from annotations.model import (
    VIEWS,
    Annotation,
    Article,
    ArticleRow,
    AttributeKey,
    Edit,
    ListRow,
    NewArticle,
    Span,
    SpanData,
    Status,
    attribute_key,
)
from annotations.storage.sqlite.migrations import migrate

DEFAULT_DB = "newsmark.db"
DB_ENV = "NEWSMARK_DB"


def resolve_db_path(db: str | os.PathLike[str] | None) -> Path:
    """``--db``, else ``$NEWSMARK_DB``, else ``./newsmark.db``."""
    return Path(db or os.environ.get(DB_ENV) or DEFAULT_DB)


def stamp(moment: datetime) -> str:
    """A time as the store keeps it: ISO 8601 in UTC, milliseconds, ``Z`` (sorts as text)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now() -> str:
    return stamp(datetime.now(UTC))


# What happened to an article handed to Store.add_article.
ADDED, DUPLICATE, RECLEANED, KEPT_ANNOTATED = "added", "duplicate", "recleaned", "kept"

# The cleaner version of articles imported with their annotations: their text
# is already clean, spans point into it, and ``reclean`` must leave it alone.
VERBATIM = "verbatim"


@dataclass(frozen=True, slots=True)
class Stats:
    articles: int
    sources: int
    statuses: dict[str, dict[str, int]]  # annotator -> status -> count
    labels: dict[str, dict[str, int]]  # annotator -> label -> count
    clitic_ends: dict[str, int] = field(default_factory=dict)  # annotator -> spans ending in "'s"


# Search ranks at most this many of the newest matches (see Store.search).
SEARCH_WINDOW = 2000

_FTS_WORD = re.compile(r"\w+", re.UNICODE)


# Statuses that take an article out of the "todo" view; views named after a status.
_FINISHED = "'done', 'skipped', 'flagged', 'reviewed'"
_STATUS_VIEWS = frozenset({"done", "skipped", "flagged", "reviewed"})
REVIEW_VIEWS = ("review", "reviewed", "all")  # a reviewer's list: to review, reviewed, all
_IN_CHUNK = 500  # ids per IN (...) list, well under SQLite's variable limit


def _chunks(ids: Sequence[int]) -> Iterator[tuple[list[int], str]]:
    """``ids`` in slices small enough for one ``IN (...)``, each with its ``?, ?, ...``."""
    for lo in range(0, len(ids), _IN_CHUNK):
        chunk = [int(i) for i in ids[lo : lo + _IN_CHUNK]]
        yield chunk, ", ".join("?" * len(chunk))


def _column(rows: Iterable[tuple[Any, ...]]) -> Iterator[Any]:
    return (r[0] for r in rows)


_SPAN_SELECT = (
    'SELECT s.id, s.article_id, a.name, s.start, s."end", s.label, s.text, s.attributes,'
    " s.created_at, s.updated_at FROM spans s JOIN annotators a ON a.id = s.annotator_id"
)
# A new span (its id from SQLite); the undo log's re-insert keeps its old id instead.
_SPAN_INSERT = (
    'INSERT INTO spans (article_id, annotator_id, start, "end", label, text, attributes,'
    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# The batch last: _edit_from_row reads the first seven, _step the batch too.
_EDIT_SELECT = 'SELECT id, article_id, kind, "before", "after", undone, created_at, batch FROM edits'


def _span_from_row(row: tuple[Any, ...]) -> Span:
    return Span(*row[:7], json.loads(row[7]), *row[8:])


def _span_dict(span: Span) -> dict[str, Any]:
    """A span as the undo log keeps it (the annotator is the edit's own)."""
    return {
        "id": span.id,
        "article_id": span.article_id,
        "start": span.start,
        "end": span.end,
        "label": span.label,
        "text": span.text,
        "attributes": span.attributes,
        "created_at": span.created_at,
        "updated_at": span.updated_at,
    }


def _json_or_none(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _edit_from_row(annotator: str, row: tuple[Any, ...]) -> Edit:
    id_, article_id, kind, before, after, undone, created_at = row[:7]
    return Edit(
        id_,
        annotator,
        article_id,
        kind,
        None if before is None else json.loads(before),
        None if after is None else json.loads(after),
        bool(undone),
        created_at,
    )


def plain_fts_query(query: str) -> str:
    """Turn any text into a safe FTS5 query: each word quoted, all required."""
    return " ".join(f'"{w}"' for w in _FTS_WORD.findall(query))


class Store:
    """A newsmark database: open it, and it is migrated and ready."""

    def __init__(
        self, path: str | os.PathLike[str], *, check_same_thread: bool = True, durable: bool = False
    ) -> None:
        """Open (creating and migrating) the database at ``path``.

        ``durable=True`` fsyncs every commit (``synchronous = FULL``): the
        annotator app wants a span on disk once it is drawn, even if the machine
        loses power. Imports keep the default NORMAL (WAL), which is much faster
        and loses at most the last commits on power loss, never consistency.
        """
        self.path = Path(path)
        if self.path.parent and not self.path.parent.exists():
            raise FileNotFoundError(f"folder for database does not exist: {self.path.parent}")
        # Autocommit mode: transactions are opened explicitly by transaction().
        self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=check_same_thread)
        self.conn.execute("PRAGMA journal_mode = WAL")
        # NORMAL: consistent in WAL, fsync at checkpoints; FULL: fsync every commit.
        self.conn.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
        self.conn.execute("PRAGMA foreign_keys = ON")
        self.conn.execute("PRAGMA busy_timeout = 5000")  # several annotators share one file
        migrate(self.conn)
        self._annotator_ids: dict[str, int] = {}  # name -> id, committed rows only
        self._texts: dict[bytes, int] | None = None  # see _text_index
        self._grouping = False  # inside edit_group()
        self._batch: int | None = None  # the open group's id: its first edit's

    @cached_property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils on the same connection, for introspection and ad-hoc reads.

        Imported on first use: sqlite-utils pulls in numpy (about 90 ms), which
        the annotator's start-up does not need.
        """
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

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

    @contextmanager
    def edit_group(self) -> Iterator[None]:
        """Everything logged inside is one undo step, in one transaction.

        Accepting a reviewer's choice deletes some spans, adds others and
        records the decision; one ``u`` must take all of it back.
        """
        if self._grouping:  # nested: part of the outer group
            yield
            return
        with self.transaction():
            self._grouping, self._batch = True, None
            try:
                yield
            finally:
                self._grouping, self._batch = False, None

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
            # Logged spans (a deleted one undo would restore, an undone add redo
            # would replay) point into the old text: drop them with it.
            self.conn.execute("DELETE FROM edits WHERE article_id = ?", (article_id,))
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
            "SELECT id, raw_format, raw_text, source FROM articles"
            " WHERE cleaner_version != ? AND cleaner_version != ?",
            (cleaner_version, VERBATIM),
        ).fetchall()

    # -- repeated lines per source (corpus boilerplate) ----------------------

    def source_line_counts(self, source: str) -> tuple[int, dict[str, int]]:
        """(articles seen from ``source``, line -> how many of them contain it)."""
        row = self.conn.execute("SELECT articles FROM sources WHERE name = ?", (source,)).fetchone()
        lines = dict(self.conn.execute("SELECT line, articles FROM source_lines WHERE source = ?", (source,)))
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
        found = self._known_annotator_id(name)
        if found is not None:
            return found
        with self.transaction():
            self.conn.execute(
                "INSERT OR IGNORE INTO annotators (name, created_at) VALUES (?, ?)", (name, now())
            )
        found = self._known_annotator_id(name)
        assert found is not None
        return found

    def _known_annotator_id(self, name: str) -> int | None:
        """The id of ``name`` without creating it, so that reads never write (None: unknown).

        Cached per Store: the list asks for it on every screenful. Only ids
        read outside a transaction are cached, as an open one may roll back.
        """
        cached = self._annotator_ids.get(name)
        if cached is not None:
            return cached
        row = self.conn.execute("SELECT id FROM annotators WHERE name = ?", (name,)).fetchone()
        if row is None:
            return None
        if not self.conn.in_transaction:
            self._annotator_ids[name] = row[0]
        return row[0]

    def add_span(
        self,
        article_id: int,
        annotator: str,
        start: int,
        end: int,
        label: str,
        attributes: Mapping[str, Any] | None = None,
    ) -> Span:
        """Save a span at once (one transaction, with its undo entry); offsets are checked."""
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
                _SPAN_INSERT, (article_id, annotator_id, start, end, label, text, attrs, stamp, stamp)
            )
            span = Span(
                int(cur.lastrowid),
                article_id,
                annotator,
                start,
                end,
                label,
                text,
                dict(attributes or {}),
                stamp,
                stamp,
            )
            self._record(annotator_id, article_id, "add_span", None, _span_dict(span))
        return span

    def span(self, span_id: int) -> Span | None:
        rows = self.conn.execute(_SPAN_SELECT + " WHERE s.id = ?", (span_id,))
        return next((_span_from_row(r) for r in rows), None)

    def spans(self, article_id: int, annotator: str | None = None) -> list[Span]:
        sql = _SPAN_SELECT + " WHERE s.article_id = ?"
        params: list[Any] = [article_id]
        if annotator is not None:
            sql += " AND a.name = ?"
            params.append(annotator)
        rows = self.conn.execute(sql + ' ORDER BY s.start, s."end", s.id', params)
        return [_span_from_row(r) for r in rows]

    def delete_span(self, span_id: int) -> Span | None:
        """Delete a span, logged for undo; return it (None, and nothing logged, if absent)."""
        with self.transaction():
            span = self.span(span_id)
            if span is None:
                return None
            self.conn.execute("DELETE FROM spans WHERE id = ?", (span_id,))
            self._record(
                self.annotator_id(span.annotator), span.article_id, "delete_span", _span_dict(span), None
            )
        return span

    def update_span(
        self, span_id: int, *, label: str | None = None, attributes: Mapping[str, Any] | None = None
    ) -> Span:
        """Relabel a span and/or replace its attributes, logged for undo.

        Offsets never change here (that is a delete and an add). A change to
        nothing is not logged, so undo never seems to do nothing.
        """
        with self.transaction():
            old = self.span(span_id)
            if old is None:
                raise KeyError(f"no span {span_id}")
            new_label = old.label if label is None else label
            new_attrs = old.attributes if attributes is None else dict(attributes)
            if new_label == old.label and new_attrs == old.attributes:
                return old
            stamp = now()
            self.conn.execute(
                "UPDATE spans SET label = ?, attributes = ?, updated_at = ? WHERE id = ?",
                (new_label, json.dumps(new_attrs, ensure_ascii=False), stamp, span_id),
            )
            new = replace(old, label=new_label, attributes=new_attrs, updated_at=stamp)
            self._record(
                self.annotator_id(old.annotator),
                old.article_id,
                "update_span",
                _span_dict(old),
                _span_dict(new),
            )
        return new

    def set_status(
        self, article_id: int, annotator: str, status: Status | str, *, record: bool = True
    ) -> None:
        """Set one annotator's status of an article.

        ``record=False`` is for automatic changes (marking an article in
        progress when it is opened): no undo entry, and the redo stack is kept.
        Setting the status it already has logs nothing.
        """
        status = Status(status)
        annotator_id = self.annotator_id(annotator)
        with self.transaction():
            row = self.conn.execute(
                "SELECT status FROM article_status WHERE article_id = ? AND annotator_id = ?",
                (article_id, annotator_id),
            ).fetchone()
            old = row[0] if row else None
            if old == status.value:
                return
            self._write_status(article_id, annotator_id, status.value)
            if record:
                self._record(
                    annotator_id, article_id, "set_status", {"status": old}, {"status": status.value}
                )

    def status(self, article_id: int, annotator: str) -> Status:
        row = self.conn.execute(
            "SELECT st.status FROM article_status st JOIN annotators a ON a.id = st.annotator_id"
            " WHERE st.article_id = ? AND a.name = ?",
            (article_id, annotator),
        ).fetchone()
        return Status(row[0]) if row else Status.NEW

    def _write_status(self, article_id: int, annotator_id: int, status: str | None) -> None:
        """Upsert a status row; ``None`` removes it (the article is ``new`` again)."""
        if status is None:
            self.conn.execute(
                "DELETE FROM article_status WHERE article_id = ? AND annotator_id = ?",
                (article_id, annotator_id),
            )
            return
        self.conn.execute(
            "INSERT INTO article_status (article_id, annotator_id, status, updated_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (article_id, annotator_id)"
            " DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at",
            (article_id, annotator_id, status, now()),
        )

    # -- undo log -------------------------------------------------------------------

    def _record(
        self,
        annotator_id: int,
        article_id: int,
        kind: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        """Log an action (inside the caller's transaction); a new action drops the redo stack."""
        self.conn.execute("DELETE FROM edits WHERE annotator_id = ? AND undone = 1", (annotator_id,))
        cur = self.conn.execute(
            'INSERT INTO edits (annotator_id, article_id, kind, "before", "after", undone, created_at,'
            " batch) VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
            (annotator_id, article_id, kind, _json_or_none(before), _json_or_none(after), now(), self._batch),
        )
        if self._grouping and self._batch is None:  # the first edit of a group names it
            self._batch = int(cur.lastrowid)
            self.conn.execute("UPDATE edits SET batch = id WHERE id = ?", (self._batch,))

    def undo(self, annotator: str) -> Edit | None:
        """Revert the annotator's newest action not yet undone; None if there is none."""
        return self._step(annotator, undo=True)

    def redo(self, annotator: str) -> Edit | None:
        """Re-apply the annotator's oldest undone action; None if there is none."""
        return self._step(annotator, undo=False)

    def edits(self, annotator: str) -> list[Edit]:
        """The annotator's whole log, oldest first (undone entries are the redo stack)."""
        annotator_id = self._known_annotator_id(annotator)
        if annotator_id is None:
            return []
        rows = self.conn.execute(
            _EDIT_SELECT + " WHERE annotator_id = ? ORDER BY id", (annotator_id,)
        ).fetchall()
        return [_edit_from_row(annotator, r) for r in rows]

    def _step(self, annotator: str, *, undo: bool) -> Edit | None:
        annotator_id = self._known_annotator_id(annotator)
        if annotator_id is None:
            return None
        # Undo takes the newest live edit, redo the oldest undone one: the redo
        # stack replays in the order the actions were first made.
        order = "DESC" if undo else "ASC"
        with self.transaction():
            row = self.conn.execute(
                _EDIT_SELECT + f" WHERE annotator_id = ? AND undone = ? ORDER BY id {order} LIMIT 1",
                (annotator_id, 0 if undo else 1),
            ).fetchone()
            if row is None:
                return None
            batch = row[7]
            rows = (
                [row]
                if batch is None
                else self.conn.execute(
                    _EDIT_SELECT
                    + f" WHERE annotator_id = ? AND undone = ? AND batch = ? ORDER BY id {order}",
                    (annotator_id, 0 if undo else 1, batch),
                ).fetchall()
            )
            edits = [_edit_from_row(annotator, r) for r in rows]
            for edit in edits:
                self._apply_logged(edit, annotator_id, undo=undo)
        # A group is reported by its decision when it has one (what the reviewer did).
        shown = next((e for e in edits if e.kind == "decide"), edits[0])
        return replace(shown, undone=undo)

    def _apply_logged(self, edit: Edit, annotator_id: int, *, undo: bool) -> None:
        """Put back the state before (undo) or after (redo) one logged edit."""
        state = edit.before if undo else edit.after
        if edit.kind == "decide":
            assert state is not None
            self._write_decision(edit.article_id, annotator_id, state)
        elif edit.kind == "set_status":
            assert state is not None
            self._write_status(edit.article_id, annotator_id, state["status"])
        elif state is None:  # undo an add, redo a delete: the span goes
            gone = edit.after if undo else edit.before
            assert gone is not None
            self.conn.execute("DELETE FROM spans WHERE id = ?", (gone["id"],))
        else:  # undo a delete or an update, redo an add or an update: write the span as it was
            self.conn.execute(
                'INSERT INTO spans (id, article_id, annotator_id, start, "end", label, text,'
                " attributes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET label = excluded.label,"
                " attributes = excluded.attributes, updated_at = excluded.updated_at",
                (
                    state["id"],
                    state["article_id"],
                    annotator_id,
                    state["start"],
                    state["end"],
                    state["label"],
                    state["text"],
                    json.dumps(state["attributes"], ensure_ascii=False),
                    state["created_at"],
                    state["updated_at"],
                ),
            )
        self.conn.execute("UPDATE edits SET undone = ? WHERE id = ?", (int(undo), edit.id))

    # -- review ------------------------------------------------------------------
    #
    # A reviewer settles what the annotators made differently. The reviewer's
    # outcome is an annotation like any other (spans under the reviewer's name,
    # status "reviewed"); review_decisions records which disagreements are
    # settled, and how, so the reviewer can stop and come back.

    def _review_filter(self, reviewer: str, annotators: Sequence[str]) -> tuple[str, list[Any]]:
        """SQL (on ``st``, article_status) for "done by one of ``annotators``, not the reviewer"."""
        reviewer_id = self._known_annotator_id(reviewer) or -1
        if annotators:
            ids = [i for i in (self._known_annotator_id(a) for a in annotators) if i is not None]
            ids = [i for i in ids if i != reviewer_id] or [-1]
            return f"st.annotator_id IN ({', '.join('?' * len(ids))})", ids
        return "st.annotator_id != ?", [reviewer_id]

    def review_ids(
        self,
        reviewer: str,
        annotators: Sequence[str] = (),
        view: str = "review",
        after_id: int = 0,
        limit: int = -1,
    ) -> list[int]:
        """Articles done by two or more of ``annotators`` (default: anyone but the reviewer).

        ``view``: "review" (not yet reviewed by ``reviewer``), "reviewed", or
        "all"; in article order, after ``after_id``, at most ``limit`` (-1: all).
        Grouped on the status table's primary key, so a page stops early.
        """
        if view not in REVIEW_VIEWS:
            raise ValueError(f"unknown review view {view!r}; one of {', '.join(REVIEW_VIEWS)}")
        where, params = self._review_filter(reviewer, annotators)
        sql = (
            f"SELECT st.article_id FROM article_status st WHERE st.status = 'done' AND {where}"
            " AND st.article_id > ? GROUP BY st.article_id HAVING count(*) >= 2"
        )
        params.append(after_id)
        if view != "all":
            sql += (
                f" AND {'NOT ' if view == 'review' else ''}EXISTS (SELECT 1 FROM article_status r"
                " WHERE r.article_id = st.article_id AND r.annotator_id = ? AND r.status = 'reviewed')"
            )
            params.append(self._known_annotator_id(reviewer) or -1)
        sql += " ORDER BY st.article_id LIMIT ?"
        return list(_column(self.conn.execute(sql, (*params, limit))))

    def reviewed_count(self, reviewer: str, annotators: Sequence[str] = ()) -> int:
        """How many articles of the review queue ``reviewer`` marked reviewed.

        ``len(review_ids(..., "reviewed"))`` without walking the whole queue: the
        reviewer's status index, then a primary-key probe per reviewed article.
        """
        where, params = self._review_filter(reviewer, annotators)
        return self.conn.execute(
            "SELECT count(*) FROM article_status r WHERE r.annotator_id = ? AND r.status = 'reviewed'"
            " AND (SELECT count(*) FROM article_status st WHERE st.article_id = r.article_id"
            f" AND st.status = 'done' AND {where}) >= 2",
            (self._known_annotator_id(reviewer) or -1, *params),
        ).fetchone()[0]

    def review_work(
        self, article_id: int, reviewer: str, annotators: Sequence[str] = ()
    ) -> dict[str, list[Span]]:
        """annotator -> spans, for the annotators (not the reviewer) who marked the article done."""
        where, params = self._review_filter(reviewer, annotators)
        names = [
            n
            for (n,) in self.conn.execute(
                "SELECT an.name FROM article_status st JOIN annotators an ON an.id = st.annotator_id"
                f" WHERE st.article_id = ? AND st.status = 'done' AND {where} ORDER BY an.name",
                (article_id, *params),
            )
        ]
        work: dict[str, list[Span]] = {n: [] for n in names}
        for span in self.spans(article_id):
            if span.annotator in work:
                work[span.annotator].append(span)
        return work

    def start_review(self, article_id: int, reviewer: str, spans: Sequence[SpanData]) -> bool:
        """Begin the reviewer's annotation with ``spans`` (those all annotators agree on).

        Only the first time (the reviewer has no status on the article yet);
        not in the undo log, like the automatic "in progress". True if started.
        """
        reviewer_id = self.annotator_id(reviewer)
        with self.transaction():
            if self.conn.execute(
                "SELECT 1 FROM article_status WHERE article_id = ? AND annotator_id = ?",
                (article_id, reviewer_id),
            ).fetchone():
                return False
            stamp = now()
            self.conn.executemany(
                _SPAN_INSERT,
                [
                    (
                        article_id,
                        reviewer_id,
                        s.start,
                        s.end,
                        s.label,
                        s.text,
                        json.dumps(dict(s.attributes), ensure_ascii=False),
                        stamp,
                        stamp,
                    )
                    for s in spans
                ],
            )
            self._write_status(article_id, reviewer_id, Status.IN_PROGRESS.value)
        return True

    def decisions(self, article_id: int, reviewer: str) -> dict[tuple[int, int], str]:
        """(start, end) of each settled disagreement -> how: an annotator's name, or a word."""
        reviewer_id = self._known_annotator_id(reviewer) or -1
        return {
            (s, e): c
            for s, e, c in self.conn.execute(
                'SELECT start, "end", choice FROM review_decisions WHERE article_id = ? AND reviewer_id = ?',
                (article_id, reviewer_id),
            )
        }

    def decide(self, article_id: int, reviewer: str, start: int, end: int, choice: str) -> None:
        """Record how the disagreement over ``start:end`` was settled, logged for undo."""
        reviewer_id = self.annotator_id(reviewer)
        with self.transaction():
            old = self.decisions(article_id, reviewer).get((start, end))
            if old == choice:
                return
            self._write_decision(article_id, reviewer_id, {"start": start, "end": end, "choice": choice})
            self._record(
                reviewer_id,
                article_id,
                "decide",
                {"start": start, "end": end, "choice": old},
                {"start": start, "end": end, "choice": choice},
            )

    def _write_decision(self, article_id: int, reviewer_id: int, state: Mapping[str, Any]) -> None:
        if state["choice"] is None:
            self.conn.execute(
                "DELETE FROM review_decisions WHERE article_id = ? AND reviewer_id = ? AND start = ?"
                ' AND "end" = ?',
                (article_id, reviewer_id, state["start"], state["end"]),
            )
            return
        self.conn.execute(
            'INSERT INTO review_decisions (article_id, reviewer_id, start, "end", choice, decided_at)'
            ' VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (article_id, reviewer_id, start, "end")'
            " DO UPDATE SET choice = excluded.choice, decided_at = excluded.decided_at",
            (article_id, reviewer_id, state["start"], state["end"], state["choice"], now()),
        )

    # -- the article list, per annotator ----------------------------------------
    #
    # The app shows a virtual list over up to a million articles: it takes a
    # view's ids once (list_ids), pages through them by position in memory, and
    # asks list_rows for the ~50 rows on screen. Nothing here uses OFFSET.

    def list_ids(self, annotator: str, view: str = "all") -> array[int]:
        """Ids of the articles in ``view`` (see ``VIEWS``), in article id order.

        Status views read the ``article_status_by_annotator`` index alone. "all"
        and "todo" need every article id: see :meth:`_unsorted_ids`; "todo" is
        those minus the annotator's done/skipped/flagged ids, filtered in Python
        with a set (on 1,000,000 articles about 0.22 s, against 0.33 s for SQL
        ``NOT IN``, 0.8-1.0 s for ``EXCEPT`` and 1.2 s for a ``NOT EXISTS``
        probe per article).

        For an annotator with assignments, "todo" also leaves out the articles
        assigned only to others (see :meth:`_others_only_sql`); without any,
        it is exactly as before, at the cost of one EXISTS probe.
        """
        annotator_id = self._view_annotator(annotator, view)
        if view in _STATUS_VIEWS:
            return array(
                "q",
                _column(
                    self.conn.execute(
                        "SELECT article_id FROM article_status WHERE annotator_id = ? AND status = ?"
                        " ORDER BY article_id",
                        (annotator_id, view),
                    )
                ),
            )
        ids = self._unsorted_ids()
        if view == "todo":
            finished = set(
                _column(
                    self.conn.execute(
                        "SELECT article_id FROM article_status"
                        f" WHERE annotator_id = ? AND status IN ({_FINISHED})",
                        (annotator_id,),
                    )
                )
            )
            if self._has_assignments(annotator_id):
                finished.update(
                    _column(self.conn.execute(self._others_only_sql(), (annotator_id, annotator_id)))
                )
            if finished:
                ids = [i for i in ids if i not in finished]
        ids.sort()
        return array("q", ids)

    def _unsorted_ids(self) -> list[int]:
        """Every article id, in no particular order.

        No ORDER BY on purpose: in id order SQLite walks the table itself, whose
        leaf pages are mostly article text (1.3 s on 1,000,000 articles);
        unordered, it reads the smallest covering index (``articles_source``:
        a source name and an id per entry), and the ids, already sorted within
        each source, sort fast in Python. One JSON array instead of a million
        rows through the cursor: about 0.2 s in all, against 0.34 s.
        """
        (ids,) = self.conn.execute("SELECT json_group_array(id) FROM articles").fetchone()
        return json.loads(ids)

    def ids_after(self, annotator: str, view: str, after_id: int, limit: int) -> list[int]:
        """Up to ``limit`` ids of ``view`` after ``after_id``, ascending (keyset paging).

        Lets the app draw the first screen before :meth:`list_ids` is back.
        """
        return self._ids_from(annotator, view, after_id, limit, ascending=True)

    def ids_before(self, annotator: str, view: str, before_id: int, limit: int) -> list[int]:
        """Up to ``limit`` ids of ``view`` just before ``before_id``, in ascending order."""
        ids = self._ids_from(annotator, view, before_id, limit, ascending=False)
        ids.reverse()
        return ids

    def _ids_from(self, annotator: str, view: str, key: int, limit: int, *, ascending: bool) -> list[int]:
        annotator_id = self._view_annotator(annotator, view)
        cmp, order = (">", "ASC") if ascending else ("<", "DESC")
        if view in _STATUS_VIEWS:
            sql = (
                f"SELECT article_id FROM article_status WHERE annotator_id = ? AND status = ?"
                f" AND article_id {cmp} ? ORDER BY article_id {order} LIMIT ?"
            )
            params: tuple[Any, ...] = (annotator_id, view, key, limit)
        elif view == "all":
            sql = f"SELECT id FROM articles WHERE id {cmp} ? ORDER BY id {order} LIMIT ?"
            params = (key, limit)
        elif not self._has_assignments(annotator_id):
            # todo: a primary-key probe per article passed, only as far as the page reaches
            sql = (
                f"SELECT id FROM articles a WHERE id {cmp} ? AND NOT EXISTS ("
                f" SELECT 1 FROM article_status st WHERE st.article_id = a.id"
                f" AND st.annotator_id = ? AND st.status IN ({_FINISHED}))"
                f" ORDER BY id {order} LIMIT ?"
            )
            params = (key, annotator_id, limit)
        else:  # todo with assignments: also theirs, or nobody's (two more index probes)
            sql = (
                f"SELECT id FROM articles a WHERE id {cmp} ? AND NOT EXISTS ("
                f" SELECT 1 FROM article_status st WHERE st.article_id = a.id"
                f" AND st.annotator_id = ? AND st.status IN ({_FINISHED}))"
                " AND (EXISTS (SELECT 1 FROM assignments s"
                "  WHERE s.annotator_id = ? AND s.article_id = a.id)"
                "  OR NOT EXISTS (SELECT 1 FROM assignments s WHERE s.article_id = a.id))"
                f" ORDER BY id {order} LIMIT ?"
            )
            params = (key, annotator_id, annotator_id, limit)
        return list(_column(self.conn.execute(sql, params)))

    def list_rows(self, annotator: str, ids: Sequence[int]) -> list[ListRow]:
        """The list rows for ``ids`` (a screenful), in the order given; unknown ids are left out."""
        annotator_id = self._known_annotator_id(annotator) or -1
        found: dict[int, ListRow] = {}
        for chunk, marks in _chunks(ids):
            rows = self.conn.execute(
                "SELECT a.id, a.title, a.source, a.published, st.status,"
                " (SELECT count(*) FROM spans s WHERE s.article_id = a.id AND s.annotator_id = ?)"
                " FROM articles a LEFT JOIN article_status st"
                "  ON st.article_id = a.id AND st.annotator_id = ?"
                f" WHERE a.id IN ({marks})",
                (annotator_id, annotator_id, *chunk),
            )
            for id_, title, source, published, status, spans in rows:
                found[id_] = ListRow(
                    id_, title, source, published, Status(status) if status else Status.NEW, spans
                )
        return [found[i] for i in ids if i in found]

    def progress(self, annotator: str) -> tuple[int, int]:
        """(articles this annotator has marked done, all articles)."""
        return self.view_count(annotator, "done"), self.article_count()

    def view_count(self, annotator: str, view: str) -> int:
        """How many articles ``view`` holds for this annotator, without listing them."""
        annotator_id = self._view_annotator(annotator, view)
        if view == "all":
            return self.article_count()
        if view in _STATUS_VIEWS:
            sql, params = (
                "SELECT count(*) FROM article_status WHERE annotator_id = ? AND status = ?",
                (annotator_id, view),
            )
            return self.conn.execute(sql, params).fetchone()[0]
        finished = self.conn.execute(
            f"SELECT count(*) FROM article_status WHERE annotator_id = ? AND status IN ({_FINISHED})",
            (annotator_id,),
        ).fetchone()[0]
        if self._has_assignments(annotator_id):  # less the unfinished ones only others were given
            finished += self.conn.execute(
                f"SELECT count(*) FROM ({self._others_only_sql()}) o WHERE NOT EXISTS ("
                " SELECT 1 FROM article_status st WHERE st.article_id = o.article_id"
                f" AND st.annotator_id = ? AND st.status IN ({_FINISHED}))",
                (annotator_id, annotator_id, annotator_id),
            ).fetchone()[0]
        return self.article_count() - finished

    def next_todo(self, annotator: str, after_id: int) -> int | None:
        """The first "todo" article after ``after_id``, wrapping round to the start.

        An annotator with assignments gets their own unfinished assigned
        articles first (after ``after_id``, wrapping), and only when those are
        all finished the unassigned ones: their queue before the common pool.

        ``after_id`` itself comes back only if it is the one todo article left
        (of their own queue, for an annotator with assignments); None when
        there is nothing left to do.
        """
        annotator_id = self._known_annotator_id(annotator)
        if annotator_id is not None and self._has_assignments(annotator_id):
            own = (
                f"SELECT s.article_id FROM assignments s WHERE s.annotator_id = ?"
                " AND s.article_id > ? AND NOT EXISTS (SELECT 1 FROM article_status st"
                "  WHERE st.article_id = s.article_id AND st.annotator_id = s.annotator_id"
                f"  AND st.status IN ({_FINISHED})) ORDER BY s.article_id LIMIT 1"
            )
            for key in (after_id, 0):
                row = self.conn.execute(own, (annotator_id, key)).fetchone()
                if row is not None:
                    return row[0]
            # Their queue is finished: what is left in "todo" is unassigned.
        ids = self.ids_after(annotator, "todo", after_id, 1) or self.ids_after(annotator, "todo", 0, 1)
        return ids[0] if ids else None

    def _view_annotator(self, annotator: str, view: str) -> int:
        """The annotator's id for a list query; -1 (matching nothing) if they never wrote."""
        if view not in VIEWS:
            raise ValueError(f"unknown view {view!r}; one of {', '.join(VIEWS)}")
        annotator_id = self._known_annotator_id(annotator)
        return -1 if annotator_id is None else annotator_id

    # -- export and import of annotations -------------------------------------
    #
    # Export reads in two steps so that it can stream and split the work: the
    # keys (which annotator's work on which article) first, then the articles
    # and spans for a batch of keys at a time.

    def export_keys(
        self,
        *,
        annotators: Sequence[str] = (),
        statuses: Sequence[str] | None = ("done",),
        since: str | None = None,
    ) -> list[tuple[int, int, str, str, str]]:
        """(article id, annotator id, annotator, status, status time) of the work to export.

        Ordered by article id, then annotator name. ``statuses=None`` takes
        everything, including spans an annotator left without a status
        (counted as in progress). ``since`` (ISO 8601, UTC) keeps the work
        changed at or after it: its status or any of its spans.
        """
        if statuses is None or Status.IN_PROGRESS.value in statuses:
            pairs = (
                "SELECT article_id, annotator_id FROM article_status"
                " UNION SELECT article_id, annotator_id FROM spans"
            )
        else:
            pairs = "SELECT article_id, annotator_id FROM article_status"
        sql = (
            "SELECT p.article_id, p.annotator_id, an.name,"
            f" coalesce(st.status, '{Status.IN_PROGRESS.value}'), coalesce(st.updated_at, '')"
            f" FROM ({pairs}) p JOIN annotators an ON an.id = p.annotator_id"
            " LEFT JOIN article_status st"
            "  ON st.article_id = p.article_id AND st.annotator_id = p.annotator_id"
            " WHERE 1"
        )
        params: list[Any] = []
        if annotators:
            sql += f" AND an.name IN ({', '.join('?' * len(annotators))})"
            params += annotators
        if statuses is not None:
            sql += f" AND coalesce(st.status, '{Status.IN_PROGRESS.value}') IN ({', '.join('?' * len(statuses))})"
            params += statuses
        if since is not None:
            sql += (
                " AND (st.updated_at >= ? OR EXISTS (SELECT 1 FROM spans s"
                "  WHERE s.article_id = p.article_id AND s.annotator_id = p.annotator_id"
                "  AND s.updated_at >= ?))"
            )
            params += (since, since)
        return self.conn.execute(sql + " ORDER BY p.article_id, an.name", params).fetchall()

    def attribute_names(self) -> list[str]:
        """Every attribute key any saved span has (the export gives every span them all)."""
        return [
            row[0]
            for row in self.conn.execute(
                "SELECT DISTINCT j.key FROM spans, json_each(spans.attributes) j"
                " WHERE spans.attributes <> '{}' ORDER BY 1"
            )
        ]

    def export_annotations(
        self,
        keys: Sequence[tuple[int, int, str, str, str]],
        *,
        labels: Sequence[str] = (),
    ) -> list[Annotation]:
        """The :class:`Annotation` for each key from :meth:`export_keys`, in the same order.

        ``labels`` keeps only spans with those labels (the work's time still
        counts every span). Spans come sorted by start, then end.
        """
        ids = sorted({k[0] for k in keys})
        articles: dict[int, tuple[Any, ...]] = {}
        spans: dict[tuple[int, int], list[tuple[Any, ...]]] = {}
        for chunk, marks in _chunks(ids):
            for row in self.conn.execute(
                f"SELECT id, title, source, url, published, clean_text FROM articles WHERE id IN ({marks})",
                chunk,
            ):
                articles[row[0]] = row
            for row in self.conn.execute(
                'SELECT article_id, annotator_id, start, "end", label, text, attributes, updated_at'
                f' FROM spans WHERE article_id IN ({marks}) ORDER BY article_id, start, "end", id',
                chunk,
            ):
                spans.setdefault((row[0], row[1]), []).append(row)
        wanted = frozenset(labels)
        out: list[Annotation] = []
        for article_id, annotator_id, annotator, status, status_time in keys:
            _, title, source, url, published, text = articles[article_id]
            rows = spans.get((article_id, annotator_id), ())
            updated = max(status_time, max((r[7] for r in rows), default=""))
            out.append(
                Annotation(
                    article_id,
                    text,
                    annotator,
                    Status(status),
                    updated,
                    [
                        SpanData(r[2], r[3], r[4], r[5], json.loads(r[6]) if r[6] != "{}" else {})
                        for r in rows
                        if not wanted or r[4] in wanted
                    ],
                    title,
                    source,
                    url,
                    published,
                )
            )
        return out

    def reviewed_export_keys(
        self,
        *,
        annotators: Sequence[str] = (),
        statuses: Sequence[str] | None = (Status.DONE.value, Status.REVIEWED.value),
        labels: Sequence[str] = (),
        since: str | None = None,
    ) -> tuple[list[tuple[int, int, str, str, str]], int, int]:
        """At most one annotation per article (``newsmark export --reviewed``).

        Returns (the keys, as :meth:`export_keys` gives them; the number of
        articles left out because several annotators finished them and
        disagree; the number left out because several annotators' unfinished
        work on them differs). Among each article's work that passes
        ``annotators`` and ``statuses``, the one taken is:

        1. the reviewed annotation (status ``reviewed``): a reviewer's settled
           work. If several reviewers reviewed the article, the newest by
           status time (on a tie, the first by name).
        2. else the done work: the one annotator's who finished it; or, when
           several did and their spans are identical (the same start, end,
           label and attributes, every one, as review compares them: an unset
           attribute is the same as ``null``; only spans of ``labels`` when
           given, as those are what is exported), the first of them by name.
           When they differ, none: the article is left out, counted.
        3. else (only when other statuses are asked for) the rest of the work
           the same way: one annotation, or several with the same status and
           the same spans, the first by name; else left out, counted apart.

        ``since`` applies to the chosen work (its status or spans changed at
        or after it), after the choice: an article reviewed before ``since``
        stays settled by its review when an annotator edits it later, and is
        not exported again. A left-out article is counted when any of its
        work changed since. Spans are read only for the articles whose
        several annotations must be compared, a chunk of articles at a time.
        """
        keys = self.export_keys(annotators=annotators, statuses=statuses)
        reviewed, done = Status.REVIEWED.value, Status.DONE.value
        chosen: dict[int, tuple[int, int, str, str, str] | None] = {}
        compare: dict[int, list[tuple[int, int, str, str, str]]] = {}
        lo = 0
        while lo < len(keys):  # keys come grouped by article
            article_id = keys[lo][0]
            hi = lo + 1
            while hi < len(keys) and keys[hi][0] == article_id:
                hi += 1
            work = keys[lo:hi]
            lo = hi
            reviews = [k for k in work if k[3] == reviewed]
            if reviews:
                chosen[article_id] = max(reviews, key=lambda k: k[4])  # first of the newest
                continue
            tier = [k for k in work if k[3] == done] or work
            chosen[article_id] = tier[0] if len(tier) == 1 else None
            if len(tier) > 1:
                compare[article_id] = tier
        del keys
        wanted = frozenset(labels)
        left_out: list[tuple[int, int, str, str, str]] = []  # one key per article left out
        for chunk, marks in _chunks(list(compare)):
            spans: dict[tuple[int, int], list[tuple[int, int, str, AttributeKey]]] = {}
            for article_id, annotator_id, start, end, label, attrs in self.conn.execute(
                'SELECT article_id, annotator_id, start, "end", label, attributes FROM spans'
                f" WHERE article_id IN ({marks})",
                chunk,
            ):
                if not wanted or label in wanted:
                    attributes = attribute_key(json.loads(attrs)) if attrs != "{}" else ()
                    spans.setdefault((article_id, annotator_id), []).append((start, end, label, attributes))
            for article_id in chunk:
                tier = compare.pop(article_id)
                versions = {(k[3], tuple(sorted(spans.get((article_id, k[1]), ())))) for k in tier}
                if len(versions) == 1:
                    chosen[article_id] = tier[0]
                else:
                    left_out.extend(tier)
        if since is not None:
            changed = self._changed_since([k for k in chosen.values() if k] + left_out, since)
            chosen = {a: k for a, k in chosen.items() if k and (k[0], k[1]) in changed}
            left_out = [k for k in left_out if (k[0], k[1]) in changed]
        disagree = {k[0] for k in left_out if k[3] == done}
        unfinished = {k[0] for k in left_out} - disagree
        return [k for k in chosen.values() if k], len(disagree), len(unfinished)

    def _changed_since(
        self, keys: Sequence[tuple[int, int, str, str, str]], since: str
    ) -> set[tuple[int, int]]:
        """The (article id, annotator id) of the keys whose status or any span changed since."""
        changed = {(k[0], k[1]) for k in keys if k[4] >= since}
        ids = sorted({k[0] for k in keys if (k[0], k[1]) not in changed})
        for chunk, marks in _chunks(ids):
            changed.update(
                self.conn.execute(
                    "SELECT DISTINCT article_id, annotator_id FROM spans"
                    f" WHERE article_id IN ({marks}) AND updated_at >= ?",
                    [*chunk, since],
                )
            )
        return changed

    def finished_work(self, annotators: Sequence[str] = ()) -> dict[int, dict[str, list[SpanData]]]:
        """article id -> annotator -> spans, for articles two or more of ``annotators``
        (default: anyone) marked done; the spans sorted by start, then end."""
        sql = (
            "SELECT st.article_id, an.name FROM article_status st"
            " JOIN annotators an ON an.id = st.annotator_id WHERE st.status = 'done'"
        )
        params: list[Any] = []
        if annotators:
            sql += f" AND an.name IN ({', '.join('?' * len(annotators))})"
            params += annotators
        done: dict[int, dict[str, list[SpanData]]] = {}
        for article_id, name in self.conn.execute(sql, params):
            done.setdefault(article_id, {})[name] = []
        work = {a: by for a, by in sorted(done.items()) if len(by) >= 2}
        for chunk, marks in _chunks(list(work)):
            for article_id, name, start, end, label, text, attrs in self.conn.execute(
                'SELECT s.article_id, an.name, s.start, s."end", s.label, s.text, s.attributes'
                " FROM spans s JOIN annotators an ON an.id = s.annotator_id"
                f" WHERE s.article_id IN ({marks})"
                ' ORDER BY s.article_id, s.start, s."end", s.id',
                chunk,
            ):
                spans = work[article_id].get(name)
                if spans is not None:
                    spans.append(SpanData(start, end, label, text, json.loads(attrs)))
        return work

    def article_title_text(self, article_id: int) -> tuple[str | None, str]:
        """(title, cleaned text) of an article, without the raw page."""
        row = self.conn.execute(
            "SELECT title, clean_text FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None:
            raise KeyError(f"no article {article_id}")
        return row[0], row[1]

    def import_annotation(self, ann: Annotation) -> tuple[int, int, int]:
        """Save an annotation read from a file; return (article id, spans added, spans already there).

        The article is the one with this text: the one under ``ann.article_id``
        if its text matches, else any article with the same text, else a new
        article (under ``ann.article_id`` if that id is free), stored verbatim.
        Spans are merged: one with the same offsets and label as a saved span
        is not added again, and nothing saved is removed. The status becomes
        the file's. Times come from the file; nothing goes in the undo log (an
        import is not the annotator's action to undo in the app).
        """
        annotator_id = self.annotator_id(ann.annotator)
        with self.transaction():
            article_id = self._article_with_text(ann)
            have = {
                (s, e, label)
                for s, e, label in self.conn.execute(
                    'SELECT start, "end", label FROM spans WHERE article_id = ? AND annotator_id = ?',
                    (article_id, annotator_id),
                )
            }
            added = 0
            for span in ann.spans:
                if (span.start, span.end, span.label) in have:
                    continue
                have.add((span.start, span.end, span.label))
                self.conn.execute(
                    _SPAN_INSERT,
                    (
                        article_id,
                        annotator_id,
                        span.start,
                        span.end,
                        span.label,
                        span.text,
                        json.dumps(dict(span.attributes), ensure_ascii=False),
                        ann.updated_at,
                        ann.updated_at,
                    ),
                )
                added += 1
            self.conn.execute(
                "INSERT INTO article_status (article_id, annotator_id, status, updated_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (article_id, annotator_id) DO UPDATE SET"
                " status = excluded.status, updated_at = max(updated_at, excluded.updated_at)",
                (article_id, annotator_id, ann.status.value, ann.updated_at),
            )
        return article_id, added, len(ann.spans) - added

    def _article_with_text(self, ann: Annotation) -> int:
        if ann.article_id is not None:
            row = self.conn.execute(
                "SELECT clean_text = ? FROM articles WHERE id = ?", (ann.text, ann.article_id)
            ).fetchone()
            if row is not None and row[0]:
                return ann.article_id
        digest = verbatim_hash(ann.text)
        row = self.conn.execute("SELECT id FROM articles WHERE content_hash = ?", (digest,)).fetchone()
        if row is not None:
            return row[0]
        found = self._text_index().get(_text_key(ann.text))
        if found is not None:
            return found
        free = (
            ann.article_id is not None
            and ann.article_id > 0
            and self.conn.execute("SELECT 1 FROM articles WHERE id = ?", (ann.article_id,)).fetchone() is None
        )
        cur = self.conn.execute(
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
        return int(cur.lastrowid)

    def _text_index(self) -> dict[bytes, int]:
        """Every article's cleaned text (as a digest) -> its id, built once per Store.

        For an import whose article ids do not match this database (another
        copy of the corpus): one pass over all the text, only when needed.
        """
        if self._texts is None:
            self._texts = {
                _text_key(text): id_ for id_, text in self.conn.execute("SELECT id, clean_text FROM articles")
            }
        return self._texts

    # -- assignments ------------------------------------------------------------
    #
    # ``newsmark assign`` gives each article to some annotators (the plan comes
    # from annotations.assign). An annotator with assignments sees their own
    # articles and the unassigned ones as "todo", not those given only to
    # others; one without any sees everything, as before assignments existed.
    # Whether an annotator has assignments is asked each time (one index
    # probe), never cached: another process may assign or clear meanwhile.

    def assign(self, plan: Mapping[str, Iterable[int]]) -> dict[str, int]:
        """Save a plan (annotator -> article ids) in one transaction; return the new rows per annotator.

        An assignment already there is kept as it was (its first ``assigned_at``)
        and not counted; annotators are created on first use.
        """
        added: dict[str, int] = {}
        stamp = now()
        with self.transaction():
            for name, article_ids in plan.items():
                annotator_id = self.annotator_id(name)
                before = self.conn.total_changes
                self.conn.executemany(
                    "INSERT OR IGNORE INTO assignments (annotator_id, article_id, assigned_at)"
                    " VALUES (?, ?, ?)",
                    ((annotator_id, int(article_id), stamp) for article_id in article_ids),
                )
                added[name] = self.conn.total_changes - before
        return added

    def clear_assignments(self, annotators: Sequence[str] | None = None) -> int:
        """Remove the assignments of ``annotators`` (None: everyone's); return how many went."""
        with self.transaction():
            if annotators is None:
                return self.conn.execute("DELETE FROM assignments").rowcount
            ids = [i for i in map(self._known_annotator_id, annotators) if i is not None]
            if not ids:
                return 0
            return self.conn.execute(
                f"DELETE FROM assignments WHERE annotator_id IN ({', '.join('?' * len(ids))})", ids
            ).rowcount

    def unassigned_todo_ids(self, annotators: Sequence[str]) -> list[int]:
        """Ids of the articles still to assign, ascending: assigned to nobody, and
        finished (done, skipped, flagged, reviewed) by none of ``annotators``.

        A second ``assign`` run therefore only deals out what came since (new
        imports, or articles whose assignments were cleared).
        """
        ids = [i for i in map(self._known_annotator_id, annotators) if i is not None]
        sql = (
            "SELECT id FROM articles a WHERE NOT EXISTS ("
            " SELECT 1 FROM assignments s WHERE s.article_id = a.id)"
        )
        if ids:
            sql += (
                " AND NOT EXISTS (SELECT 1 FROM article_status st WHERE st.article_id = a.id"
                f" AND st.annotator_id IN ({', '.join('?' * len(ids))})"
                f" AND st.status IN ({_FINISHED}))"
            )
        return list(_column(self.conn.execute(sql + " ORDER BY id", ids)))

    def assignment_counts(self) -> dict[str, tuple[int, int]]:
        """annotator -> (articles assigned to them, how many of those they finished);
        only annotators with assignments appear."""
        rows = self.conn.execute(
            "SELECT an.name, count(*), count(st.article_id) FROM assignments s"
            " JOIN annotators an ON an.id = s.annotator_id"
            " LEFT JOIN article_status st ON st.article_id = s.article_id"
            f"  AND st.annotator_id = s.annotator_id AND st.status IN ({_FINISHED})"
            " GROUP BY an.name ORDER BY an.name"
        )
        return {name: (assigned, finished) for name, assigned, finished in rows}

    def has_assignments(self, annotator: str) -> bool:
        """Whether ``annotator`` has been given any article (their "todo" is then their queue)."""
        annotator_id = self._known_annotator_id(annotator)
        return annotator_id is not None and self._has_assignments(annotator_id)

    def _has_assignments(self, annotator_id: int) -> bool:
        """One probe of the assignments primary key; -1 (an unknown annotator) has none."""
        return (
            self.conn.execute(
                "SELECT EXISTS (SELECT 1 FROM assignments WHERE annotator_id = ?)", (annotator_id,)
            ).fetchone()[0]
            == 1
        )

    @staticmethod
    def _others_only_sql() -> str:
        """SQL for the ids of the articles assigned to someone, but not to annotator ``?``.

        Two parameters, both the annotator's id. These are the articles that
        leave their "todo" view: given to others, and not theirs to do.
        """
        return (
            "SELECT DISTINCT o.article_id FROM assignments o WHERE o.annotator_id != ?"
            " AND NOT EXISTS (SELECT 1 FROM assignments s"
            "  WHERE s.annotator_id = ? AND s.article_id = o.article_id)"
        )

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
        return Stats(articles, sources, statuses, labels, self._clitic_ends())

    def _clitic_ends(self) -> dict[str, int]:
        """Per annotator, the spans whose text ends in a possessive clitic ("Syria's").

        LIKE (case-blind for ASCII) passes only texts ending in s or an
        apostrophe; :func:`ends_with_clitic` decides, so the rule lives in one place.
        """
        from annotations.tokens import ends_with_clitic

        counts = {name: 0 for (name,) in self.conn.execute("SELECT name FROM annotators")}
        for name, text in self.conn.execute(
            "SELECT a.name, s.text FROM spans s JOIN annotators a ON a.id = s.annotator_id"
            " WHERE s.text LIKE '%s' OR s.text LIKE '%''' OR s.text LIKE '%\u2019'"
        ):
            counts[name] += ends_with_clitic(text)
        return counts


def verbatim_hash(text: str) -> str:
    """The content hash of an article stored verbatim (its cleaned text is its content)."""
    return hashlib.sha256(f"{VERBATIM}\n{text}".encode()).hexdigest()


def _text_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def open_store(db: str | os.PathLike[str] | None = None) -> Store:
    """Open the database named by ``--db``/``$NEWSMARK_DB``/default."""
    return Store(resolve_db_path(db))
