"""The reviewer's session (annotations/session/review.py) on a real SQLite file, no terminal.

alice and bob finished one article and disagree on it: "Syrian government"
(alice) against "government" (bob), and bob's "rebels" that alice has not. The
reviewer is rita; every check reads the store.
"""

from __future__ import annotations

import pytest

from annotations import review
from annotations.model import Status
from annotations.session import NotSaved, NotYours, Refused, ReviewSession
from annotations.storage import Store
from tests.conftest import add_text
from tests.test_session_annotate import refuse

TEXT = "The Syrian government said 12 people died in Aleppo, and rebels said the army shelled Idlib."
REVIEWER = "rita"
PLAN = {
    "alice": [("Syrian government", "ACTOR"), ("12 people", "CASUALTY")],
    "bob": [("government", "ACTOR"), ("12 people", "CASUALTY"), ("rebels", "ACTOR")],
}


def where(phrase: str) -> tuple[int, int]:
    start = TEXT.index(phrase)
    return start, start + len(phrase)


def mine(store: Store) -> list[tuple[str, str]]:
    return sorted((s.text, s.label) for s in store.spans(1, REVIEWER))


@pytest.fixture
def session(store: Store) -> ReviewSession:
    add_text(store, TEXT)
    for who, spans in PLAN.items():
        for phrase, label in spans:
            store.add_span(1, who, *where(phrase), label)
        store.set_status(1, who, Status.DONE)
    opened = ReviewSession(store, REVIEWER)
    opened.open(1)
    return opened


def span_of(session: ReviewSession, phrase: str, maker: str):
    """The span drawn over ``phrase`` made by ``maker`` (a ghost, or the reviewer's own)."""
    return next(
        s
        for s in [*session.spans, *session.ghosts()]
        if (s.start, s.end) == where(phrase) and maker in (s.annotator, *session.made_by(s))
    )


def test_opening_starts_the_review_with_the_consensus_and_ghosts_the_rest(session, store):
    assert session.first_ids("review", 10) == [1]
    assert mine(store) == [("12 people", "CASUALTY")]
    assert store.edits(REVIEWER) == []  # starting is not undoable
    assert sorted((g.text, g.annotator) for g in session.ghosts()) == [
        ("Syrian government", "alice"),
        ("government", "bob"),
        ("rebels", "bob"),
    ]
    assert all(g.id < 0 for g in session.ghosts())
    assert len(session.open_regions()) == 2


def test_accept_takes_that_version_and_one_undo_takes_it_back(session, store):
    ghost = span_of(session, "government", "bob")
    change = session.accept(ghost, ghost.start)
    assert change.note == "took bob's version (u undoes)" and change.changed == where("Syrian government")
    assert mine(store) == [("12 people", "CASUALTY"), ("government", "ACTOR")]
    assert session.decisions == {where("Syrian government"): "bob"}
    assert [g.text for g in session.ghosts()] == ["Syrian government", "rebels"]  # bob's is rita's now
    replay = session.undo()
    assert replay.edit.kind == "decide" and replay.same_article
    assert mine(store) == [("12 people", "CASUALTY")] and session.decisions == {}


def test_reject_takes_none_and_accept_needs_an_annotators_span(session, store):
    with pytest.raises(Refused, match="put the cursor on an annotator's span"):
        session.accept(None, where("rebels")[0])  # a region, but no span: whose version?
    change = session.reject(None, where("rebels")[0])
    assert change.note == "took none of the versions (u undoes)"
    assert session.decisions == {where("rebels"): review.NONE}
    with pytest.raises(Refused, match="no disagreement under the cursor"):
        session.reject(None, where("Idlib")[0])


def test_hand_edits_settle_the_region_in_one_undo_step(session, store):
    session.tag(*where("rebels"), "CASUALTY")
    assert session.decisions == {where("rebels"): review.EDITED}
    session.undo()
    assert mine(store) == [("12 people", "CASUALTY")] and session.decisions == {}
    own = session.spans[0]
    session.edit(own, "CASUALTY", {"count": 12})
    assert [s.attributes for s in store.spans(1, REVIEWER)] == [{"count": 12}]
    session.delete(session.spans[0])
    assert mine(store) == []


def test_the_annotators_spans_are_not_yours_to_delete_or_edit(session, store):
    ghost = span_of(session, "rebels", "bob")
    with pytest.raises(NotYours, match="that is bob's span: a takes that version"):
        session.delete(ghost)
    with pytest.raises(NotYours):
        session.edit(ghost, "LOCATION", {})
    assert mine(store) == [("12 people", "CASUALTY")] and store.edits(REVIEWER) == []


def test_a_failed_settle_leaves_the_store_as_it_was_and_asks_for_a_redraw(session, store, db_path):
    refuse(db_path, "INSERT")
    ghost = span_of(session, "Syrian government", "alice")
    with pytest.raises(NotSaved, match="disk full") as failed:
        session.accept(ghost, ghost.start)
    assert failed.value.redraw
    assert mine(store) == [("12 people", "CASUALTY")] and store.decisions(1, REVIEWER) == {}
    with pytest.raises(NotSaved):
        session.tag(*where("Idlib"), "LOCATION")
    assert store.decisions(1, REVIEWER) == {} and session.spans == store.spans(1, REVIEWER)


def test_disagreements_are_walked_open_ones_first_then_any(session):
    first = session.next_disagreement(0, 1, [*session.spans, *session.ghosts()])
    assert (first.region.start, first.region.end) == where("Syrian government")
    assert first.first is not None and first.first.text == "Syrian government" and first.note is None
    back = session.next_disagreement(first.region.start, -1, session.ghosts())
    assert (back.region.start, back.region.end) == where("rebels")  # wraps round
    session.reject(None, where("rebels")[0])
    session.reject(None, where("government")[0])
    done = session.next_disagreement(0, 1, [])
    assert done.note == "all 2 disagreements settled: d marks it reviewed"


def test_done_marks_reviewed_and_warns_of_open_regions(session, store):
    change = session.set_status(1, Status.DONE)
    assert change.status is Status.REVIEWED and store.status(1, REVIEWER) is Status.REVIEWED
    assert change.warning == "2 disagreements left open: kept as the review had them"
    assert change.following is None and session.done_count() == 1


def test_no_disagreements_refuses_the_walk(store):
    add_text(store, TEXT)
    for who in PLAN:
        store.add_span(1, who, *where("Aleppo"), "LOCATION")
        store.set_status(1, who, Status.DONE)
    session = ReviewSession(store, REVIEWER)
    session.open(1)
    with pytest.raises(Refused, match="no disagreements in this article"):
        session.next_disagreement(0, 1, session.spans)
    assert session.set_status(1, Status.DONE).warning is None
