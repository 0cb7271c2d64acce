"""The annotator's session (annotations/session/annotate.py) on a real SQLite file, no terminal.

Every check of what a call did reads the store; failures are real ones (a span
outside the text, a trigger that refuses a write), never a mocked store.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from annotations.model import Status
from annotations.session import (
    AlreadyTagged,
    AnnotateSession,
    ArticleGone,
    NotSaved,
    Refused,
)
from annotations.storage import Store
from tests.conftest import add_text

TEXT = "Rebels said the army shelled Idlib on Monday. Two people died in Aleppo."
WHO = "ana"


def where(phrase: str) -> tuple[int, int]:
    start = TEXT.index(phrase)
    return start, start + len(phrase)


def refuse(db_path: Path, statement: str) -> None:
    """Make the database refuse ``statement`` (INSERT/DELETE/UPDATE) on spans, as a full disk would."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute(
        f"CREATE TRIGGER refuse BEFORE {statement} ON spans BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    conn.close()


@pytest.fixture
def session(store: Store) -> AnnotateSession:
    add_text(store, TEXT, 0)
    add_text(store, TEXT, 1)
    opened = AnnotateSession(store, WHO)
    opened.open(1)
    return opened


def saved(store: Store, article_id: int = 1) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.label) for s in store.spans(article_id, WHO)]


def test_tag_saves_the_span_marks_the_article_in_progress_and_says_what(session, store):
    change = session.tag(*where("Rebels"), "ACTOR")
    assert saved(store) == [(*where("Rebels"), "ACTOR")]
    assert change.what == "tag" and change.note == "ACTOR “Rebels”"
    assert change.changed == where("Rebels") and change.status_changed
    assert store.status(1, WHO) is Status.IN_PROGRESS
    assert session.spans == store.spans(1, WHO)
    second = session.tag(*where("Idlib"), "LOCATION")
    assert not second.status_changed  # already in progress: the header stays


def test_the_same_span_twice_is_refused_and_nothing_is_saved(session, store):
    session.tag(*where("army"), "ACTOR")
    edits = store.edits(WHO)
    with pytest.raises(AlreadyTagged, match="already tagged as ACTOR"):
        session.tag(*where("army"), "ACTOR")
    assert store.edits(WHO) == edits
    session.tag(*where("army"), "CASUALTY")  # overlapping spans of other labels are fine
    assert saved(store) == [(*where("army"), "ACTOR"), (*where("army"), "CASUALTY")]


def test_a_tag_the_store_refuses_raises_not_saved_and_keeps_the_spans(session, store):
    with pytest.raises(NotSaved, match="outside article"):
        session.tag(5, 10_000, "ACTOR")
    assert saved(store) == [] and session.spans == []


def test_delete_and_edit_save_and_a_refused_delete_keeps_the_span(session, store, db_path):
    span = session.tag(*where("Aleppo"), "ACTOR").span
    assert span is not None
    edit = session.edit(span, "LOCATION", {"precision": "city"})
    assert edit.note == "LOCATION precision=city"
    assert [(s.label, s.attributes) for s in store.spans(1, WHO)] == [("LOCATION", {"precision": "city"})]
    assert session.spans[0].label == "LOCATION"
    refuse(db_path, "DELETE")
    with pytest.raises(NotSaved, match="disk full"):
        session.delete(session.spans[0])
    assert len(store.spans(1, WHO)) == 1 and len(session.spans) == 1


def test_delete_says_undo_brings_it_back(session, store):
    span = session.tag(*where("army"), "ACTOR").span
    assert span is not None
    change = session.delete(span)
    assert change.note == "deleted ACTOR “army” (u undoes)" and change.changed == where("army")
    assert saved(store) == [] and session.spans == []
    replay = session.undo()
    assert replay.note == "undo: deleting ACTOR “army”" and replay.cursor == where("army")[0]
    assert replay.same_article and saved(store) == [(*where("army"), "ACTOR")]
    assert [s.id for s in session.spans] == [span.id]  # the same span, not a copy


def test_undo_redo_then_nothing_left_to_undo(session, store):
    session.tag(*where("Monday"), "LOCATION")
    assert session.undo().note == "undo: adding LOCATION “Monday”"
    assert saved(store) == [] and session.spans == []
    assert session.redo().note == "redo: adding LOCATION “Monday”"
    assert saved(store) == [(*where("Monday"), "LOCATION")]
    session.undo()
    with pytest.raises(Refused, match="nothing to undo"):
        session.undo()
    session.redo()
    with pytest.raises(Refused, match="nothing to redo"):
        session.redo()


def test_undo_on_another_article_says_so_and_leaves_the_open_spans(session, store):
    session.tag(*where("Idlib"), "LOCATION")
    session.open(2)
    replay = session.undo()
    assert not replay.same_article and replay.edit.article_id == 1
    assert saved(store, 1) == [] and session.spans == []


def test_set_status_saves_names_the_next_to_do_and_undoes(session, store):
    change = session.set_status(1, Status.DONE)
    assert store.status(1, WHO) is Status.DONE and change.following == 2
    assert session.done_count() == 1
    assert session.set_status(2, Status.FLAGGED).following is None  # nothing left to do
    replay = session.undo()
    assert replay.note == "undo: status new → flagged" and replay.changed is None and replay.cursor == 0
    assert store.status(2, WHO) is Status.NEW


def test_opening_an_article_that_is_gone_raises_and_keeps_the_open_one(session):
    with pytest.raises(ArticleGone, match="article 99 is gone"):
        session.open(99)
    assert session.article_id == 1


def test_nothing_open_refuses_a_tag(store):
    add_text(store, TEXT)
    with pytest.raises(Refused):
        AnnotateSession(store, WHO).tag(0, 6, "ACTOR")
