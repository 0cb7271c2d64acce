"""Review through the store: the queue, the work of each annotator, the start, the decisions."""

from __future__ import annotations

import pytest

from annotations.model import SpanData, Status
from annotations.storage import Extent, Store
from tests.storage.conftest import TEXT, article, where


def done(store: Store, article_id: int, who: str, *spans: tuple[str, str]) -> None:
    for phrase, label in spans:
        store.add_span(article_id, who, *where(phrase), label)
    store.set_status(article_id, who, Status.DONE)


@pytest.fixture
def queue(store: Store) -> list[int]:
    """Three articles: the first two done by ana and ben, the third by ana alone."""
    ids = [store.add_article(article(f"{TEXT} {i}"))[1] for i in range(3)]
    for article_id in ids[:2]:
        done(store, article_id, "ana", ("Turkish forces", "ACTOR"))
        done(store, article_id, "ben", ("Turkish", "ACTOR"), ("Saraqeb", "LOCATION"))
    done(store, ids[2], "ana")
    return ids


def test_the_queue_holds_articles_two_annotators_finished(store, queue):
    assert store.review_ids("rita") == queue[:2]
    assert store.review_ids("rita", view="all", after_id=queue[0]) == [queue[1]]
    assert store.review_ids("rita", limit=1) == queue[:1]
    assert store.review_ids("rita", ["ana"]) == []  # one annotator is no disagreement
    assert store.review_ids("ana") == []  # the reviewer's own work does not count
    with pytest.raises(ValueError):
        store.review_ids("rita", view="nonsense")


def test_reviewed_articles_leave_the_queue(store, queue):
    store.set_status(queue[0], "rita", Status.REVIEWED)
    assert store.review_ids("rita") == [queue[1]]
    assert store.review_ids("rita", view="reviewed") == [queue[0]]
    assert store.reviewed_count("rita") == 1 and store.reviewed_count("rita", ["ana"]) == 0


def test_review_work_is_each_annotators_spans(store, queue):
    work = store.review_work(queue[0], "rita")
    assert sorted(work) == ["ana", "ben"]
    assert [s.text for s in work["ben"]] == ["Turkish", "Saraqeb"]
    assert list(store.review_work(queue[0], "rita", ["ben"])) == ["ben"]


def test_a_review_starts_once_and_is_not_undone(store, queue):
    consensus = [SpanData(*where("Saraqeb"), "LOCATION", "Saraqeb", {})]
    assert store.start_review(queue[0], "rita", consensus)
    assert not store.start_review(queue[0], "rita", [])
    assert [s.text for s in store.spans(queue[0], "rita")] == ["Saraqeb"]
    assert store.status(queue[0], "rita") is Status.IN_PROGRESS
    assert store.undo("rita") is None


def test_decisions_are_recorded_keyed_by_extent_and_undone(store, queue):
    assert store.decisions(queue[0], "rita") == {}
    store.decide(queue[0], "rita", *where("Turkish forces"), "ana")
    store.decide(queue[0], "rita", *where("Turkish forces"), "ana")  # the same again logs nothing
    decisions = store.decisions(queue[0], "rita")
    assert decisions == {where("Turkish forces"): "ana"}
    assert list(decisions) == [Extent(*where("Turkish forces"))]
    store.decide(queue[0], "rita", *where("Turkish forces"), "ben")
    assert store.undo("rita").kind == "decide"
    assert store.decisions(queue[0], "rita") == {where("Turkish forces"): "ana"}
    store.undo("rita")
    assert store.decisions(queue[0], "rita") == {}
    assert store.redo("rita").after["choice"] == "ana"
