"""newsmark assign: the plan (balance, overlap, seeds), the store's assignments, the
"todo" view of an annotator with a queue, and the command; real SQLite files, no mocks."""

from __future__ import annotations

from collections import Counter

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.assign import plan
from annotations.cli import main
from annotations.model import Status
from annotations.storage import Store
from tests.storage.conftest import numbered


def add_articles(store: Store, n: int, start: int = 0) -> list[int]:
    return [store.add_article(numbered(i))[1] for i in range(start, start + n)]


def assigned(store: Store, names: list[str]) -> dict[str, list[int]]:
    """Each annotator's assigned articles, read through the "todo" view.

    With every unfinished article assigned to one of ``names`` (checked), an annotator's to-do
    is exactly the unfinished articles assigned to them.
    """
    assert store.unassigned_todo_ids(names) == []
    return {name: list(store.list_ids(name, "todo")) for name in names}


def per_article(given_: dict[str, list[int]]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for name, ids in given_.items():
        for i in ids:
            out.setdefault(i, []).append(name)
    return out


# -- the plan ----------------------------------------------------------------------


def test_each_article_gets_overlap_distinct_annotators_and_loads_balance():
    result = plan(range(1, 11), ["ana", "ben", "cy"], 2, seed=7)
    assert list(result) == ["ana", "ben", "cy"]
    by_article = per_article(result)
    assert sorted(by_article) == list(range(1, 11))
    assert all(len(names) == len(set(names)) == 2 for names in by_article.values())
    loads = [len(ids) for ids in result.values()]
    assert sum(loads) == 20 and max(loads) - min(loads) <= 1
    assert all(ids == sorted(ids) for ids in result.values())


def test_existing_load_is_counted():
    existing = {"ana": 4, "ben": 0, "cy": 1}
    result = plan(range(10), ["ana", "ben", "cy"], 2, seed=3, existing_load=existing)
    totals = {name: existing[name] + len(ids) for name, ids in result.items()}
    assert sum(totals.values()) == 5 + 20
    assert max(totals.values()) - min(totals.values()) <= 1
    assert len(result["ben"]) > len(result["ana"])
    assert all(len(set(n)) == 2 for n in per_article(result).values())


def test_pairs_vary():
    result = plan(range(30), ["ana", "ben", "cy"], 2, seed=1)
    pairs = Counter(tuple(sorted(names)) for names in per_article(result).values())
    assert len(pairs) == 3  # every pair works together
    assert max(pairs.values()) - min(pairs.values()) <= 2


def test_same_seed_same_plan_whatever_the_input_order():
    a = plan([5, 1, 3, 2, 4, 9, 8], ["ana", "ben", "cy", "dee"], 2, seed=42)
    b = plan([9, 8, 4, 3, 2, 1, 5, 5], ["dee", "cy", "ben", "ana"], 2, seed=42)
    assert a == b
    others = [plan(range(40), ["ana", "ben", "cy", "dee"], 2, seed=s) for s in range(5)]
    assert len({repr(sorted(p.items())) for p in others}) > 1  # the seed matters


@pytest.mark.parametrize("overlap", [0, -1, 4])
def test_overlap_outside_one_to_annotators_is_an_error(overlap):
    with pytest.raises(ValueError, match="overlap must be between 1 and the number of annotators"):
        plan([1, 2], ["ana", "ben", "cy"], overlap)


def test_bad_annotator_lists_are_errors():
    with pytest.raises(ValueError, match="more than once: ana"):
        plan([1], ["ana", "ben", "ana"], 1)
    with pytest.raises(ValueError, match="no annotators"):
        plan([1], [], 1)


def test_nothing_to_assign_gives_empty_queues():
    assert plan([], ["ana", "ben"], 2, seed=0) == {"ana": [], "ben": []}


@settings(max_examples=200, deadline=None)
@given(
    n_articles=st.integers(0, 60),
    n_annotators=st.integers(1, 7),
    data=st.data(),
    seed=st.integers(0, 2**32),
)
def test_plan_properties(n_articles, n_annotators, data, seed):
    names = [f"a{k}" for k in range(n_annotators)]
    overlap = data.draw(st.integers(1, n_annotators), label="overlap")
    existing = data.draw(st.dictionaries(st.sampled_from(names), st.integers(0, 8)), label="load")
    result = plan(range(n_articles), names, overlap, seed, existing)
    assert result == plan(range(n_articles), names, overlap, seed, existing)
    by_article = per_article(result)
    assert sorted(by_article) == list(range(n_articles)) or n_articles == 0
    assert all(len(set(ns)) == len(ns) == overlap for ns in by_article.values())
    before = [existing.get(n, 0) for n in names]
    after = [existing.get(n, 0) + len(result[n]) for n in names]
    # The gap between busiest and idlest never widens, and from equal loads stays <= 1.
    assert max(after) - min(after) <= max(1, max(before) - min(before))
    if not existing:
        assert max(after) - min(after) <= 1


# -- the store ----------------------------------------------------------------------


def test_store_assign_counts_and_clear(store):
    ids = add_articles(store, 6)
    added = store.assign({"ana": ids[:3], "ben": ids[2:5]})
    assert added == {"ana": 3, "ben": 3}
    assert store.assign({"ana": ids[:4]}) == {"ana": 1}  # already there: kept, not counted
    store.set_status(ids[0], "ana", Status.DONE)
    store.set_status(ids[1], "ana", Status.IN_PROGRESS, record=False)
    store.set_status(ids[2], "ben", Status.REVIEWED)
    assert store.assignment_counts() == {"ana": (4, 1), "ben": (3, 1)}
    assert store.has_assignments("ana") and not store.has_assignments("cy")
    assert not store.has_assignments("nobody")
    assert store.unassigned_todo_ids(["ana", "ben"]) == [ids[5]]
    assert store.clear_assignments(["ben", "nobody"]) == 3
    assert store.unassigned_todo_ids(["ana", "ben"]) == [ids[4], ids[5]]
    assert store.clear_assignments() == 4
    assert store.assignment_counts() == {}


def test_unassigned_todo_leaves_out_what_any_named_annotator_finished(store):
    ids = add_articles(store, 5)
    store.set_status(ids[0], "ana", Status.DONE)
    store.set_status(ids[1], "ben", Status.SKIPPED)
    store.set_status(ids[2], "ben", Status.IN_PROGRESS, record=False)  # not finished
    store.set_status(ids[3], "cy", Status.FLAGGED)  # cy is not among those asked
    assert store.unassigned_todo_ids(["ana", "ben"]) == ids[2:]
    assert store.unassigned_todo_ids(["nobody"]) == ids


def test_assignments_go_with_their_article(store):
    ids = add_articles(store, 2)
    store.assign({"ana": ids})
    # Raw SQL on purpose: the store has no public delete of an article; this checks the schema's cascade.
    store.conn.execute("DELETE FROM articles WHERE id = ?", (ids[0],))
    assert store.assignment_counts() == {"ana": (1, 0)}


@pytest.fixture
def queues(store: Store) -> list[int]:
    """Ten articles: ana is given 2, 5, 7; ben 5, 8; 0,1,3,4,6,9 are nobody's.
    ana finished 7 and 1; cy never wrote."""
    ids = add_articles(store, 10)
    store.assign({"ana": [ids[2], ids[5], ids[7]], "ben": [ids[5], ids[8]]})
    store.set_status(ids[7], "ana", Status.DONE)
    store.set_status(ids[1], "ana", Status.FLAGGED)
    return ids


def paged(store: Store, annotator: str, view: str) -> list[int]:
    out, after = [], 0
    while page := store.ids_after(annotator, view, after, 3):
        out += page
        after = page[-1]
    return out


def test_todo_of_an_assigned_annotator_hides_what_only_others_were_given(store, queues):
    ids = queues
    ana = [ids[i] for i in (0, 2, 3, 4, 5, 6, 9)]  # not 8 (ben's only), not 1, 7 (finished)
    ben = [ids[i] for i in (0, 1, 3, 4, 5, 6, 8, 9)]  # not 2, 7 (ana's only)
    for name, want in (("ana", ana), ("ben", ben)):
        assert list(store.list_ids(name, "todo")) == want, name
        assert paged(store, name, "todo") == want, name
        assert store.view_count(name, "todo") == len(want), name
        for k, key in enumerate(want):
            assert store.ids_before(name, "todo", key, 2) == want[max(0, k - 2) : k]
    # Other views do not change.
    assert list(store.list_ids("ana", "all")) == ids
    assert list(store.list_ids("ana", "done")) == [ids[7]]
    assert store.view_count("ben", "all") == 10


def test_without_assignments_everything_is_to_do_as_before(store, queues):
    ids = queues
    store.set_status(ids[4], "cy", Status.DONE)
    want = [i for i in ids if i != ids[4]]
    assert list(store.list_ids("cy", "todo")) == want
    assert paged(store, "cy", "todo") == want
    assert store.view_count("cy", "todo") == 9
    assert list(store.list_ids("nobody", "todo")) == ids
    assert store.view_count("nobody", "todo") == 10
    assert store.next_todo("cy", 0) == ids[0]
    assert store.next_todo("cy", ids[3]) == ids[5]


def test_next_todo_takes_the_own_queue_first_then_the_unassigned(store, queues):
    ids = queues
    assert store.next_todo("ana", 0) == ids[2]
    assert store.next_todo("ana", ids[2]) == ids[5]
    assert store.next_todo("ana", ids[5]) == ids[2]  # wraps round within the queue
    assert store.next_todo("ana", ids[9]) == ids[2]
    assert store.next_todo("ben", 0) == ids[5]
    assert store.next_todo("ben", ids[8]) == ids[5]
    # Finished articles leave the queue, and the view.
    store.set_status(ids[2], "ana", Status.DONE)
    assert store.next_todo("ana", 0) == ids[5]
    assert store.next_todo("ana", ids[5]) == ids[5]  # the one left in the queue
    store.set_status(ids[5], "ana", Status.SKIPPED)
    assert ids[5] not in store.list_ids("ana", "todo")
    assert store.view_count("ana", "todo") == 5
    # Queue finished: the unassigned articles, in order, still never ben's.
    assert store.next_todo("ana", ids[4]) == ids[6]
    assert store.next_todo("ana", ids[6]) == ids[9]
    assert store.next_todo("ana", ids[9]) == ids[0]
    for i in (0, 3, 4, 6, 9):
        store.set_status(ids[i], "ana", Status.DONE)
    assert store.next_todo("ana", 0) is None
    assert store.view_count("ana", "todo") == 0
    assert list(store.list_ids("ana", "todo")) == []


def test_the_view_follows_changes_made_through_another_connection(store, queues, db_path):
    ids = queues
    assert store.view_count("cy", "todo") == 10
    with Store(db_path) as other:
        other.assign({"cy": [ids[0]]})
    assert store.has_assignments("cy")
    assert ids[2] not in store.list_ids("cy", "todo")  # ana's only, now hidden from cy
    assert store.next_todo("cy", ids[5]) == ids[0]
    with Store(db_path) as other:
        other.clear_assignments(["cy"])
    assert list(store.list_ids("cy", "todo")) == ids


# -- the command ----------------------------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_assign_command_deals_out_and_a_second_run_only_the_new(db_path):
    with Store(db_path) as store:
        ids = add_articles(store, 10)
        store.set_status(ids[0], "ben", Status.DONE)  # finished by one of them: not dealt out
    db = str(db_path)
    result = run(
        "assign", "--db", db, "--annotators", "ana,ben", "--annotators", "cy", "--overlap", "2", "--seed", "5"
    )
    assert result.exit_code == 0, result.output
    assert "assigned 9 article(s), each to 2 of 3 annotator(s): 18 new assignment(s)" in result.output
    assert "newly assigned" in result.output and "finished" in result.output
    cells = [[c for c in line.split() if c != "│"] for line in result.output.splitlines()]
    rows = {c[0]: c[1:] for c in cells if c and c[0] in ("ana", "ben", "cy")}
    assert rows == {"ana": ["6", "6", "0"], "ben": ["6", "6", "0"], "cy": ["6", "6", "0"]}
    with Store(db_path) as store:
        first = store.assignment_counts()
        assert first == {"ana": (6, 0), "ben": (6, 0), "cy": (6, 0)}
        assert store.unassigned_todo_ids(["ana", "ben", "cy"]) == []
        new = add_articles(store, 2, start=100)
        store.set_status(ids[1], "ana", Status.DONE)

    again = run("assign", "--db", db, "--annotators", "ana,ben,cy", "--overlap", "2", "--seed", "5")
    assert again.exit_code == 0, again.output
    assert "assigned 2 article(s)" in again.output
    with Store(db_path) as store:
        counts = store.assignment_counts()
        assert sum(a for a, _ in counts.values()) == 18 + 4
        assert sorted(n for n, _ in counts.values()) == [7, 7, 8]
        assert sum(f for _, f in counts.values()) in (0, 1)  # ids[1] counts if it was ana's
        holders = per_article(assigned(store, ["ana", "ben", "cy"]))
        assert all(len(holders[i]) == 2 for i in new)

    nothing = run("assign", "--db", db, "--annotators", "ana,ben,cy", "--overlap", "2")
    assert nothing.exit_code == 0, nothing.output
    assert "nothing to assign" in nothing.output


def test_assign_command_same_seed_same_assignments(tmp_path):
    results = []
    for k in range(2):
        path = tmp_path / f"{k}.db"
        with Store(path) as store:
            add_articles(store, 12)
        assert (
            run(
                "assign", "--db", str(path), "--annotators", "ana,ben,cy,dee", "--overlap", "2", "--seed", "9"
            ).exit_code
            == 0
        )
        with Store(path) as store:
            results.append(assigned(store, ["ana", "ben", "cy", "dee"]))
    assert results[0] == results[1] and sum(map(len, results[0].values())) == 24


def test_assign_command_errors(db_path):
    with Store(db_path) as store:
        add_articles(store, 3)
    db = str(db_path)
    too_many = run("assign", "--db", db, "--annotators", "ana,ben", "--overlap", "3")
    assert too_many.exit_code == 2
    assert "--overlap" in too_many.output and "number of annotators (2)" in too_many.output
    zero = run("assign", "--db", db, "--annotators", "ana,ben", "--overlap", "0")
    assert zero.exit_code == 2 and "between 1 and" in zero.output
    no_overlap = run("assign", "--db", db, "--annotators", "ana")
    assert no_overlap.exit_code == 2 and "missing --overlap" in no_overlap.output
    nobody = run("assign", "--db", db, "--overlap", "1")
    assert nobody.exit_code == 2 and "missing --annotators" in nobody.output
    with Store(db_path) as store:
        assert store.assignment_counts() == {}


def test_assign_command_clear(db_path):
    with Store(db_path) as store:
        add_articles(store, 4)
    db = str(db_path)
    assert (
        run("assign", "--db", db, "--annotators", "ana,ben", "--overlap", "1", "--seed", "1").exit_code == 0
    )
    cleared = run("assign", "--db", db, "--clear", "--annotators", "ana")
    assert cleared.exit_code == 0 and "removed 2 assignment(s) of ana" in cleared.output
    with Store(db_path) as store:
        assert store.assignment_counts() == {"ben": (2, 0)}
    redeal = run("assign", "--db", db, "--clear", "--annotators", "ben,cy", "--overlap", "1", "--seed", "1")
    assert redeal.exit_code == 0, redeal.output
    with Store(db_path) as store:
        assert store.assignment_counts() == {"ben": (2, 0), "cy": (2, 0)}
    everything = run("assign", "--db", db, "--clear")
    assert everything.exit_code == 0 and "removed 4 assignment(s) of every annotator" in everything.output
