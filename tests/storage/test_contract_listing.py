"""The article list per annotator: views, keyset pages, rows, progress, next article to do."""

from __future__ import annotations

import pytest

from annotations.model import VIEWS, ListRow, Status
from annotations.storage import Store
from tests.storage.conftest import numbered


@pytest.fixture
def ids(store: Store) -> list[int]:
    """Ten articles; ana: 1 done, 2 flagged, 3 skipped, 4 in progress, 6 done, 8 reviewed; ben: 5 done."""
    ids = [
        store.add_article(numbered(i, source=f"src{i % 2}", published=f"2020-01-{i + 1:02d}"))[1]
        for i in range(10)
    ]
    store.set_status(ids[1], "ana", Status.DONE)
    store.set_status(ids[2], "ana", Status.FLAGGED)
    store.set_status(ids[3], "ana", Status.SKIPPED)
    store.set_status(ids[4], "ana", Status.IN_PROGRESS, record=False)
    store.set_status(ids[6], "ana", Status.DONE)
    store.set_status(ids[5], "ben", Status.DONE)
    store.set_status(ids[8], "ana", Status.REVIEWED, record=False)
    return ids


def test_each_view_lists_its_ids_in_order(store, ids):
    expect = {
        "all": ids,
        "todo": [ids[i] for i in (0, 4, 5, 7, 9)],
        "done": [ids[1], ids[6]],
        "flagged": [ids[2]],
        "skipped": [ids[3]],
        "reviewed": [ids[8]],
    }
    assert set(expect) == set(VIEWS)
    for view, want in expect.items():
        assert list(store.list_ids("ana", view)) == want, view
        assert store.view_count("ana", view) == len(want), view
    assert list(store.list_ids("ben", "todo")) == [i for i in ids if i != ids[5]]
    assert list(store.list_ids("nobody", "todo")) == ids  # reading does not create annotators
    assert list(store.list_ids("nobody", "done")) == []
    assert "nobody" not in store.stats().statuses  # reading made no annotator
    with pytest.raises(ValueError):
        store.list_ids("ana", "finished")


@pytest.mark.parametrize("view", VIEWS)
def test_keyset_pages_agree_with_the_full_list(store, ids, view):
    full = list(store.list_ids("ana", view))
    paged, after = [], 0
    while page := store.ids_after("ana", view, after, 2):
        paged += page
        after = page[-1]
    assert paged == full
    for k, key in enumerate(full):
        assert store.ids_before("ana", view, key, 2) == full[max(0, k - 2) : k]
        assert store.ids_after("ana", view, key, 3) == full[k + 1 : k + 4]


def test_list_rows_keep_the_order_asked_with_status_and_span_counts(store, ids):
    store.add_span(ids[1], "ana", 0, 6, "ACTOR")
    store.add_span(ids[1], "ana", 7, 13, "ACTOR")
    store.add_span(ids[1], "ben", 0, 6, "ACTOR")
    store.add_span(ids[5], "ben", 0, 6, "ACTOR")
    asked = [ids[5], ids[1], 99_999, ids[0]]
    rows = store.list_rows("ana", asked)
    assert rows == [
        ListRow(ids[5], "t5", "src1", "2020-01-06", Status.NEW, 0),
        ListRow(ids[1], "t1", "src1", "2020-01-02", Status.DONE, 2),
        ListRow(ids[0], "t0", "src0", "2020-01-01", Status.NEW, 0),
    ]
    ben = store.list_rows("ben", [ids[1], ids[5]])
    assert [(r.status, r.spans) for r in ben] == [(Status.NEW, 1), (Status.DONE, 1)]
    assert store.list_rows("nobody", [ids[1]])[0].spans == 0
    assert store.list_rows("ana", []) == []
    assert [r.id for r in store.list_rows("ana", store.list_ids("ana", "all"))] == ids


def test_progress_counts_done_of_all(store, ids):
    assert store.progress("ana") == (2, 10)
    assert store.progress("ben") == (1, 10)
    assert store.progress("nobody") == (0, 10)
    store.undo("ana")
    assert store.progress("ana") == (1, 10)


def test_next_todo_wraps_round_and_ends(store, ids):
    assert store.next_todo("ana", ids[0]) == ids[4]  # past done, flagged, skipped
    assert store.next_todo("ana", ids[5]) == ids[7]
    assert store.next_todo("ana", ids[9]) == ids[0]  # wraps to the start
    for i in ids:
        store.set_status(i, "ben", Status.DONE)
    assert store.next_todo("ben", ids[3]) is None
    store.set_status(ids[3], "ben", Status.IN_PROGRESS)
    assert store.next_todo("ben", ids[3]) == ids[3]  # the only one left
    assert store.next_todo("nobody", ids[9]) == ids[0]


def test_empty_database(store):
    assert list(store.list_ids("ana", "all")) == []
    assert store.next_todo("ana", 0) is None
    assert store.progress("ana") == (0, 0)
