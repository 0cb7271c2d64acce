"""The undo log: every annotator action as a before/after pair, undone and redone here.

An action is logged inside the transaction that makes it, so the change and its
undo entry are saved together or not at all. :meth:`EditLog.group` makes
several actions one undo step (a review accept deletes, adds and decides).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from annotations.model import Edit
from annotations.storage.sqlite.annotators import Annotators
from annotations.storage.sqlite.connection import Database
from annotations.storage.sqlite.rows import write_decision, write_span, write_status
from annotations.storage.types import now

# The batch last: edit_from_row reads the first seven, _step the batch too.
_EDIT_SELECT = 'SELECT id, article_id, kind, "before", "after", undone, created_at, batch FROM edits'


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


class EditLog:
    """Each annotator's log of actions: the undo stack, and the redo stack (the undone ones)."""

    def __init__(self, db: Database, annotators: Annotators) -> None:
        self.db = db
        self.annotators = annotators
        self._grouping = False  # inside group()
        self._batch: int | None = None  # the open group's id: its first edit's

    @contextmanager
    def group(self) -> Iterator[None]:
        """Everything logged inside is one undo step, in one transaction."""
        if self._grouping:  # nested: part of the outer group
            yield
            return
        with self.db.transaction():
            self._grouping, self._batch = True, None
            try:
                yield
            finally:
                self._grouping, self._batch = False, None

    def record(
        self,
        annotator_id: int,
        article_id: int,
        kind: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        """Log an action (inside the caller's transaction); a new action drops the redo stack."""
        conn = self.db.conn
        conn.execute("DELETE FROM edits WHERE annotator_id = ? AND undone = 1", (annotator_id,))
        cur = conn.execute(
            'INSERT INTO edits (annotator_id, article_id, kind, "before", "after", undone, created_at,'
            " batch) VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
            (
                annotator_id,
                article_id,
                kind,
                _json_or_none(before),
                _json_or_none(after),
                now(),
                self._batch,
            ),
        )
        # The first edit of a group names it. The name is only a label the group's edits
        # share: if a savepoint rolls that edit back, the label still groups the rest.
        if self._grouping and self._batch is None:
            self._batch = int(cur.lastrowid or 0)
            conn.execute("UPDATE edits SET batch = id WHERE id = ?", (self._batch,))

    def undo(self, annotator: str) -> Edit | None:
        """Revert the annotator's newest action not yet undone; None if there is none."""
        return self._step(annotator, undo=True)

    def redo(self, annotator: str) -> Edit | None:
        """Re-apply the annotator's oldest undone action; None if there is none."""
        return self._step(annotator, undo=False)

    def edits(self, annotator: str) -> list[Edit]:
        """The annotator's whole log, oldest first (undone entries are the redo stack)."""
        annotator_id = self.annotators.known_id(annotator)
        if annotator_id is None:
            return []
        rows = self.db.conn.execute(
            _EDIT_SELECT + " WHERE annotator_id = ? ORDER BY id", (annotator_id,)
        ).fetchall()
        return [_edit_from_row(annotator, r) for r in rows]

    def _step(self, annotator: str, *, undo: bool) -> Edit | None:
        annotator_id = self.annotators.known_id(annotator)
        if annotator_id is None:
            return None
        # Undo takes the newest live edit, redo the oldest undone one: the redo
        # stack replays in the order the actions were first made.
        order = "DESC" if undo else "ASC"
        with self.db.transaction() as conn:
            row = conn.execute(
                _EDIT_SELECT + f" WHERE annotator_id = ? AND undone = ? ORDER BY id {order} LIMIT 1",
                (annotator_id, 0 if undo else 1),
            ).fetchone()
            if row is None:
                return None
            batch = row[7]
            rows = (
                [row]
                if batch is None
                else conn.execute(
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
        conn = self.db.conn
        state = edit.before if undo else edit.after
        if edit.kind == "decide":
            assert state is not None
            write_decision(conn, edit.article_id, annotator_id, state)
        elif edit.kind == "set_status":
            assert state is not None
            write_status(conn, edit.article_id, annotator_id, state["status"])
        elif state is None:  # undo an add, redo a delete: the span goes
            gone = edit.after if undo else edit.before
            assert gone is not None
            conn.execute("DELETE FROM spans WHERE id = ?", (gone["id"],))
        else:  # undo a delete or an update, redo an add or an update: write the span as it was
            write_span(conn, annotator_id, state)
        conn.execute("UPDATE edits SET undone = ? WHERE id = ?", (int(undo), edit.id))
