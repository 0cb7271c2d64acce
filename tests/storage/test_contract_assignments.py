"""Assignments through the store: a plan saved, counted, cleared; what is left to deal out."""

from __future__ import annotations

from annotations.model import Status
from tests.storage.conftest import TEXT, article


def test_assign_counts_new_rows_and_keeps_old_ones(store):
    ids = [store.add_article(article(f"{TEXT} {i}"))[1] for i in range(4)]
    assert store.assign({"ana": ids[:2], "ben": ids[1:3]}) == {"ana": 2, "ben": 2}
    assert store.assign({"ana": ids[:3]}) == {"ana": 1}
    assert store.has_assignments("ana") and not store.has_assignments("cas")
    store.set_status(ids[0], "ana", Status.DONE)
    counts = store.assignment_counts()
    assert counts == {"ana": (3, 1), "ben": (2, 0)}
    assert (counts["ana"].assigned, counts["ana"].finished) == (3, 1)
    assert store.unassigned_todo_ids(["ana", "ben"]) == [ids[3]]


def test_clearing_assignments(store):
    ids = [store.add_article(article(f"{TEXT} {i}"))[1] for i in range(3)]
    store.assign({"ana": ids, "ben": ids[:1]})
    assert store.clear_assignments(["nobody"]) == 0
    assert store.clear_assignments(["ben"]) == 1
    assert store.clear_assignments() == 3
    assert store.assignment_counts() == {} and store.unassigned_todo_ids([]) == ids


def test_an_assigned_annotators_todo_is_their_queue_and_the_unassigned(store):
    ids = [store.add_article(article(f"{TEXT} {i}"))[1] for i in range(4)]
    store.assign({"ana": [ids[2]], "ben": [ids[0]]})
    assert store.list_ids("ana", "todo").tolist() == [ids[1], ids[2], ids[3]]
    assert store.view_count("ana", "todo") == 3
    assert store.next_todo("ana", 0) == ids[2]  # their own first
    store.set_status(ids[2], "ana", Status.DONE)
    assert store.next_todo("ana", ids[2]) == ids[3]  # their queue is done: the unassigned, after it
    assert store.next_todo("ana", ids[3]) == ids[1]  # wrapping round
    assert store.list_ids("cas", "todo").tolist() == ids  # no assignments: everything
