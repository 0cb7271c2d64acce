"""The persistent undo log: every annotator action can be undone and redone, grouped, and
a failed action inside a group leaves the group's other actions one undo step."""

from __future__ import annotations

import pytest

from annotations.model import Status
from annotations.storage import Store, UndoConflict
from tests.storage.conftest import article


@pytest.fixture
def art(store) -> int:
    return store.add_article(article())[1]


def span_tuples(store: Store, article_id: int, annotator: str = "ana") -> list[tuple]:
    return [
        (s.id, s.start, s.end, s.label, s.attributes, s.created_at, s.updated_at)
        for s in store.spans(article_id, annotator)
    ]


def test_undo_and_redo_an_added_span(store, art):
    span = store.add_span(art, "ana", 0, 7, "ACTOR")
    edit = store.undo("ana")
    assert edit.kind == "add_span" and edit.undone and edit.article_id == art
    assert edit.after["start"] == 0 and edit.after["id"] == span.id and edit.before is None
    assert store.spans(art) == []
    redone = store.redo("ana")
    assert redone.id == edit.id and not redone.undone
    assert store.spans(art) == [span]  # same id, same timestamps
    assert store.redo("ana") is None


def test_undo_of_delete_restores_the_same_span(store, art):
    span = store.add_span(art, "ana", 8, 14, "ACTOR", {"side": "TR"})
    other = store.add_span(art, "ana", 23, 30, "LOCATION")
    assert store.delete_span(span.id) == span
    assert store.delete_span(span.id) is None  # gone: nothing to delete, nothing logged
    edit = store.undo("ana")
    assert edit.kind == "delete_span" and edit.before["id"] == span.id and edit.after is None
    assert store.spans(art) == [span, other]
    store.redo("ana")
    assert store.spans(art) == [other]


def test_deleted_span_ids_are_never_reused(store, art):
    span = store.add_span(art, "ana", 0, 7, "ACTOR")
    store.delete_span(span.id)
    assert store.add_span(art, "ana", 0, 7, "ACTOR").id > span.id


def test_undo_and_redo_an_update(store, art):
    span = store.add_span(art, "ana", 0, 7, "ACTOR", {"a": 1})
    updated = store.update_span(span.id, label="LOCATION")
    assert updated.label == "LOCATION" and updated.attributes == {"a": 1}
    assert store.update_span(span.id, attributes={"b": 2}).attributes == {"b": 2}
    assert store.update_span(span.id, label="LOCATION").label == "LOCATION"  # no change: not logged
    assert store.undo("ana").kind == "update_span"
    assert store.span(span.id).attributes == {"a": 1} and store.span(span.id).label == "LOCATION"
    edit = store.undo("ana")
    assert edit.before["label"] == "ACTOR" and edit.after["label"] == "LOCATION"
    assert store.span(span.id) == span  # label, attributes and updated_at as they were
    store.redo("ana")
    assert store.span(span.id).label == "LOCATION"
    with pytest.raises(KeyError):
        store.update_span(9999, label="X")


def test_undo_and_redo_statuses(store, art):
    store.set_status(art, "ana", Status.IN_PROGRESS, record=False)  # opening it: not an action
    store.set_status(art, "ana", Status.DONE)
    store.set_status(art, "ana", Status.FLAGGED)
    edit = store.undo("ana")
    assert (edit.kind, edit.before, edit.after) == ("set_status", {"status": "done"}, {"status": "flagged"})
    assert store.status(art, "ana") is Status.DONE
    store.undo("ana")
    assert store.status(art, "ana") is Status.IN_PROGRESS
    assert store.undo("ana") is None  # the unrecorded change is not in the log
    store.redo("ana")
    store.redo("ana")
    assert store.status(art, "ana") is Status.FLAGGED


def test_undoing_a_first_status_removes_the_row(store, art):
    store.set_status(art, "ana", "done")
    assert store.undo("ana").before == {"status": None}
    assert store.status(art, "ana") is Status.NEW
    assert store.export_keys(statuses=None) == []  # no status row left behind


def test_a_new_action_discards_the_redo_stack(store, art):
    store.add_span(art, "ana", 0, 7, "ACTOR")
    store.add_span(art, "ana", 8, 14, "ACTOR")
    store.undo("ana")
    store.undo("ana")
    store.add_span(art, "ana", 23, 30, "LOCATION")
    assert store.redo("ana") is None
    assert [s.label for s in store.spans(art)] == ["LOCATION"]


def test_unrecorded_status_keeps_the_redo_stack(store, art):
    store.add_span(art, "ana", 0, 7, "ACTOR")
    store.undo("ana")
    store.set_status(art, "ana", Status.IN_PROGRESS, record=False)
    assert store.redo("ana").kind == "add_span"


def test_redo_replays_in_original_order(store, art):
    first = store.add_span(art, "ana", 0, 7, "ACTOR")
    store.update_span(first.id, label="LOCATION")
    store.undo("ana")
    store.undo("ana")
    assert store.redo("ana").kind == "add_span"
    assert store.redo("ana").kind == "update_span"
    assert store.span(first.id).label == "LOCATION"


def test_annotators_have_their_own_logs(store, art):
    store.add_span(art, "ana", 0, 7, "ACTOR")
    store.add_span(art, "ben", 8, 14, "ACTOR")
    store.set_status(art, "ben", "done")
    assert store.undo("ana").annotator == "ana"
    assert store.spans(art, "ana") == [] and len(store.spans(art, "ben")) == 1
    assert store.undo("ana") is None
    assert store.undo("ben").kind == "set_status"
    assert store.undo("nobody") is None and store.redo("nobody") is None
    store.add_span(art, "ben", 23, 30, "LOCATION")  # ben's new action leaves ana's redo alone
    assert store.redo("ana").annotator == "ana"


def test_a_failed_action_logs_nothing(store, art):
    with pytest.raises(ValueError):
        store.add_span(art, "ana", 0, 10_000, "ACTOR")
    assert store.edits("ana") == []


def test_an_annotator_made_in_a_rolled_back_transaction_is_not_remembered(store, art):
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.add_span(art, "zoe", 0, 7, "ACTOR")
            raise RuntimeError("boom")
    assert store.add_span(art, "zoe", 0, 7, "ACTOR").annotator == "zoe"  # no stale cached id
    assert [e.kind for e in store.edits("zoe")] == ["add_span"]


# -- undo per session: two stores on one database are two sessions (two app runs) -------------


def test_undo_takes_back_the_sessions_own_edit_not_the_other_sessions(store, art, reopen):
    other = reopen()
    mine = store.add_span(art, "ana", 0, 7, "ACTOR")
    theirs = other.add_span(art, "ana", 8, 14, "ACTOR")  # newer, same annotator
    assert store.undo("ana").after["id"] == mine.id
    assert store.spans(art) == [theirs]
    assert store.undo("ana") is None  # the rest is the other running session's
    assert store.redo("ana").after["id"] == mine.id
    assert other.undo("ana").after["id"] == theirs.id
    assert store.spans(art) == [mine]


def test_a_new_action_keeps_the_other_sessions_redo(store, art, reopen):
    other = reopen()
    span = store.add_span(art, "ana", 0, 7, "ACTOR")
    store.undo("ana")
    other.add_span(art, "ana", 8, 14, "ACTOR")  # would have dropped it when undo was per annotator
    assert other.redo("ana") is None  # not the other's to redo
    assert store.redo("ana").after["id"] == span.id


def test_a_later_session_undoes_the_history_of_ended_ones(store, art, reopen):
    first = reopen()
    old = first.add_span(art, "ana", 0, 7, "ACTOR")
    first.set_status(art, "ana", Status.DONE)
    first.close()  # that run ended
    later = reopen()
    assert later.undo("ana").kind == "set_status"
    assert later.undo("ana").after["id"] == old.id
    assert later.spans(art) == [] and later.status(art, "ana") is Status.NEW
    assert store.redo("ana") is None  # what `later` undid is later's to redo
    assert later.redo("ana").after["id"] == old.id


def test_undo_of_a_span_changed_in_another_session_is_refused_and_leaves_the_log(store, art, reopen):
    other = reopen()
    before = store.add_span(art, "ana", 23, 30, "LOCATION")
    span = store.add_span(art, "ana", 0, 7, "ACTOR")
    relabelled = other.update_span(span.id, label="LOCATION")
    with pytest.raises(UndoConflict) as refused:
        store.undo("ana")
    assert refused.value.edit.kind == "add_span" and refused.value.undo
    assert store.span(span.id) == relabelled  # the other session's change stands
    assert store.undo("ana").after["id"] == before.id  # the next u goes on to the one before
    assert other.undo("ana").kind == "update_span"  # the other session's own undo still works
    assert store.span(span.id).label == "ACTOR"


def test_undo_of_a_span_deleted_in_another_session_is_refused(store, art, reopen):
    other = reopen()
    span = store.add_span(art, "ana", 0, 7, "ACTOR", {"a": 1})
    store.update_span(span.id, attributes={"a": 2})
    other.delete_span(span.id)
    with pytest.raises(UndoConflict):
        store.undo("ana")  # the update: the span is gone
    assert store.spans(art) == []
    with pytest.raises(UndoConflict):
        store.undo("ana")  # the add: gone too
    assert store.undo("ana") is None
    other.undo("ana")  # the delete: back as the other session deleted it
    assert store.span(span.id).attributes == {"a": 2}


def test_redo_over_a_change_made_elsewhere_is_refused(store, art, reopen):
    other = reopen()
    span = store.add_span(art, "ana", 0, 7, "ACTOR")
    store.delete_span(span.id)
    store.undo("ana")  # the span is back; redo would delete it again
    other.update_span(span.id, label="LOCATION")
    with pytest.raises(UndoConflict) as refused:
        store.redo("ana")
    assert not refused.value.undo
    assert store.span(span.id).label == "LOCATION"


def test_undo_of_a_status_changed_elsewhere_is_refused(store, art, reopen):
    other = reopen()
    store.set_status(art, "ana", Status.DONE)
    other.set_status(art, "ana", Status.FLAGGED)
    with pytest.raises(UndoConflict):
        store.undo("ana")
    assert store.status(art, "ana") is Status.FLAGGED


def test_a_refused_group_undoes_none_of_it(store, art, reopen):
    other = reopen()
    with store.edit_group():
        kept = store.add_span(art, "ana", 0, 7, "ACTOR")
        changed = store.add_span(art, "ana", 8, 14, "ACTOR")
    other.update_span(changed.id, label="LOCATION")
    with pytest.raises(UndoConflict):
        store.undo("ana")
    assert {s.id for s in store.spans(art)} == {kept.id, changed.id}  # not half undone


def test_each_store_is_a_session_of_its_own(store, reopen):
    assert store.session_id != reopen().session_id


def test_data_version_moves_when_another_session_commits_only(store, art, reopen):
    other = reopen()
    seen = store.data_version()
    store.add_span(art, "ana", 0, 7, "ACTOR")  # our own commit
    store.spans(art)
    assert store.data_version() == seen
    other.add_span(art, "ana", 8, 14, "ACTOR")
    moved = store.data_version()
    assert moved != seen
    assert store.data_version() == moved  # asking again changes nothing
