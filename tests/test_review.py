"""Review logic (annotations/review.py) and its store methods, on real SQLite files.

Three annotators (alice, bob, carol) and a reviewer (rita); no Textual here.
"""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations import review
from annotations.model import SpanData, Status, attribute_key
from annotations.storage import Store
from annotations.storage.sqlite.migrations import MIGRATIONS, migrate
from tests.conftest import add_text

TEXT = (
    "The Syrian government said 12 people died in Aleppo on Monday, and rebels said the army shelled Idlib."
)


def tag(store: Store, article_id: int, who: str, phrase: str, label: str) -> None:
    start = TEXT.index(phrase)
    store.add_span(article_id, who, start, start + len(phrase), label)


def finish(store: Store, article_id: int, plan: dict[str, list[tuple[str, str]]]) -> None:
    for who, spans in plan.items():
        for phrase, label in spans:
            tag(store, article_id, who, phrase, label)
        store.set_status(article_id, who, Status.DONE)


PLAN = {
    "alice": [("Syrian government", "ACTOR"), ("12 people", "CASUALTY"), ("Aleppo", "LOCATION")],
    "bob": [("government", "ACTOR"), ("12 people", "CASUALTY"), ("Aleppo", "LOCATION"), ("rebels", "ACTOR")],
    "carol": [("Syrian government", "ACTOR"), ("12 people", "CASUALTY"), ("Aleppo", "ACTOR")],
}


def where(phrase: str) -> tuple[int, int]:
    start = TEXT.index(phrase)
    return start, start + len(phrase)


def k(phrase: str, label: str, **attributes) -> review.Key:
    """The review key of ``phrase`` tagged ``label`` with ``attributes``."""
    return (*where(phrase), label, attribute_key(attributes))


def keys(store: Store, article_id: int, who: str = "rita") -> list[tuple[str, str]]:
    return sorted((s.text, s.label) for s in store.spans(article_id, who))


@pytest.fixture
def reviewed(store: Store) -> tuple[Store, int]:
    article_id = add_text(store, TEXT)
    finish(store, article_id, PLAN)
    return store, article_id


def test_compare_three_annotators(reviewed):
    store, article_id = reviewed
    c = review.compare(store.review_work(article_id, "rita"))
    assert c.annotators == ("alice", "bob", "carol")
    assert [(s.text, s.label) for s in c.consensus] == [("12 people", "CASUALTY")]
    # "Syrian government"/"government" overlap: one region; Aleppo LOCATION/ACTOR: one; rebels: one
    assert [(r.start, r.end) for r in c.regions] == [
        where("Syrian government"),
        where("Aleppo"),
        where("rebels"),
    ]
    actor, aleppo, rebels = c.regions
    assert actor.versions == {
        "alice": {k("Syrian government", "ACTOR")},
        "bob": {k("government", "ACTOR")},
        "carol": {k("Syrian government", "ACTOR")},
    }
    assert c.made_by[k("Aleppo", "LOCATION")] == ("alice", "bob")
    assert rebels.versions["alice"] == frozenset() and rebels.versions["carol"] == frozenset()
    assert actor.matching({k("Syrian government", "ACTOR")}) == ["alice", "carol"]


def test_start_takes_the_consensus_once_and_is_not_undoable(reviewed):
    store, article_id = reviewed
    c = review.compare(store.review_work(article_id, "rita"))
    assert review.start(store, article_id, "rita", c)
    assert keys(store, article_id) == [("12 people", "CASUALTY")]
    assert store.status(article_id, "rita") is Status.IN_PROGRESS
    store.delete_span(store.spans(article_id, "rita")[0].id)
    assert not review.start(store, article_id, "rita", c)  # second open: the review is as left
    assert keys(store, article_id) == []
    assert store.undo("rita").kind == "delete_span"
    assert store.undo("rita") is None


def test_accept_reject_and_one_undo_step_each(reviewed):
    store, article_id = reviewed
    c = review.compare(store.review_work(article_id, "rita"))
    review.start(store, article_id, "rita", c)
    actor, aleppo, rebels = c.regions
    review.accept(store, article_id, "rita", c, actor, "bob")
    review.accept(store, article_id, "rita", c, aleppo, "carol")
    review.reject(store, article_id, "rita", c, rebels)
    assert keys(store, article_id) == [
        ("12 people", "CASUALTY"),
        ("Aleppo", "ACTOR"),
        ("government", "ACTOR"),
    ]
    assert store.decisions(article_id, "rita") == {
        where("Syrian government"): "bob",
        where("Aleppo"): "carol",
        where("rebels"): "none",
    }
    # Change of mind: alice's version replaces bob's (a delete and an add) ...
    review.accept(store, article_id, "rita", c, actor, "alice")
    assert ("Syrian government", "ACTOR") in keys(store, article_id)
    assert ("government", "ACTOR") not in keys(store, article_id)
    # ... and one undo takes back the delete, the add and the decision together.
    edit = store.undo("rita")
    assert edit.kind == "decide" and edit.after["choice"] == "alice"
    assert ("government", "ACTOR") in keys(store, article_id)
    assert ("Syrian government", "ACTOR") not in keys(store, article_id)
    assert store.decisions(article_id, "rita")[where("Syrian government")] == "bob"
    store.undo("rita")  # the reject
    store.undo("rita")  # carol's Aleppo
    assert store.decisions(article_id, "rita") == {where("Syrian government"): "bob"}
    assert keys(store, article_id) == [("12 people", "CASUALTY"), ("government", "ACTOR")]
    store.redo("rita")
    assert ("Aleppo", "ACTOR") in keys(store, article_id)


def test_accept_keeps_spans_the_reviewer_added_by_hand(reviewed):
    store, article_id = reviewed
    c = review.compare(store.review_work(article_id, "rita"))
    review.start(store, article_id, "rita", c)
    tag(store, article_id, "rita", "Syrian", "LOCATION")  # no annotator made this
    actor = c.regions[0]
    review.accept(store, article_id, "rita", c, actor, "bob")
    review.accept(store, article_id, "rita", c, actor, "alice")
    assert keys(store, article_id) == [
        ("12 people", "CASUALTY"),
        ("Syrian", "LOCATION"),
        ("Syrian government", "ACTOR"),
    ]


def test_settle_by_hand_in_the_same_group(reviewed):
    store, article_id = reviewed
    c = review.compare(store.review_work(article_id, "rita"))
    review.start(store, article_id, "rita", c)
    with store.edit_group():
        tag(store, article_id, "rita", "rebels", "CASUALTY")
        review.settle_by_hand(store, article_id, "rita", c, *where("rebels"))
    assert store.decisions(article_id, "rita") == {where("rebels"): review.EDITED}
    assert review.open_regions(c, store.decisions(article_id, "rita")) == list(c.regions[:2])
    store.undo("rita")
    assert store.decisions(article_id, "rita") == {}
    assert ("rebels", "CASUALTY") not in keys(store, article_id)


def test_a_failed_group_leaves_nothing(reviewed):
    store, article_id = reviewed
    c = review.compare(store.review_work(article_id, "rita"))
    review.start(store, article_id, "rita", c)
    before = (keys(store, article_id), store.edits("rita"))
    with pytest.raises(ValueError):
        with store.edit_group():
            tag(store, article_id, "rita", "rebels", "ACTOR")
            store.add_span(article_id, "rita", 5, 10_000, "ACTOR")  # outside the text
    assert (keys(store, article_id), store.edits("rita")) == before


# --- attributes: same offsets and label, other attributes ---------------------------------

KILLED_12 = {"kind": "killed", "count": 12}
KILLED_2 = {"kind": "killed", "count": 2}


@pytest.fixture
def counts_differ(store: Store) -> tuple[Store, int]:
    """alice and bob agree on every span but the count of "12 people"."""
    article_id = add_text(store, TEXT)
    casualty = where("12 people")
    store.add_span(article_id, "alice", *casualty, "CASUALTY", KILLED_12)
    store.add_span(article_id, "bob", *casualty, "CASUALTY", KILLED_2)
    for who in ("alice", "bob"):  # the same attributes in another order, and an explicit null
        attributes = (
            {"lat": 36.2, "gazetteer_id": "170063"}
            if who == "alice"
            else {"gazetteer_id": "170063", "lat": 36.2, "lon": None}
        )
        store.add_span(article_id, who, *where("Aleppo"), "LOCATION", attributes)
        store.set_status(article_id, who, Status.DONE)
    return store, article_id


def attributes(store: Store, article_id: int, who: str = "rita") -> list[tuple[str, dict]]:
    return [(s.text, s.attributes) for s in store.spans(article_id, who)]


def test_an_attribute_disagreement_is_a_region_whose_versions_differ_by_attributes(counts_differ):
    store, article_id = counts_differ
    c = review.compare(store.review_work(article_id, "rita"))
    # Aleppo: the same set attributes (order and a null aside): consensus, with them
    assert [(s.text, dict(s.attributes)) for s in c.consensus] == [
        ("Aleppo", {"lat": 36.2, "gazetteer_id": "170063"})
    ]
    [region] = c.regions
    assert (region.start, region.end) == where("12 people")
    assert region.versions == {
        "alice": {k("12 people", "CASUALTY", **KILLED_12)},
        "bob": {k("12 people", "CASUALTY", **KILLED_2)},
    }
    assert c.spans[k("12 people", "CASUALTY", **KILLED_2)].attributes == KILLED_2
    # the review starts without the CASUALTY: neither count is taken for granted
    review.start(store, article_id, "rita", c)
    assert [text for text, _ in attributes(store, article_id)] == ["Aleppo"]


def test_taking_a_version_takes_its_attributes_and_undo_restores(counts_differ):
    store, article_id = counts_differ
    c = review.compare(store.review_work(article_id, "rita"))
    review.start(store, article_id, "rita", c)
    [region] = c.regions
    aleppo = ("Aleppo", {"lat": 36.2, "gazetteer_id": "170063"})
    review.accept(store, article_id, "rita", c, region, "bob")
    assert attributes(store, article_id) == [("12 people", KILLED_2), aleppo]
    assert store.decisions(article_id, "rita") == {where("12 people"): "bob"}
    assert region.matching({review.key(s) for s in store.spans(article_id, "rita")}) == ["bob"]
    # a change of mind replaces the span: one CASUALTY, with alice's count
    review.accept(store, article_id, "rita", c, region, "alice")
    assert attributes(store, article_id) == [("12 people", KILLED_12), aleppo]
    assert review.open_regions(c, store.decisions(article_id, "rita")) == []
    store.undo("rita")  # delete + add + decision, together
    assert attributes(store, article_id) == [("12 people", KILLED_2), aleppo]
    assert store.decisions(article_id, "rita") == {where("12 people"): "bob"}
    store.undo("rita")
    assert attributes(store, article_id) == [aleppo]
    assert store.decisions(article_id, "rita") == {}
    review.reject(store, article_id, "rita", c, region)
    assert attributes(store, article_id) == [aleppo]
    assert store.decisions(article_id, "rita") == {where("12 people"): review.NONE}


def test_editing_attributes_by_hand_settles_the_region(counts_differ):
    store, article_id = counts_differ
    c = review.compare(store.review_work(article_id, "rita"))
    review.start(store, article_id, "rita", c)
    [region] = c.regions
    review.accept(store, article_id, "rita", c, region, "alice")
    store.undo("rita")
    with store.edit_group():
        store.add_span(
            article_id,
            "rita",
            *where("12 people"),
            "CASUALTY",
            {"kind": "killed", "count": 12, "qualifier": "exact"},
        )
        review.settle_by_hand(store, article_id, "rita", c, *where("12 people"))
    assert store.decisions(article_id, "rita") == {where("12 people"): review.EDITED}
    mine = {review.key(s) for s in store.spans(article_id, "rita")}
    assert region.matching(mine) == []  # neither annotator's version: the reviewer's own


def test_review_queue_views_and_annotator_filter(store):
    a1, a2, a3 = (add_text(store, TEXT, n) for n in range(3))
    finish(store, a1, {"alice": [], "bob": []})
    finish(store, a2, {"alice": [], "carol": []})
    finish(store, a3, {"alice": []})  # one annotator: nothing to compare
    store.set_status(a3, "bob", Status.IN_PROGRESS)
    assert store.review_ids("rita") == [a1, a2]
    assert store.review_ids("rita", ("alice", "bob")) == [a1]
    assert store.review_ids("rita", ("alice", "bob", "carol"), after_id=a1) == [a2]
    assert store.review_ids("rita", limit=1) == [a1]
    store.set_status(a1, "rita", Status.REVIEWED)
    assert store.review_ids("rita") == [a2]
    assert store.review_ids("rita", view="reviewed") == [a1]
    assert store.reviewed_count("rita") == 1
    assert store.reviewed_count("rita", ("alice", "carol")) == 0  # a1 is not in that queue
    assert store.review_ids("rita", view="all") == [a1, a2]
    # a reviewer's "reviewed" is not "done": no article is queued for review twice
    assert store.review_ids("sam") == [a1, a2]
    # and the reviewer's own work never counts as an annotator's
    assert store.review_ids("alice") == []
    with pytest.raises(ValueError):
        store.review_ids("rita", view="todo")


def test_reviewed_counts_as_finished_for_the_reviewer(store):
    a1 = add_text(store, TEXT)
    store.set_status(a1, "rita", Status.REVIEWED)
    assert a1 not in store.list_ids("rita", "todo")
    assert list(store.list_ids("rita", "reviewed")) == [a1]
    assert store.view_count("rita", "reviewed") == 1


def test_migration_3_keeps_statuses_and_undo_log(tmp_path):
    """A database at version 2 (before review) upgrades with its rows intact."""
    path2 = tmp_path / "v2b.db"
    conn = sqlite3.connect(path2, isolation_level=None)
    conn.execute(
        "CREATE TABLE migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    for m in MIGRATIONS[:2]:
        conn.executescript(
            f"BEGIN;\n{m.sql}\nINSERT INTO migrations VALUES ({m.version}, 'x', 'y');"
            f"\nPRAGMA user_version = {m.version};\nCOMMIT;"
        )
    conn.execute(
        "INSERT INTO articles (id, content_hash, raw_format, cleaner_version, imported_at,"
        " clean_text, raw_text) VALUES (1, 'h', 'text', 'v1', 'now', ?, ?)",
        (TEXT, TEXT),
    )
    conn.execute("INSERT INTO annotators (id, name, created_at) VALUES (1, 'alice', 'now')")
    conn.execute("INSERT INTO article_status VALUES (1, 1, 'done', '2026-01-01T00:00:00.000Z')")
    conn.execute(
        'INSERT INTO edits (annotator_id, article_id, kind, "before", "after", undone,'
        " created_at) VALUES (1, 1, 'set_status', '{\"status\": null}',"
        " '{\"status\": \"done\"}', 0, 'now')"
    )
    with pytest.raises(sqlite3.IntegrityError):  # version 2 refuses "reviewed"
        conn.execute("INSERT INTO article_status VALUES (1, 1, 'reviewed', 'now')")
    assert migrate(conn) == [3, 4, 5]  # and the sessions of migration 4, the suggestions of 5
    conn.close()
    with Store(path2) as store:
        assert store.status(1, "alice") is Status.DONE
        assert [e.kind for e in store.edits("alice")] == ["set_status"]
        store.set_status(1, "alice", Status.REVIEWED)  # allowed now
        assert store.undo("alice").after == {"status": "reviewed"}
        assert store.undo("alice").after == {"status": "done"}  # the old log still undoes
        assert store.status(1, "alice") is Status.NEW


attributes_strategy = st.dictionaries(
    st.sampled_from(["kind", "count"]),
    st.one_of(st.none(), st.sampled_from(["killed", "wounded"]), st.integers(1, 2)),
    max_size=2,
)
spans_strategy = st.lists(
    st.tuples(
        st.integers(0, 40), st.integers(1, 8), st.sampled_from(["ACTOR", "LOCATION"]), attributes_strategy
    ),
    max_size=6,
)


def _set(attributes) -> dict:
    return {name: value for name, value in attributes.items() if value is not None}


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["alice", "bob", "carol"]), spans_strategy, min_size=2))
def test_regions_partition_the_disagreements(work):
    """Every key is consensus xor in exactly one region; regions do not overlap; a region
    is connected (no gap splits it); each version is the annotator's keys there. A span is
    consensus only when every annotator has one with its offsets, label and set attributes."""
    data = {
        a: [SpanData(s, s + n, label, TEXT[s : s + n], attrs) for s, n, label, attrs in spans]
        for a, spans in work.items()
    }
    c = review.compare(data)
    everyone = set(c.annotators)
    all_keys = {review.key(s) for spans in data.values() for s in spans}
    consensus = {review.key(s) for s in c.consensus}
    in_regions = [k for r in c.regions for k in r.keys]
    assert len(in_regions) == len(set(in_regions))
    assert consensus | set(in_regions) == all_keys and not consensus & set(in_regions)
    for k in consensus:
        assert set(c.made_by[k]) == everyone
    for span in c.consensus:  # with the attributes, not offsets and label alone
        for spans in data.values():
            assert any(
                (s.start, s.end, s.label, _set(s.attributes))
                == (span.start, span.end, span.label, _set(span.attributes))
                for s in spans
            )
    for spans in data.values():
        for span in spans:
            shared = all(
                any(
                    (s.start, s.end, s.label, _set(s.attributes))
                    == (span.start, span.end, span.label, _set(span.attributes))
                    for s in other
                )
                for other in data.values()
            )
            assert review.key(span) in (consensus if shared else in_regions)
    for a, b in zip(c.regions, c.regions[1:]):
        assert a.end <= b.start
    for r in c.regions:
        ordered = sorted(r.keys)
        reach = ordered[0][1]
        for k in ordered[1:]:
            assert k[0] < reach  # overlaps what came before: no gap inside a region
            reach = max(reach, k[1])
        for a in c.annotators:
            assert r.versions[a] == {k for k in r.keys if a in c.made_by[k]}
