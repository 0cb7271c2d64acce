"""The undo log: every annotator action as a before/after pair, undone and redone here.

An action is logged inside the transaction that makes it, so the change and its
undo entry are saved together or not at all. :meth:`EditLog.group` makes
several actions one undo step (a review accept deletes, adds and decides).

Undo is per session: each open :class:`EditLog` (one per Store, so one per
running app) is a session with an id of its own, and each entry records the
session that owns it: the one that made it, or, once undone, the one that undid
it (whose redo it is). ``u`` takes back the session's own newest entry; when
none is left, the annotator's newest entry that no other running session owns
(the persistent history of earlier runs, and entries from before sessions were
recorded), never one of another running session. Before an entry is undone or
redone, what it changed must still be as it left it: if another session has
changed it since, the step is refused (:class:`UndoConflict`) and the entry
leaves the log, so that the next ``u`` goes on to the one before.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from annotations.model import Edit
from annotations.storage.sqlite.annotators import Annotators
from annotations.storage.sqlite.connection import Database, marks
from annotations.storage.sqlite.rows import (
    SPAN_SELECT,
    span_dict,
    span_from_row,
    write_answer,
    write_decision,
    write_span,
    write_status,
)
from annotations.storage.types import UndoConflict, now

# The batch last: edit_from_row reads the first seven, _step the batch too.
_EDIT_SELECT = 'SELECT id, article_id, kind, "before", "after", undone, created_at, batch FROM edits'

# Edits whose before/after is a span (span_dict).
_SPAN_KINDS = frozenset({"add_span", "delete_span", "update_span"})

HOST = socket.gethostname()
# The sessions of this process still open: a session of our own pid that is not
# here has ended (a test, or an app run earlier in the same process).
_OPEN_HERE: set[int] = set()


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


def running(session: int, host: str, pid: int) -> bool:
    """Whether the session (opened by ``pid`` on ``host``) may still be running.

    When in doubt (another host, not POSIX, a process of another user) it is
    taken as running: the worst that does is keep its entries out of other
    sessions' undo, never undo an edit that a running session has just made.
    """
    if host != HOST or os.name != "posix":
        return True
    if pid == os.getpid():
        return session in _OPEN_HERE
    try:
        os.kill(pid, 0)  # signal 0 only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists, as another user
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """Whether ``pid`` has ended and only waits to be reaped (Linux ``/proc``): a newsmark
    whose terminal hung up is one until its parent (sshd's session, an init) reaps it."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def answer_state(
    suggestion_id: int, answer: str, start: int, end: int, label: str, text: str
) -> dict[str, Any]:
    """An answer to a suggestion as the log keeps it: the answer, and where and what the
    suggestion is (for the message that names it, and a cursor for the session)."""
    return {
        "suggestion_id": suggestion_id,
        "answer": answer,
        "start": start,
        "end": end,
        "label": label,
        "text": text,
    }


class EditLog:
    """Each annotator's log of actions: the undo stack, and the redo stack (the undone ones)."""

    def __init__(self, db: Database, annotators: Annotators) -> None:
        self.db = db
        self.annotators = annotators
        self._grouping = False  # inside group()
        self._batch: int | None = None  # the open group's id: its first edit's
        # Made here without a write: the sessions row comes with the first entry.
        self.session = secrets.randbelow(2**62) + 1
        self._registered = False  # a sessions row may exist
        _OPEN_HERE.add(self.session)

    def end_session(self) -> None:
        """The session stops: its entries become history that later sessions may undo."""
        if self.session not in _OPEN_HERE:
            return
        _OPEN_HERE.discard(self.session)
        if not self._registered:  # nothing written: nothing to write (a reader stays a reader)
            return
        try:
            with self.db.transaction() as conn:
                conn.execute("DELETE FROM sessions WHERE id = ?", (self.session,))
        except sqlite3.Error:  # locked or read-only by now: its pid still tells it has ended
            pass

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

    def _register(self) -> None:
        """Make this session known to the others (inside a write): they must not take its entries."""
        self.db.conn.execute(
            "INSERT OR IGNORE INTO sessions (id, host, pid, started_at) VALUES (?, ?, ?, ?)",
            (self.session, HOST, os.getpid(), now()),
        )
        self._registered = True

    def _others_running(self) -> list[int]:
        """The other sessions that may still be running; those found gone leave ``sessions``."""
        conn = self.db.conn
        rows = conn.execute("SELECT id, host, pid FROM sessions WHERE id != ?", (self.session,)).fetchall()
        live = [r[0] for r in rows if running(*r)]
        if len(live) < len(rows) and self.db.in_transaction:
            gone = [r[0] for r in rows if r[0] not in live]
            conn.execute(f"DELETE FROM sessions WHERE id IN ({marks(len(gone))})", gone)
        return live

    @staticmethod
    def _not_theirs(others: Sequence[int]) -> str:
        """SQL: an entry that none of ``others`` (running sessions, as parameters) owns."""
        return f" AND (session IS NULL OR session NOT IN ({marks(len(others))}))" if others else ""

    def record(
        self,
        annotator_id: int,
        article_id: int,
        kind: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        """Log an action (inside the caller's transaction). A new action drops the redo
        stack this session could replay: its own and that of sessions no longer running."""
        conn = self.db.conn
        self._register()
        others = self._others_running()
        conn.execute(
            "DELETE FROM edits WHERE annotator_id = ? AND undone = 1" + self._not_theirs(others),
            (annotator_id, *others),
        )
        cur = conn.execute(
            'INSERT INTO edits (annotator_id, article_id, kind, "before", "after", undone, created_at,'
            " batch, session) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)",
            (
                annotator_id,
                article_id,
                kind,
                _json_or_none(before),
                _json_or_none(after),
                now(),
                self._batch,
                self.session,
            ),
        )
        # The first edit of a group names it. The name is only a label the group's edits
        # share: if a savepoint rolls that edit back, the label still groups the rest.
        if self._grouping and self._batch is None:
            self._batch = int(cur.lastrowid or 0)
            conn.execute("UPDATE edits SET batch = id WHERE id = ?", (self._batch,))

    def undo(self, annotator: str) -> Edit | None:
        """Revert this session's newest action not yet undone (none left: the newest no other
        running session owns); None if there is none; :class:`UndoConflict` if changed since."""
        return self._step(annotator, undo=True)

    def redo(self, annotator: str) -> Edit | None:
        """Re-apply the oldest action this session undid (none: the oldest undone one no other
        running session owns); None if there is none; :class:`UndoConflict` if changed since."""
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

    def _pick(self, annotator_id: int, *, undo: bool) -> tuple[Any, ...] | None:
        """The entry to step: this session's own first, else one no running session owns.

        Undo takes the newest live entry, redo the oldest undone one: the redo
        stack replays in the order the actions were first made.
        """
        conn = self.db.conn
        order, state = ("DESC", 0) if undo else ("ASC", 1)
        row: tuple[Any, ...] | None = conn.execute(
            _EDIT_SELECT + " WHERE annotator_id = ? AND session = ? AND undone = ?"
            f" ORDER BY id {order} LIMIT 1",
            (annotator_id, self.session, state),
        ).fetchone()
        if row is None:
            others = self._others_running()
            row = conn.execute(
                _EDIT_SELECT
                + " WHERE annotator_id = ? AND undone = ?"
                + self._not_theirs(others)
                + f" ORDER BY id {order} LIMIT 1",
                (annotator_id, state, *others),
            ).fetchone()
        return row

    def _step(self, annotator: str, *, undo: bool) -> Edit | None:
        annotator_id = self.annotators.known_id(annotator)
        if annotator_id is None:
            return None
        conflict: UndoConflict | None = None
        with self.db.transaction() as conn:
            row = self._pick(annotator_id, undo=undo)
            if row is None:
                return None
            batch = row[7]
            rows = (
                [row]
                if batch is None
                else conn.execute(
                    _EDIT_SELECT + f" WHERE annotator_id = ? AND undone = ? AND batch = ? ORDER BY id"
                    f" {'DESC' if undo else 'ASC'}",
                    (annotator_id, 0 if undo else 1, batch),
                ).fetchall()
            )
            edits = [_edit_from_row(annotator, r) for r in rows]
            self._register()  # the entries become this session's
            try:
                with self.db.transaction():  # a savepoint: a conflict leaves nothing half done
                    for edit in edits:
                        self._check(edit, annotator_id, undo=undo)
                        self._apply_logged(edit, annotator_id, undo=undo)
            except UndoConflict as exc:
                conflict = exc
                ids = [e.id for e in edits]
                conn.execute(f"DELETE FROM edits WHERE id IN ({marks(len(ids))})", ids)
        if conflict is not None:  # raised once the dropped entries are committed
            raise conflict
        # A group is reported by its decision when it has one (what the reviewer did), else
        # by an edit that carries a span (an accepted suggestion: where the cursor goes).
        shown = next(
            (e for e in edits if e.kind == "decide"),
            next((e for e in edits if e.kind in _SPAN_KINDS), edits[0]),
        )
        return replace(shown, undone=undo)

    def _current(self, edit: Edit, annotator_id: int) -> dict[str, Any] | None:
        """What the database holds now of the thing ``edit`` changed, in the log's form."""
        conn = self.db.conn
        place = edit.before or edit.after or {}
        if edit.kind == "decide":
            found = conn.execute(
                "SELECT choice FROM review_decisions WHERE article_id = ? AND reviewer_id = ?"
                ' AND start = ? AND "end" = ?',
                (edit.article_id, annotator_id, place.get("start"), place.get("end")),
            ).fetchone()
            return {"start": place.get("start"), "end": place.get("end"), "choice": found and found[0]}
        if edit.kind == "set_status":
            found = conn.execute(
                "SELECT status FROM article_status WHERE article_id = ? AND annotator_id = ?",
                (edit.article_id, annotator_id),
            ).fetchone()
            return {"status": found and found[0]}
        if edit.kind == "answer":
            return self._current_answer(place["suggestion_id"], annotator_id)
        rows = conn.execute(SPAN_SELECT + " WHERE s.id = ?", (place.get("id"),))
        span = next((span_from_row(r) for r in rows), None)
        return None if span is None else span_dict(span)

    def _current_answer(self, suggestion_id: int, annotator_id: int) -> dict[str, Any] | None:
        """An answer as the log keeps it (:func:`answer_state`); None: not answered. A suggestion
        gone since (re-suggested away, or its article recleaned) matches no logged state."""
        row = self.db.conn.execute(
            'SELECT s.start, s."end", s.label, s.text, an.answer FROM suggestions s'
            " LEFT JOIN suggestion_answers an ON an.suggestion_id = s.id AND an.annotator_id = ?"
            " WHERE s.id = ?",
            (annotator_id, suggestion_id),
        ).fetchone()
        if row is None:
            return {"suggestion_id": suggestion_id, "gone": True}
        start, end, label, text, answer = row
        return None if answer is None else answer_state(suggestion_id, answer, start, end, label, text)

    def _check(self, edit: Edit, annotator_id: int, *, undo: bool) -> None:
        """Refuse to step over a change made since: what ``edit`` left must still be there."""
        expected = edit.after if undo else edit.before
        if expected is not None and edit.kind in _SPAN_KINDS:
            expected = {"origin": None, **expected}  # logged before spans had an origin
        if self._current(edit, annotator_id) != expected:
            raise UndoConflict(edit, undo=undo)

    def _apply_logged(self, edit: Edit, annotator_id: int, *, undo: bool) -> None:
        """Put back the state before (undo) or after (redo) one logged edit; the entry is this
        session's from now on (its redo, or its undo again)."""
        conn = self.db.conn
        state = edit.before if undo else edit.after
        if edit.kind == "decide":
            assert state is not None
            write_decision(conn, edit.article_id, annotator_id, state)
        elif edit.kind == "set_status":
            assert state is not None
            write_status(conn, edit.article_id, annotator_id, state["status"])
        elif edit.kind == "answer":
            place = edit.before or edit.after
            assert place is not None
            write_answer(
                conn, place["suggestion_id"], annotator_id, None if state is None else state["answer"]
            )
        elif state is None:  # undo an add, redo a delete: the span goes
            gone = edit.after if undo else edit.before
            assert gone is not None
            conn.execute("DELETE FROM spans WHERE id = ?", (gone["id"],))
        else:  # undo a delete or an update, redo an add or an update: write the span as it was
            write_span(conn, annotator_id, state)
        conn.execute(
            "UPDATE edits SET undone = ?, session = ? WHERE id = ?", (int(undo), self.session, edit.id)
        )
