"""Spans, statuses and the transactions around them; the counts of ``newsmark stats``."""

from __future__ import annotations

import pytest

from annotations.model import Status
from tests.storage.conftest import article


def test_spans_are_checked_and_keep_their_text(store):
    text = "Turkish forces shelled Saraqeb, killing nine soldiers."
    _, art = store.add_article(article(text))
    start = text.index("nine soldiers")
    span = store.add_span(art, "ana", start, start + 13, "CASUALTY", {"kind": "killed", "count": 9})
    assert span.text == "nine soldiers"
    assert store.spans(art)[0].text == "nine soldiers"
    assert store.spans(art)[0].attributes == {"kind": "killed", "count": 9}
    assert store.spans(art, "someone else") == []
    with pytest.raises(ValueError):
        store.add_span(art, "ana", 10, 10_000, "ACTOR")
    with pytest.raises(KeyError):
        store.add_span(999, "ana", 0, 1, "ACTOR")
    store.delete_span(span.id)
    assert store.spans(art) == []


def test_failed_transaction_leaves_nothing(store):
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.add_article(article("first"))
            raise RuntimeError("boom")
    assert store.article_count() == 0


def test_statuses_and_stats_per_annotator(store):
    ids = [store.add_article(article(f"text {i}"))[1] for i in range(4)]
    assert store.status(ids[0], "ana") is Status.NEW
    store.set_status(ids[0], "ana", "done")
    store.set_status(ids[1], "ana", Status.FLAGGED)
    store.set_status(ids[1], "ana", Status.SKIPPED)  # the latest status wins
    store.set_status(ids[2], "ben", Status.IN_PROGRESS)
    store.add_span(ids[0], "ana", 0, 4, "ACTOR")
    store.add_span(ids[0], "ana", 5, 6, "LOCATION")
    store.add_span(ids[2], "ben", 0, 4, "ACTOR")
    stats = store.stats()
    assert stats.articles == 4
    assert stats.statuses["ana"] == {"done": 1, "skipped": 1, "new": 2}
    assert stats.statuses["ben"] == {"in_progress": 1, "new": 3}
    assert stats.labels == {"ana": {"ACTOR": 1, "LOCATION": 1}, "ben": {"ACTOR": 1}}
    with pytest.raises(ValueError):
        store.set_status(ids[0], "ana", "finished")


def test_a_failed_inner_block_is_rolled_back_alone(store):
    _, art = store.add_article(article())
    with store.transaction():
        store.add_span(art, "ana", 0, 7, "ACTOR")
        with pytest.raises(RuntimeError):
            with store.transaction():
                store.add_span(art, "ana", 8, 14, "ACTOR")
                raise RuntimeError("boom")
        store.set_status(art, "ana", Status.DONE)
    assert [(s.start, s.end) for s in store.spans(art)] == [(0, 7)]
    assert store.status(art, "ana") is Status.DONE
    assert [e.kind for e in store.edits("ana")] == ["add_span", "set_status"]


def test_an_edit_group_whose_first_edit_failed_is_still_one_undo_step(store):
    _, art = store.add_article(article())
    with store.edit_group():
        with pytest.raises(ValueError):
            store.add_span(art, "ana", 0, 10_000, "ACTOR")  # refused: nothing of it stays
        with pytest.raises(RuntimeError):
            with store.transaction():
                store.add_span(art, "ana", 0, 7, "ACTOR")  # logged first, then rolled back
                raise RuntimeError("boom")
        store.add_span(art, "ana", 8, 14, "ACTOR")
        store.add_span(art, "ana", 15, 22, "ACTOR")
    store.add_span(art, "ana", 23, 30, "ACTOR")  # a step of its own
    assert store.undo("ana").after["start"] == 23
    assert store.undo("ana") is not None  # the group, both spans at once
    assert store.spans(art) == []
    assert store.undo("ana") is None


def test_an_edit_group_is_one_transaction(store):
    _, art = store.add_article(article())
    with pytest.raises(RuntimeError):
        with store.edit_group():
            store.add_span(art, "ana", 0, 7, "ACTOR")
            store.set_status(art, "ana", Status.DONE)
            raise RuntimeError("boom")
    assert store.spans(art) == [] and store.status(art, "ana") is Status.NEW
    assert store.edits("ana") == []
