"""Suggestions: the spans the rules expect, kept apart from everyone's work until answered.

A suggestion is nobody's span. An annotator answers it: accepting makes their
span (with the suggestion's ``origin``), rejecting only records the answer. Both
are undo steps in the annotator's log (edit kind ``answer``, grouped with the
``add_span`` of an accept), so ``u`` takes back the span and the answer together.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from annotations.model import Span, Status, Suggestion
from annotations.storage.sqlite.annotators import Annotators
from annotations.storage.sqlite.connection import Database
from annotations.storage.sqlite.rows import (
    SPAN_INSERT_WITH_ORIGIN,
    attrs_json,
    span_dict,
    write_answer,
    write_status,
)
from annotations.storage.sqlite.undo import EditLog, answer_state
from annotations.storage.types import now

_SELECT = 'SELECT id, article_id, start, "end", label, text, origin, attributes FROM suggestions'
# Reading order: by start, the longer first; label and id only make it total.
_ORDER = ' ORDER BY start, "end" DESC, label, id'


def _suggestion(row: tuple[Any, ...]) -> Suggestion:
    id_, article_id, start, end, label, text, origin, attributes = row
    return Suggestion(start, end, label, text, origin, json.loads(attributes), id_, article_id)


class Suggestions:
    """Store, list and answer suggestions; the per-annotator switch that hides them."""

    def __init__(self, db: Database, annotators: Annotators, log: EditLog) -> None:
        self.db = db
        self.annotators = annotators
        self.log = log

    def set_suggestions(self, article_id: int, suggestions: Sequence[Suggestion], version: str) -> int:
        """Replace the article's suggestions with ``suggestions`` (made by suggester ``version``).

        Unanswered ones not in the new set go; answered ones stay, so their answers
        (and the stats of them) keep; the same offsets and label are updated in place
        (their id, so any answer, kept). Offsets are checked and the text is the
        article's own. Returns how many the article now has.
        """
        with self.db.transaction() as conn:
            row = conn.execute("SELECT clean_text FROM articles WHERE id = ?", (article_id,)).fetchone()
            if row is None:
                raise KeyError(f"no article {article_id}")
            (text,) = row
            new: dict[tuple[int, int, str], Suggestion] = {}
            for s in suggestions:
                if not 0 <= s.start < s.end <= len(text):
                    raise ValueError(
                        f"suggestion {s.start}:{s.end} is outside article {article_id} (length {len(text)})"
                    )
                new.setdefault((s.start, s.end, s.label), s)
            old = conn.execute(
                'SELECT s.id, s.start, s."end", s.label,'
                " EXISTS (SELECT 1 FROM suggestion_answers an WHERE an.suggestion_id = s.id)"
                " FROM suggestions s WHERE s.article_id = ?",
                (article_id,),
            ).fetchall()
            gone = [
                id_
                for id_, start, end, label, answered in old
                if not answered and (start, end, label) not in new
            ]
            for ids, places in self.db.chunks(gone):
                conn.execute(f"DELETE FROM suggestions WHERE id IN ({places})", ids)
            stamp = now()
            conn.executemany(
                'INSERT INTO suggestions (article_id, start, "end", label, text, attributes, origin,'
                " version, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                ' ON CONFLICT (article_id, start, "end", label) DO UPDATE SET text = excluded.text,'
                " attributes = excluded.attributes, origin = excluded.origin, version = excluded.version",
                [
                    (
                        article_id,
                        s.start,
                        s.end,
                        s.label,
                        text[s.start : s.end],
                        attrs_json(s.attributes),
                        s.origin,
                        version,
                        stamp,
                    )
                    for s in new.values()
                ],
            )
            conn.execute(
                "INSERT INTO suggested_articles (article_id, version, suggested_at) VALUES (?, ?, ?)"
                " ON CONFLICT (article_id) DO UPDATE SET version = excluded.version,"
                " suggested_at = excluded.suggested_at",
                (article_id, version, stamp),
            )
            (count,) = conn.execute(
                "SELECT count(*) FROM suggestions WHERE article_id = ?", (article_id,)
            ).fetchone()
        return int(count)

    def drop_unanswered(self, article_id: int) -> None:
        """Forget the article's unanswered suggestions and that it was suggested for (its
        text changed: their offsets point into the old one)."""
        with self.db.transaction() as conn:
            conn.execute(
                "DELETE FROM suggestions WHERE article_id = ? AND NOT EXISTS"
                " (SELECT 1 FROM suggestion_answers an WHERE an.suggestion_id = suggestions.id)",
                (article_id,),
            )
            conn.execute("DELETE FROM suggested_articles WHERE article_id = ?", (article_id,))

    def suggestions(self, article_id: int, annotator: str | None = None) -> list[Suggestion]:
        """The article's suggestions in reading order; with ``annotator``, only those open to
        them: not answered by them, and not the same offsets and label as one of their spans."""
        if annotator is None:
            rows = self.db.conn.execute(_SELECT + " WHERE article_id = ?" + _ORDER, (article_id,))
            return [_suggestion(r) for r in rows]
        annotator_id = self.annotators.known_or_nobody(annotator)
        rows = self.db.conn.execute(
            _SELECT + " s WHERE s.article_id = ? AND " + _OPEN + _ORDER,
            (article_id, annotator_id, annotator_id),
        )
        return [_suggestion(r) for r in rows]

    def suggestion(self, suggestion_id: int) -> Suggestion | None:
        rows = self.db.conn.execute(_SELECT + " WHERE id = ?", (suggestion_id,))
        return next((_suggestion(r) for r in rows), None)

    def accept_suggestion(
        self, suggestion_id: int, annotator: str, attributes: Mapping[str, Any] | None = None
    ) -> Span:
        """The annotator's span made from the suggestion (its attributes, or ``attributes``),
        and the answer ``accepted``: one undo step. KeyError: no such suggestion; ValueError:
        not open to them (answered, or the same span is theirs already)."""
        with self.log.group():
            annotator_id = self.annotators.id(annotator)
            suggestion = self._open_one(suggestion_id, annotator_id)
            span = self._accept(suggestion, annotator, annotator_id, attributes)
            self._mark_in_progress(suggestion.article_id, annotator_id)
        return span

    def reject_suggestion(self, suggestion_id: int, annotator: str) -> None:
        """Record the answer ``rejected``: one undo step. KeyError / ValueError as accepting."""
        with self.log.group():
            annotator_id = self.annotators.id(annotator)
            suggestion = self._open_one(suggestion_id, annotator_id)
            self._answer(suggestion, annotator_id, "rejected")

    def _open_one(self, suggestion_id: int, annotator_id: int) -> Suggestion:
        """The suggestion, open to the annotator (KeyError: none such; ValueError: not open)."""
        suggestion = self.suggestion(suggestion_id)
        if suggestion is None:
            raise KeyError(f"no suggestion {suggestion_id}")
        self._require_open(suggestion, annotator_id)
        return suggestion

    def accept_suggestions(self, article_id: int, annotator: str) -> list[Span]:
        """Every suggestion of the article open to the annotator accepted: one undo step."""
        with self.log.group():
            annotator_id = self.annotators.id(annotator)
            spans = [
                self._accept(s, annotator, annotator_id, None)
                for s in self.suggestions(article_id, annotator)
            ]
            if spans:
                self._mark_in_progress(article_id, annotator_id)
        return spans

    def suggestions_enabled(self, annotator: str) -> bool:
        """Whether the annotator is shown suggestions (True unless turned off for them)."""
        row = self.db.conn.execute(
            "SELECT suggestions FROM annotators WHERE name = ?", (annotator,)
        ).fetchone()
        return row is None or bool(row[0])

    def set_suggestions_enabled(self, annotators: Sequence[str], enabled: bool) -> None:
        with self.db.transaction() as conn:
            for name in annotators:
                conn.execute(
                    "UPDATE annotators SET suggestions = ? WHERE id = ?",
                    (int(enabled), self.annotators.id(name)),
                )

    def suggested_versions(self) -> dict[int, str]:
        """Article id -> the suggester version that last looked at it (absent: never)."""
        return dict(self.db.conn.execute("SELECT article_id, version FROM suggested_articles"))

    def article_ids_to_suggest(self, version: str) -> list[int]:
        """The articles whose suggestions are not of ``version`` (or that never had any), by id."""
        rows = self.db.conn.execute(
            "SELECT a.id FROM articles a LEFT JOIN suggested_articles sa ON sa.article_id = a.id"
            " WHERE sa.version IS NULL OR sa.version != ? ORDER BY a.id",
            (version,),
        )
        return [r[0] for r in rows]

    def suggestions_of(self, article_ids: Sequence[int]) -> dict[int, list[Suggestion]]:
        """The suggestions of many articles (reading order), for ``suggest --output``."""
        found: dict[int, list[Suggestion]] = {i: [] for i in article_ids}
        for ids, places in self.db.chunks(list(article_ids)):
            for row in self.db.conn.execute(
                _SELECT
                + f' WHERE article_id IN ({places}) ORDER BY article_id, start, "end" DESC, label, id',
                ids,
            ):
                found[row[1]].append(_suggestion(row))
        return found

    def suggestion_attribute_names(self) -> list[str]:
        """Every attribute name a stored suggestion has, sorted (export columns)."""
        rows = self.db.conn.execute(
            "SELECT DISTINCT j.key FROM suggestions s, json_each(s.attributes) j ORDER BY j.key"
        )
        return [r[0] for r in rows]

    # -- inside a group --------------------------------------------------------

    def _require_open(self, suggestion: Suggestion, annotator_id: int) -> None:
        row = self.db.conn.execute(
            "SELECT 1 FROM suggestions s WHERE s.id = ? AND " + _OPEN,
            (suggestion.id, annotator_id, annotator_id),
        ).fetchone()
        if row is None:
            raise ValueError(f"suggestion {suggestion.id} is already answered (or the span is theirs)")

    def _accept(
        self,
        suggestion: Suggestion,
        annotator: str,
        annotator_id: int,
        attributes: Mapping[str, Any] | None,
    ) -> Span:
        conn = self.db.conn
        attrs = dict(suggestion.attributes if attributes is None else attributes)
        stamp = now()
        cur = conn.execute(
            SPAN_INSERT_WITH_ORIGIN,
            (
                suggestion.article_id,
                annotator_id,
                suggestion.start,
                suggestion.end,
                suggestion.label,
                suggestion.text,
                attrs_json(attrs),
                stamp,
                stamp,
                suggestion.origin,
            ),
        )
        span = Span(
            int(cur.lastrowid or 0),
            suggestion.article_id,
            annotator,
            suggestion.start,
            suggestion.end,
            suggestion.label,
            suggestion.text,
            attrs,
            stamp,
            stamp,
            suggestion.origin,
        )
        self.log.record(annotator_id, suggestion.article_id, "add_span", None, span_dict(span))
        self._answer(suggestion, annotator_id, "accepted")
        return span

    def _answer(self, suggestion: Suggestion, annotator_id: int, answer: str) -> None:
        write_answer(self.db.conn, suggestion.id, annotator_id, answer)
        state = answer_state(
            suggestion.id, answer, suggestion.start, suggestion.end, suggestion.label, suggestion.text
        )
        self.log.record(annotator_id, suggestion.article_id, "answer", None, state)

    def _mark_in_progress(self, article_id: int, annotator_id: int) -> None:
        """A new article becomes in progress, with no undo entry (as tagging one does)."""
        conn: sqlite3.Connection = self.db.conn
        row = conn.execute(
            "SELECT status FROM article_status WHERE article_id = ? AND annotator_id = ?",
            (article_id, annotator_id),
        ).fetchone()
        if row is None or row[0] == Status.NEW.value:
            write_status(conn, article_id, annotator_id, Status.IN_PROGRESS.value)


# A suggestion ``s`` open to annotator ? (twice): unanswered by them, and not their span.
_OPEN = (
    "NOT EXISTS (SELECT 1 FROM suggestion_answers an"
    " WHERE an.suggestion_id = s.id AND an.annotator_id = ?)"
    " AND NOT EXISTS (SELECT 1 FROM spans sp WHERE sp.article_id = s.article_id"
    ' AND sp.annotator_id = ? AND sp.start = s.start AND sp."end" = s."end" AND sp.label = s.label)'
)
