"""Undo per session, and sessions that notice each other's changes: the same annotator in two
sessions at once on one real SQLite file, no terminal (annotations/session, storage/sqlite/undo.py).

Two Stores on one file are two sessions, as two app runs are. A session in another
process is a real process: one still running keeps its edits, one that died leaves
them to the annotator's later sessions.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.model import Status
from annotations.session import AnnotateSession, Refused, ReviewSession, Synced
from annotations.storage import Store, UndoConflict
from tests.conftest import add_text
from tests.test_session_annotate import TEXT, WHO, where

TIMEOUT = 60  # seconds for a helper process to start Python and write: generous on a loaded machine


@pytest.fixture
def two(db_path: Path) -> Iterator[tuple[AnnotateSession, AnnotateSession]]:
    """ana in two sessions at once (two Stores: two app runs), article 1 open in both."""
    with Store(db_path) as setup:
        add_text(setup, TEXT, 0)
        add_text(setup, TEXT, 1)
    with Store(db_path) as a, Store(db_path) as b:
        sessions = AnnotateSession(a, WHO), AnnotateSession(b, WHO)
        for s in sessions:
            s.open(1)
        yield sessions


def labels(session: AnnotateSession) -> list[tuple[str, str]]:
    """What the session holds (and so the screen draws): (text, label) of each span."""
    return [(s.text, s.label) for s in session.spans]


def test_u_undoes_the_sessions_own_span_not_the_one_made_in_the_other(two):
    a, b = two
    a.tag(*where("Rebels"), "ACTOR")
    b.tag(*where("army"), "ACTOR")  # the newest edit of ana, made in b
    assert b.sync().spans  # b notices a's span
    assert labels(b) == [("Rebels", "ACTOR"), ("army", "ACTOR")]
    replay = a.undo()
    assert replay.note == "undo: adding ACTOR “Rebels”"
    assert labels(a) == [("army", "ACTOR")]  # a reads the open article again after an undo
    with pytest.raises(Refused, match="nothing to undo"):
        a.undo()  # b's span is b's to undo
    assert b.sync() == Synced(spans=True)  # and b notices a's undo
    assert labels(b) == [("army", "ACTOR")]
    assert b.undo().note == "undo: adding ACTOR “army”"
    assert a.store.spans(1, WHO) == []


def test_a_screen_notices_spans_and_status_changed_in_the_other_session(two):
    a, b = two
    assert not b.sync()  # nothing changed: nothing to draw
    a.tag(*where("Idlib"), "LOCATION")
    assert b.sync() == Synced(spans=True, status=True)  # the first span marks it in progress
    assert labels(b) == [("Idlib", "LOCATION")]
    assert not b.sync()
    a.save_status(1, Status.DONE)
    assert b.sync() == Synced(status=True)
    assert b.status() is Status.DONE


def test_undo_of_a_span_changed_in_the_other_session_is_refused_and_redrawn(two):
    a, b = two
    a.tag(*where("Rebels"), "ACTOR")
    span = a.tag(*where("army"), "ACTOR").span
    b.sync()
    b.edit(span, "LOCATION", {})
    with pytest.raises(Refused, match="cannot undo adding ACTOR “army”: changed in another session") as e:
        a.undo()
    assert e.value.redraw  # a read its spans again: the screen draws b's change
    assert labels(a) == [("Rebels", "ACTOR"), ("army", "LOCATION")]
    assert a.undo().note == "undo: adding ACTOR “Rebels”"  # the next u goes on to the one before
    assert labels(a) == [("army", "LOCATION")]


def test_deleting_or_editing_a_span_deleted_in_the_other_session_is_refused(two):
    a, b = two
    span = a.tag(*where("Rebels"), "ACTOR").span
    b.sync()
    b.delete(span)
    with pytest.raises(Refused, match="deleted in another session") as e:
        a.edit(span, "LOCATION", {"x": 1})  # the edit dialog was open over it
    assert e.value.redraw and a.spans == []
    assert a.store.spans(1, WHO) == []  # not written back
    with pytest.raises(Refused, match="deleted in another session"):
        a.delete(span)
    assert b.undo().note.startswith("undo: deleting ACTOR")  # b's delete is b's to undo


def test_a_new_session_undoes_what_an_ended_one_did(db_path):
    with Store(db_path) as store:
        add_text(store, TEXT, 0)
        first = AnnotateSession(store, WHO)
        first.open(1)
        first.tag(*where("Rebels"), "ACTOR")
    with Store(db_path) as store:  # the app started again
        later = AnnotateSession(store, WHO)
        later.open(1)
        assert later.undo().note == "undo: adding ACTOR “Rebels”"
        assert later.redo().note == "redo: adding ACTOR “Rebels”"


def test_review_sync_notices_an_annotator_finishing_meanwhile(db_path):
    with Store(db_path) as store:
        add_text(store, TEXT, 0)
        store.add_span(1, "alice", *where("Rebels"), "ACTOR")
        store.set_status(1, "alice", Status.DONE)
        store.add_span(1, "bob", *where("Rebels"), "LOCATION")
        store.set_status(1, "bob", Status.DONE)
    with Store(db_path) as mine, Store(db_path) as theirs:
        rita = ReviewSession(mine, "rita")
        rita.open(1)
        assert len(rita.comparison.regions) == 1 and not rita.sync()
        theirs.add_span(1, "bob", *where("army"), "ACTOR")  # bob is still at it
        assert rita.sync().spans
        assert len(rita.comparison.regions) == 2


# -- sessions of other processes: running, or gone -------------------------------------------

WRITER = textwrap.dedent(
    """
    import os, sys
    from annotations.storage import Store, UndoConflict
    store = Store(sys.argv[1])
    store.add_span(1, "ana", 0, 6, "ACTOR")
    print("written", flush=True)
    if sys.argv[2] == "die":
        os._exit(0)  # as a kill -9 or a dropped SSH session: no close, the session row stays
    sys.stdin.readline()  # running until told
    store.close()
    """
)


def start_writer(db_path: Path, how: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db_path), how],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "written"
    return proc


def test_an_edit_of_a_running_process_is_not_undone_and_of_a_dead_one_is(db_path):
    with Store(db_path) as store:
        add_text(store, TEXT, 0)
        running = start_writer(db_path, "wait")
        try:
            assert store.undo(WHO) is None  # its session is running
        finally:
            running.communicate("\n", timeout=TIMEOUT)
        assert store.undo(WHO).after["text"] == "Rebels"  # it ended: its edit is history now
        assert store.spans(1, WHO) == []

        died = start_writer(db_path, "die")
        died.wait(timeout=TIMEOUT)
        others = "SELECT id FROM sessions WHERE id != ?"
        (left,) = store.conn.execute(others, (store.session_id,)).fetchall()  # it could not say it ended
        assert [s.text for s in store.spans(1, WHO)] == ["Rebels"]
        assert store.undo(WHO).kind == "add_span"  # its process is gone: history
        assert store.spans(1, WHO) == []
        assert store.conn.execute(others, (store.session_id,)).fetchall() == []  # found gone


# -- property: whatever two running sessions do, u only ever steps an entry the session owns ------

OPS = st.lists(
    st.tuples(
        st.sampled_from([0, 1]),  # which session
        st.sampled_from(["add", "delete", "update", "status", "undo", "redo"]),
        st.integers(0, 5),  # which word / which span
    ),
    max_size=25,
)
WORDS = [where(w) for w in ("Rebels", "army", "Idlib", "Monday", "people", "Aleppo")]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_undo_and_redo_step_only_the_sessions_own_entries(tmp_path, ops):
    path = tmp_path / f"prop-{uuid.uuid4().hex}.db"
    with Store(path) as setup:
        add_text(setup, TEXT, 0)
    with Store(path) as a, Store(path) as b:
        stores = (a, b)
        owner: dict[int, int] = {}  # entry id -> the session that made or last stepped it
        for who, op, n in ops:
            store = stores[who]
            known = {e.id for e in store.edits(WHO)}
            spans = store.spans(1, WHO)
            try:
                if op == "add":
                    store.add_span(1, WHO, *WORDS[n], "ACTOR")
                elif op == "delete" and spans:
                    store.delete_span(spans[n % len(spans)].id)
                elif op == "update" and spans:
                    store.update_span(spans[n % len(spans)].id, attributes={"n": n})
                elif op == "status":
                    store.set_status(1, WHO, list(Status)[n % 4 + 1])
                elif op in ("undo", "redo"):
                    edit = store.undo(WHO) if op == "undo" else store.redo(WHO)
                    if edit is not None:
                        assert owner.get(edit.id) == who, f"{op} in session {who} took {edit}"
                        owner[edit.id] = who
            except UndoConflict as exc:
                assert owner.get(exc.edit.id) == who  # refused, but it was the session's own
            for e in store.edits(WHO):
                if e.id not in known:
                    owner[e.id] = who
        assert a.conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        for span in a.spans(1, WHO):  # every span is whole and where it was made
            assert (span.start, span.end) in WORDS and TEXT[span.start : span.end] == span.text


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_a_process_that_ended_but_is_not_reaped_yet_is_not_running():
    """A newsmark whose SSH link dropped ends, and may stay a zombie until its parent reaps it:
    its entries are then undoable from the next login (the signal-0 check alone says 'alive')."""
    import os
    import time

    from annotations.storage.sqlite.undo import HOST, running

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        deadline = time.monotonic() + 30
        while Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
            assert time.monotonic() < deadline, "the child never ended"
            time.sleep(0.01)
        os.kill(child.pid, 0)  # the process table still has it
        assert not running(1, HOST, child.pid)
    finally:
        child.wait()
    assert running(1, HOST, os.getppid())  # a live process is running
