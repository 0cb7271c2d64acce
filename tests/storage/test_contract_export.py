"""Export and import of annotations through the store: keys, annotations, merges, comparisons."""

from __future__ import annotations

from annotations.model import Annotation, SpanData, Status
from annotations.storage import ExportKey, Store
from tests.storage.conftest import TEXT, article, where


def work(store: Store) -> list[int]:
    """Two articles: ana done on both (attributes on one span), ben in progress on the first."""
    ids = [store.add_article(article(f"{TEXT} {i}"))[1] for i in range(2)]
    store.add_span(ids[0], "ana", *where("nine soldiers"), "CASUALTY", {"count": 9})
    store.add_span(ids[0], "ana", *where("Turkish forces"), "ACTOR")
    store.add_span(ids[0], "ben", *where("Saraqeb"), "LOCATION")
    for article_id in ids:
        store.set_status(article_id, "ana", Status.DONE)
    return ids


def test_export_keys_name_the_work_in_article_then_annotator_order(store):
    ids = work(store)
    keys = store.export_keys()
    assert [(k.article_id, k.annotator, k.status) for k in keys] == [
        (ids[0], "ana", "done"),
        (ids[1], "ana", "done"),
    ]
    assert isinstance(keys[0], ExportKey) and keys[0][2] == "ana"
    everything = store.export_keys(statuses=None)
    assert [(k.article_id, k.annotator, k.status, k.time) for k in everything][1] == (
        ids[0],
        "ben",
        "in_progress",
        "",
    )
    assert store.export_keys(annotators=["ben"]) == []
    later = max(k.time for k in keys)
    assert [k.article_id for k in store.export_keys(since=later)] == [
        k.article_id for k in keys if k.time >= later
    ]


def test_export_annotations_follow_the_keys(store):
    ids = work(store)
    keys = store.export_keys()
    first, second = store.export_annotations(keys)
    assert (first.article_id, first.annotator, first.status, first.title) == (
        ids[0],
        "ana",
        Status.DONE,
        "Clashes in Idlib",
    )
    assert [(s.text, s.attributes) for s in first.spans] == [
        ("Turkish forces", {}),
        ("nine soldiers", {"count": 9}),
    ]
    assert second.spans == []
    assert [s.label for s in store.export_annotations(keys, labels=["ACTOR"])[0].spans] == ["ACTOR"]
    assert store.attribute_names() == ["count"]


def test_span_versions_and_changes_since(store):
    ids = work(store)
    ana = store.annotator_id("ana")
    ((chunk, versions),) = list(store.span_versions(ids, labels=["ACTOR"]))
    assert chunk == ids
    assert versions == {(ids[0], ana): [(*where("Turkish forces"), "ACTOR", ())]}
    keys = store.export_keys()
    assert store.changed_since(keys, "") == {(ids[0], ana), (ids[1], ana)}
    assert store.changed_since(keys, "9999") == set()


def test_finished_work_is_of_articles_two_annotators_finished(store):
    ids = work(store)
    assert store.finished_work() == {}
    store.set_status(ids[0], "ben", Status.DONE)
    finished = store.finished_work()
    assert list(finished) == [ids[0]] and sorted(finished[ids[0]]) == ["ana", "ben"]
    assert [s.text for s in finished[ids[0]]["ben"]] == ["Saraqeb"]
    assert store.finished_work(["ana"]) == {}


def test_import_annotation_merges_spans_and_finds_the_article_by_its_text(store):
    ids = work(store)
    stamp = "2026-01-01T00:00:00.000Z"
    spans = [SpanData(*where("Saraqeb"), "LOCATION", "Saraqeb"), SpanData(*where("Monday"), "TIME", "Monday")]
    ann = Annotation(None, f"{TEXT} 0", "ben", Status.DONE, stamp, spans)
    result = store.import_annotation(ann)
    assert result == (ids[0], 1, 1)
    assert (result.article_id, result.added, result.present) == (ids[0], 1, 1)
    assert store.status(ids[0], "ben") is Status.DONE
    assert store.edits("ben")[-1].kind == "add_span"  # the import itself is not in the undo log
    new = store.import_annotation(Annotation(None, "A text no article has.", "ben", Status.DONE, stamp, []))
    assert (
        new.article_id not in ids and store.article_title_text(new.article_id)[1] == "A text no article has."
    )
    assert store.import_annotation(ann) == (ids[0], 0, 2)  # again: nothing new
