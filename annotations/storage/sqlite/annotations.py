"""Spans and statuses: an annotator's work on an article, each change logged for undo."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from annotations.model import Span, Status
from annotations.storage.sqlite.annotators import Annotators
from annotations.storage.sqlite.connection import Database
from annotations.storage.sqlite.rows import (
    SPAN_INSERT,
    SPAN_SELECT,
    attrs_json,
    span_dict,
    span_from_row,
    write_status,
)
from annotations.storage.sqlite.undo import EditLog
from annotations.storage.types import now


class Annotations:
    """Add, change and delete spans; set statuses. Every write is one transaction with its undo entry."""

    def __init__(self, db: Database, annotators: Annotators, log: EditLog) -> None:
        self.db = db
        self.annotators = annotators
        self.log = log

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
        with self.db.transaction() as conn:  # a new annotator's row too, or nothing
            annotator_id = self.annotators.id(annotator)
            row = conn.execute(
                "SELECT substr(clean_text, ? + 1, ? - ?), length(clean_text) FROM articles WHERE id = ?",
                (start, end, start, article_id),
            ).fetchone()
            if row is None:
                raise KeyError(f"no article {article_id}")
            text, length = row
            if not 0 <= start < end <= length:
                raise ValueError(f"span {start}:{end} is outside article {article_id} (length {length})")
            stamp = now()
            cur = conn.execute(
                SPAN_INSERT,
                (article_id, annotator_id, start, end, label, text, attrs_json(attributes), stamp, stamp),
            )
            span = Span(
                int(cur.lastrowid or 0),
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
            self.log.record(annotator_id, article_id, "add_span", None, span_dict(span))
        return span

    def span(self, span_id: int) -> Span | None:
        rows = self.db.conn.execute(SPAN_SELECT + " WHERE s.id = ?", (span_id,))
        return next((span_from_row(r) for r in rows), None)

    def spans(self, article_id: int, annotator: str | None = None) -> list[Span]:
        sql = SPAN_SELECT + " WHERE s.article_id = ?"
        params: list[Any] = [article_id]
        if annotator is not None:
            sql += " AND a.name = ?"
            params.append(annotator)
        rows = self.db.conn.execute(sql + ' ORDER BY s.start, s."end", s.id', params)
        return [span_from_row(r) for r in rows]

    def delete_span(self, span_id: int) -> Span | None:
        """Delete a span, logged for undo; return it (None, and nothing logged, if absent)."""
        with self.db.transaction() as conn:
            span = self.span(span_id)
            if span is None:
                return None
            conn.execute("DELETE FROM spans WHERE id = ?", (span_id,))
            annotator_id = self.annotators.id(span.annotator)
            self.log.record(annotator_id, span.article_id, "delete_span", span_dict(span), None)
        return span

    def update_span(
        self, span_id: int, *, label: str | None = None, attributes: Mapping[str, Any] | None = None
    ) -> Span:
        """Relabel a span and/or replace its attributes, logged for undo.

        Offsets never change here (that is a delete and an add). A change to
        nothing is not logged, so undo never seems to do nothing.
        """
        with self.db.transaction() as conn:
            old = self.span(span_id)
            if old is None:
                raise KeyError(f"no span {span_id}")
            new_label = old.label if label is None else label
            new_attrs = old.attributes if attributes is None else dict(attributes)
            if new_label == old.label and new_attrs == old.attributes:
                return old
            stamp = now()
            conn.execute(
                "UPDATE spans SET label = ?, attributes = ?, updated_at = ? WHERE id = ?",
                (new_label, attrs_json(new_attrs), stamp, span_id),
            )
            new = replace(old, label=new_label, attributes=new_attrs, updated_at=stamp)
            annotator_id = self.annotators.id(old.annotator)
            self.log.record(annotator_id, old.article_id, "update_span", span_dict(old), span_dict(new))
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
        with self.db.transaction() as conn:
            annotator_id = self.annotators.id(annotator)
            row = conn.execute(
                "SELECT status FROM article_status WHERE article_id = ? AND annotator_id = ?",
                (article_id, annotator_id),
            ).fetchone()
            old = row[0] if row else None
            if old == status.value:
                return
            write_status(conn, article_id, annotator_id, status.value)
            if record:
                self.log.record(
                    annotator_id, article_id, "set_status", {"status": old}, {"status": status.value}
                )

    def status(self, article_id: int, annotator: str) -> Status:
        row = self.db.conn.execute(
            "SELECT st.status FROM article_status st JOIN annotators a ON a.id = st.annotator_id"
            " WHERE st.article_id = ? AND a.name = ?",
            (article_id, annotator),
        ).fetchone()
        return Status(row[0]) if row else Status.NEW
