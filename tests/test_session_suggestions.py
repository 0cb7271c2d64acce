"""Suggestions and in-place attribute edits in the annotator's session, on a real SQLite file.

No terminal: the screen only draws what these methods return, so every answer,
undo and attribute edit is checked here against the store itself.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.model import Status, Suggestion
from annotations.session import AnnotateSession, Refused
from annotations.storage import Store
from annotations.suggest import fill_attributes
from tests.conftest import add_text

TEXT = "Rebels said the army shelled Idlib on Monday. Two people were killed in Aleppo."
WHO = "ana"


def where(phrase: str) -> tuple[int, int]:
    start = TEXT.index(phrase)
    return start, start + len(phrase)


def suggestion(phrase: str, label: str, origin: str = "test.rule") -> Suggestion:
    start, end = where(phrase)
    return Suggestion(start, end, label, phrase, origin)


@pytest.fixture
def session(store: Store) -> AnnotateSession:
    add_text(store, TEXT, 0)
    store.set_suggestions(
        1,
        [suggestion("Idlib", "LOCATION", "location.gazetteer"), suggestion("Aleppo", "LOCATION")],
        "t1",
    )
    opened = AnnotateSession(store, WHO)
    opened.open(1)
    return opened


def spans(store: Store) -> list[tuple[int, int, str, str | None]]:
    return [(s.start, s.end, s.label, s.origin) for s in store.spans(1, WHO)]


def test_suggestions_are_the_open_ones_in_reading_order(session):
    assert [s.text for s in session.suggestions()] == ["Idlib", "Aleppo"]


def test_accept_makes_the_span_with_its_origin_marks_in_progress_and_undo_takes_it_back(session, store):
    first = session.suggestions()[0]
    change = session.accept(first)
    assert spans(store) == [(*where("Idlib"), "LOCATION", "location.gazetteer")]
    assert change.what == "tag" and change.status_changed and change.changed == where("Idlib")
    assert store.status(1, WHO) is Status.IN_PROGRESS
    assert [s.text for s in session.suggestions()] == ["Aleppo"]
    replay = session.undo()
    assert spans(store) == [] and replay.cursor == where("Idlib")[0]
    assert [s.text for s in session.suggestions()] == ["Idlib", "Aleppo"]
    session.redo()
    assert spans(store) == [(*where("Idlib"), "LOCATION", "location.gazetteer")]


def test_reject_hides_the_suggestion_and_undo_brings_it_back(session, store):
    session.reject(session.suggestions()[1])
    assert [s.text for s in session.suggestions()] == ["Idlib"] and spans(store) == []
    session.undo()
    assert [s.text for s in session.suggestions()] == ["Idlib", "Aleppo"]


def test_accept_all_is_one_undo_step(session, store):
    change = session.accept_all()
    assert [s[:3] for s in spans(store)] == [
        (*where("Idlib"), "LOCATION"),
        (*where("Aleppo"), "LOCATION"),
    ]
    assert "2 suggestions" in change.note and session.suggestions() == []
    session.undo()
    assert spans(store) == [] and len(session.suggestions()) == 2
    with pytest.raises(Refused):
        session.undo()  # nothing else was done


def test_an_answered_suggestion_is_refused_not_saved_twice(session, store):
    first = session.suggestions()[0]
    session.accept(first)
    with pytest.raises(Refused):
        session.accept(first)
    with pytest.raises(Refused):
        session.reject(first)
    assert len(spans(store)) == 1


def test_off_for_the_run_or_the_annotator_draws_none_and_refuses(store, session):
    off = AnnotateSession(store, WHO, suggest=False)
    off.open(1)
    assert off.suggestions() == []
    with pytest.raises(Refused, match="suggestions are off"):
        off.accept_all()
    store.set_suggestions_enabled([WHO], False)
    assert session.suggestions() == []
    with pytest.raises(Refused, match="suggestions are off"):
        session.reject(Suggestion(0, 6, "ACTOR", "Rebels", "x", id=1, article_id=1))
    assert spans(store) == []


def test_cycle_choice_walks_the_values_then_unset_each_one_undoable(session, store):
    span = session.tag(*where("Two people"), "CASUALTY").span
    assert span is not None
    values = ["killed", "wounded", "missing", "captured", "displaced", None]
    start = span.attributes.get("kind")
    order = values[values.index(start) + 1 :] + values[: values.index(start) + 1]
    for expected in order:
        current = next(s for s in session.spans if s.id == span.id)
        session.cycle_choice(current)
        assert store.span(span.id).attributes.get("kind") == expected  # type: ignore[union-attr]
    session.undo()
    assert store.span(span.id).attributes.get("kind") == order[-2]  # type: ignore[union-attr]


def test_cycle_choice_on_a_label_without_choices_is_refused(session):
    span = session.tag(*where("Rebels"), "ACTOR").span
    assert span is not None
    with pytest.raises(Refused):
        session.cycle_choice(span, "nonexistent")


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(count=st.one_of(st.none(), st.integers(min_value=0, max_value=10**6)))
def test_set_attribute_keeps_the_others(session, store, count):
    span = next((s for s in session.spans if s.label == "CASUALTY"), None)
    if span is None:
        span = session.tag(*where("Two people"), "CASUALTY").span
        assert span is not None
        span = session.set_attribute(span, "qualifier", "exact") and session.spans[-1]
    session.set_attribute(span, "count", count)
    saved = store.span(span.id)
    assert saved is not None
    assert saved.attributes.get("count") == count and saved.attributes.get("qualifier") == "exact"


def test_tag_fills_the_attributes_the_filler_reads_from_the_span(session, store):
    span = session.tag(*where("Two people"), "CASUALTY").span
    assert span is not None
    expected = fill_attributes("CASUALTY", TEXT, *where("Two people"))
    assert store.span(span.id).attributes == expected  # type: ignore[union-attr]
    session.undo()  # one step takes the span and its attributes
    assert spans(store) == []
