"""Suggestions: stored apart from everyone's spans, answered per annotator, every answer undoable.

The contract of ``Store.set_suggestions`` ... ``set_suggestions_enabled`` (see the
issue-15 API note): replacing keeps answered ones, ``suggestions(annotator=)`` shows
only the open ones, accept makes the annotator's span with its origin, and undo and
redo take the span and the answer back together.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.model import Status, Suggestion
from annotations.storage import RECLEANED, Store, UndoConflict
from tests.storage.conftest import TEXT, article, where


@pytest.fixture
def art(store) -> int:
    return store.add_article(article())[1]


def sug(phrase: str, label: str, origin: str = "test.rule", **attributes) -> Suggestion:
    start, end = where(phrase)
    return Suggestion(start, end, label, phrase, origin, attributes)


def keys(suggestions) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.label) for s in suggestions]


def test_set_and_list_in_reading_order(store, art):
    given_ = [sug("nine soldiers", "CASUALTY", kind="killed", count=9), sug("Saraqeb", "LOCATION")]
    given_.append(sug("Turkish forces", "ACTOR"))
    given_.append(sug("Turkish", "ACTOR"))
    assert store.set_suggestions(art, given_, "v1") == 4
    got = store.suggestions(art)
    assert keys(got) == [(0, 14, "ACTOR"), (0, 7, "ACTOR"), (*where("Saraqeb"), "LOCATION"),
                         (*where("nine soldiers"), "CASUALTY")]  # fmt: skip
    assert got[-1].attributes == {"kind": "killed", "count": 9} and got[-1].origin == "test.rule"
    assert all(s.id > 0 and s.article_id == art for s in got)
    assert got[0].text == "Turkish forces"
    assert store.spans(art) == []  # nobody's work


def test_text_is_the_articles_and_offsets_are_checked(store, art):
    store.set_suggestions(art, [Suggestion(0, 7, "ACTOR", "wrong", "r")], "v1")
    assert store.suggestions(art)[0].text == "Turkish"
    with pytest.raises(ValueError):
        store.set_suggestions(art, [Suggestion(0, len(TEXT) + 1, "ACTOR", "x", "r")], "v1")
    with pytest.raises(KeyError):
        store.set_suggestions(art + 99, [], "v1")
    assert keys(store.suggestions(art)) == [(0, 7, "ACTOR")]  # the failed call changed nothing


def test_replacing_keeps_answered_and_updates_the_same(store, art):
    store.set_suggestions(art, [sug("Turkish forces", "ACTOR"), sug("Saraqeb", "LOCATION")], "v1")
    first, second = store.suggestions(art)
    store.reject_suggestion(second.id, "ana")
    again = [sug("Turkish forces", "ACTOR", origin="actor.new"), sug("the ministry", "ACTOR")]
    assert store.set_suggestions(art, again, "v2") == 3  # Saraqeb answered: it stays
    now = {(s.start, s.end, s.label): s for s in store.suggestions(art)}
    kept = now[(first.start, first.end, "ACTOR")]
    assert kept.id == first.id and kept.origin == "actor.new"
    assert now[(second.start, second.end, "LOCATION")].id == second.id
    assert store.set_suggestions(art, [], "v3") == 1  # only the answered one is left
    assert store.stats().rejected["ana"] == 1


def test_open_ones_exclude_answers_and_own_spans(store, art):
    store.set_suggestions(
        art, [sug("Turkish forces", "ACTOR"), sug("Saraqeb", "LOCATION"), sug("the ministry", "ACTOR")], "v1"
    )
    actor, place, ministry = store.suggestions(art)
    store.reject_suggestion(actor.id, "ana")
    store.add_span(art, "ana", place.start, place.end, "LOCATION")  # made by hand: the same span
    store.add_span(art, "ana", ministry.start, ministry.end, "LOCATION")  # another label: still open
    assert keys(store.suggestions(art, "ana")) == keys([ministry])
    assert keys(store.suggestions(art, "bo")) == keys([actor, place, ministry])  # unknown: all open
    with pytest.raises(ValueError):
        store.accept_suggestion(actor.id, "ana")
    with pytest.raises(ValueError):
        store.accept_suggestion(place.id, "ana")
    with pytest.raises(ValueError):
        store.reject_suggestion(actor.id, "ana")
    with pytest.raises(KeyError):
        store.accept_suggestion(10_000, "ana")
    with pytest.raises(KeyError):
        store.reject_suggestion(10_000, "ana")


def test_accept_makes_the_annotators_span_with_its_origin(store, art):
    store.set_suggestions(art, [sug("nine soldiers", "CASUALTY", "casualty.count", kind="killed")], "v1")
    (s,) = store.suggestions(art)
    assert store.status(art, "ana") is Status.NEW
    span = store.accept_suggestion(s.id, "ana")
    assert (span.start, span.end, span.label, span.text) == (s.start, s.end, s.label, s.text)
    assert span.origin == "casualty.count" and span.attributes == {"kind": "killed"}
    assert store.spans(art, "ana") == [span]
    assert store.status(art, "ana") is Status.IN_PROGRESS  # no undo entry for that
    assert store.suggestions(art, "ana") == [] and len(store.suggestions(art, "bo")) == 1
    assert store.suggestions(art) == [s]  # the suggestion itself stays


def test_accept_with_attributes_given(store, art):
    store.set_suggestions(art, [sug("nine soldiers", "CASUALTY", kind="killed")], "v1")
    (s,) = store.suggestions(art)
    span = store.accept_suggestion(s.id, "ana", {"kind": "wounded", "count": 9})
    assert span.attributes == {"kind": "wounded", "count": 9}


def test_status_kept_when_not_new(store, art):
    store.set_status(art, "ana", Status.DONE)
    store.set_suggestions(art, [sug("Saraqeb", "LOCATION")], "v1")
    store.accept_suggestion(store.suggestions(art)[0].id, "ana")
    assert store.status(art, "ana") is Status.DONE


def test_undo_and_redo_an_accept(store, art):
    store.set_suggestions(art, [sug("Saraqeb", "LOCATION", "location.gazetteer")], "v1")
    (s,) = store.suggestions(art)
    span = store.accept_suggestion(s.id, "ana")
    edit = store.undo("ana")
    assert edit.kind == "add_span" and edit.after["start"] == s.start  # the edit with the span
    assert edit.after["origin"] == "location.gazetteer"
    assert store.spans(art) == [] and store.suggestions(art, "ana") == [s]
    assert store.status(art, "ana") is Status.IN_PROGRESS  # as after an undone tag
    redone = store.redo("ana")
    assert redone.kind == "add_span" and not redone.undone
    assert store.spans(art, "ana") == [span] and store.suggestions(art, "ana") == []
    assert store.undo("ana").kind == "add_span"
    assert store.undo("ana") is None  # one step, both edits


def test_undo_and_redo_a_reject(store, art):
    store.set_suggestions(art, [sug("Saraqeb", "LOCATION")], "v1")
    (s,) = store.suggestions(art)
    store.reject_suggestion(s.id, "ana")
    assert store.suggestions(art, "ana") == []
    edit = store.undo("ana")
    assert edit.kind == "answer" and edit.after["answer"] == "rejected" and edit.before is None
    assert edit.after["suggestion_id"] == s.id and edit.after["start"] == s.start
    assert store.suggestions(art, "ana") == [s]
    assert store.redo("ana").kind == "answer"
    assert store.suggestions(art, "ana") == [] and store.stats().rejected["ana"] == 1


def test_accept_all_is_one_step(store, art):
    store.set_suggestions(
        art, [sug("Turkish forces", "ACTOR"), sug("Saraqeb", "LOCATION"), sug("the ministry", "ACTOR")], "v1"
    )
    first = store.suggestions(art)[0]
    store.reject_suggestion(first.id, "ana")
    spans = store.accept_suggestions(art, "ana")
    assert [s.text for s in spans] == ["Saraqeb", "the ministry"]
    assert store.accept_suggestions(art, "ana") == []  # none open: nothing, nothing logged
    assert store.undo("ana").kind == "add_span"
    assert store.spans(art) == [] and len(store.suggestions(art, "ana")) == 2
    store.redo("ana")
    assert [s.text for s in store.spans(art, "ana")] == ["Saraqeb", "the ministry"]
    store.undo("ana")
    assert store.undo("ana").kind == "answer"  # then the reject, a step of its own


def test_undo_of_accept_refused_when_the_span_changed_elsewhere(store, art, reopen):
    store.set_suggestions(art, [sug("Saraqeb", "LOCATION")], "v1")
    span = store.accept_suggestion(store.suggestions(art)[0].id, "ana")
    other = reopen()
    other.update_span(span.id, label="ACTOR")
    other.close()  # its session ends; its update is history
    with pytest.raises(UndoConflict):
        store.undo("ana")
    # Refused as a whole: the answer stays with the span.
    assert store.suggestions(art, "ana") == [] and store.spans(art, "ana")[0].label == "ACTOR"


def test_undo_of_reject_refused_when_the_suggestion_is_gone(store, art):
    store.set_suggestions(art, [sug("Saraqeb", "LOCATION")], "v1")
    store.reject_suggestion(store.suggestions(art)[0].id, "ana")
    store.conn.execute("DELETE FROM suggestions")  # as a deleted article's would go
    with pytest.raises(UndoConflict):
        store.undo("ana")
    assert store.undo("ana") is None


def test_undone_delete_brings_the_origin_back(store, art):
    store.set_suggestions(art, [sug("Saraqeb", "LOCATION", "location.gazetteer")], "v1")
    span = store.accept_suggestion(store.suggestions(art)[0].id, "ana")
    store.delete_span(span.id)
    assert store.undo("ana").kind == "delete_span"
    assert store.spans(art, "ana") == [span] and store.span(span.id).origin == "location.gazetteer"


def test_switch_per_annotator(store):
    assert store.suggestions_enabled("ana") is True  # unknown: on
    store.set_suggestions_enabled(["ana", "bo"], False)
    assert not store.suggestions_enabled("ana") and not store.suggestions_enabled("bo")
    store.set_suggestions_enabled(["bo"], True)
    assert not store.suggestions_enabled("ana") and store.suggestions_enabled("bo")


def test_what_is_left_to_suggest(store, art):
    other = store.add_article(article("Russian jets struck Idlib."))[1]
    assert store.article_ids_to_suggest("v1") == [art, other]
    store.set_suggestions(art, [], "v1")  # looked at, found nothing: done for v1
    assert store.article_ids_to_suggest("v1") == [other]
    assert store.article_ids_to_suggest("v2") == [art, other]
    assert store.suggestions_of([art, other]) == {art: [], other: []}


def test_reclean_drops_unanswered_suggestions(store, art):
    store.set_suggestions(art, [sug("Turkish forces", "ACTOR"), sug("Saraqeb", "LOCATION")], "v1")
    store.reject_suggestion(store.suggestions(art)[1].id, "ana")
    assert store.reclean(art, "Another text altogether, much longer than before.", "2") == RECLEANED
    assert keys(store.suggestions(art)) == [(*where("Saraqeb"), "LOCATION")]  # answered: kept
    assert store.article_ids_to_suggest("v1") == [art]  # to be suggested again


def test_stats_count_suggestions_apart(store, art):
    store.set_suggestions(
        art, [sug("Turkish forces", "ACTOR"), sug("Saraqeb", "LOCATION"), sug("the ministry", "ACTOR")], "v1"
    )
    actor, place, ministry = store.suggestions(art)
    store.accept_suggestion(actor.id, "ana")
    store.reject_suggestion(place.id, "ana")
    store.add_span(art, "ana", *where("nine soldiers"), "CASUALTY")
    stats = store.stats()
    assert stats.labels["ana"] == {"ACTOR": 1, "CASUALTY": 1}
    assert stats.from_suggestions["ana"] == {"ACTOR": 1}
    assert stats.rejected["ana"] == 1
    assert stats.suggestions == {"ACTOR": 2, "LOCATION": 1}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.integers(0, len(TEXT) - 1), st.integers(1, 12), st.sampled_from(["ACTOR", "LOCATION"])),
        max_size=8,
    ),
    st.lists(st.sampled_from(["accept", "reject", "undo", "redo"]), max_size=12),
)
def test_answers_and_undo_keep_spans_and_answers_in_step(store: Store, art, places, steps):
    """Whatever is answered, undone or redone: each suggestion open to the annotator has no
    answer of theirs, and each accepted one is exactly one span of theirs with its origin."""
    store.conn.execute("DELETE FROM spans")
    store.conn.execute("DELETE FROM edits")
    store.conn.execute("DELETE FROM suggestions")
    given_ = [Suggestion(s, min(s + n, len(TEXT)), label, "", "r") for s, n, label in places]
    store.set_suggestions(art, given_, "v1")
    for step in steps:
        open_ = store.suggestions(art, "ana")
        if step == "accept" and open_:
            store.accept_suggestion(open_[0].id, "ana")
        elif step == "reject" and open_:
            store.reject_suggestion(open_[-1].id, "ana")
        elif step == "undo":
            store.undo("ana")
        elif step == "redo":
            store.redo("ana")
    answers = dict(store.conn.execute("SELECT suggestion_id, answer FROM suggestion_answers").fetchall())
    spans = {(s.start, s.end, s.label) for s in store.spans(art, "ana")}
    assert all(s.origin == "r" for s in store.spans(art, "ana"))
    for s in store.suggestions(art):
        key = (s.start, s.end, s.label)
        assert (answers.get(s.id) == "accepted") == (key in spans)
        assert (s in store.suggestions(art, "ana")) == (s.id not in answers)


def test_undo_messages_name_the_suggestion(store, art):
    from annotations.session.describe import describe_edit

    store.set_suggestions(art, [sug("Saraqeb", "LOCATION"), sug("Turkish forces", "ACTOR")], "v1")
    actor, place = store.suggestions(art)
    store.accept_suggestion(place.id, "ana")
    store.reject_suggestion(actor.id, "ana")
    assert describe_edit(store.undo("ana")) == "rejecting suggestion ACTOR “Turkish forces”"
    assert describe_edit(store.undo("ana")) == "accepting suggestion LOCATION “Saraqeb”"
    answer = next(e for e in store.edits("ana") if e.kind == "answer")
    assert describe_edit(answer) == "accepting suggestion LOCATION “Saraqeb”"
