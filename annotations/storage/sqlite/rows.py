"""SQL and row conversions shared by several repositories and the undo log.

Kept apart so that the undo log can put back a span, a status or a review
decision exactly as the repository that first wrote it does, without either
importing the other.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any

from annotations.model import Span, SpanData
from annotations.storage.types import now

# Statuses that take an article out of the "todo" view; views named after a status.
FINISHED = "'done', 'skipped', 'flagged', 'reviewed'"
STATUS_VIEWS = frozenset({"done", "skipped", "flagged", "reviewed"})

SPAN_SELECT = (
    'SELECT s.id, s.article_id, a.name, s.start, s."end", s.label, s.text, s.attributes,'
    " s.created_at, s.updated_at, s.origin FROM spans s JOIN annotators a ON a.id = s.annotator_id"
)
# A new span (its id from SQLite); the undo log's re-insert keeps its old id instead.
SPAN_INSERT = (
    'INSERT INTO spans (article_id, annotator_id, start, "end", label, text, attributes,'
    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# A new span accepted from a suggestion: SPAN_INSERT's parameters, then the origin.
SPAN_INSERT_WITH_ORIGIN = (
    'INSERT INTO spans (article_id, annotator_id, start, "end", label, text, attributes,'
    " created_at, updated_at, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def attrs_json(attributes: Mapping[str, Any] | None) -> str:
    """Span attributes as the ``attributes`` column keeps them."""
    return json.dumps(dict(attributes or {}), ensure_ascii=False)


def span_values(article_id: int, annotator_id: int, span: SpanData, stamp: str) -> tuple[Any, ...]:
    """The parameters of ``SPAN_INSERT`` for ``span``, created and updated at ``stamp``."""
    return (
        article_id,
        annotator_id,
        span.start,
        span.end,
        span.label,
        span.text,
        attrs_json(span.attributes),
        stamp,
        stamp,
    )


def span_from_row(row: tuple[Any, ...]) -> Span:
    """A row of ``SPAN_SELECT`` as a :class:`Span`."""
    id_, article_id, annotator, start, end, label, text, attributes, created_at, updated_at, origin = row
    return Span(
        id_,
        article_id,
        annotator,
        start,
        end,
        label,
        text,
        json.loads(attributes),
        created_at,
        updated_at,
        origin,
    )


def span_dict(span: Span) -> dict[str, Any]:
    """A span as the undo log keeps it (the annotator is the edit's own).

    ``origin`` is there so that an undone delete brings back where the span came
    from; entries logged before spans had one lack the key (read as ``None``).
    """
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
        "origin": span.origin,
    }


def write_status(conn: sqlite3.Connection, article_id: int, annotator_id: int, status: str | None) -> None:
    """Upsert a status row; ``None`` removes it (the article is ``new`` again)."""
    if status is None:
        conn.execute(
            "DELETE FROM article_status WHERE article_id = ? AND annotator_id = ?",
            (article_id, annotator_id),
        )
        return
    conn.execute(
        "INSERT INTO article_status (article_id, annotator_id, status, updated_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (article_id, annotator_id)"
        " DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at",
        (article_id, annotator_id, status, now()),
    )


def write_decision(
    conn: sqlite3.Connection, article_id: int, reviewer_id: int, state: Mapping[str, Any]
) -> None:
    """Upsert how a disagreement was settled; a ``None`` choice removes it (open again)."""
    if state["choice"] is None:
        conn.execute(
            "DELETE FROM review_decisions WHERE article_id = ? AND reviewer_id = ? AND start = ?"
            ' AND "end" = ?',
            (article_id, reviewer_id, state["start"], state["end"]),
        )
        return
    conn.execute(
        'INSERT INTO review_decisions (article_id, reviewer_id, start, "end", choice, decided_at)'
        ' VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (article_id, reviewer_id, start, "end")'
        " DO UPDATE SET choice = excluded.choice, decided_at = excluded.decided_at",
        (article_id, reviewer_id, state["start"], state["end"], state["choice"], now()),
    )


def write_span(conn: sqlite3.Connection, annotator_id: int, state: Mapping[str, Any]) -> None:
    """Write a logged span back as it was, under its old id (undo of a delete, redo of an add)."""
    conn.execute(
        'INSERT INTO spans (id, article_id, annotator_id, start, "end", label, text,'
        " attributes, created_at, updated_at, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
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
            attrs_json(state["attributes"]),
            state["created_at"],
            state["updated_at"],
            state.get("origin"),
        ),
    )


def write_answer(conn: sqlite3.Connection, suggestion_id: int, annotator_id: int, answer: str | None) -> None:
    """Upsert an annotator's answer to a suggestion; ``None`` removes it (open to them again)."""
    if answer is None:
        conn.execute(
            "DELETE FROM suggestion_answers WHERE suggestion_id = ? AND annotator_id = ?",
            (suggestion_id, annotator_id),
        )
        return
    conn.execute(
        "INSERT INTO suggestion_answers (suggestion_id, annotator_id, answer, answered_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (suggestion_id, annotator_id)"
        " DO UPDATE SET answer = excluded.answer, answered_at = excluded.answered_at",
        (suggestion_id, annotator_id, answer, now()),
    )
