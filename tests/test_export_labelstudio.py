"""The Label Studio export (a JSON task list and its labeling config) and its import.

Real SQLite files in temporary folders. Offsets are code points, as Label
Studio counts them, on text with emoji, combining marks and CJK.
"""

from __future__ import annotations

import json
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.cli import main
from annotations.corpus.annotation_files import annotation_kind
from annotations.export import Filters, export
from annotations.export.labelstudio import config_path
from annotations.importing import import_paths
from annotations.model import Annotation, SpanData, Status
from annotations.storage import Store
from tests.conftest import add_work
from tests.test_export_doccano import FIREMEN, HARD, annotated

STAMP = "2026-11-01T10:00:00.000Z"


def _span(text: str, word: str, label: str, attributes: dict | None = None) -> SpanData:
    start = text.index(word)
    return SpanData(start, start + len(word), label, word, attributes or {})


def _work(store: Store) -> None:
    """Two articles: four annotators on the emoji one (every status), one on the other."""
    killed = _span(HARD, "families", "CASUALTY", {"kind": "killed", "count": 3})
    place = _span(HARD, "Idlib", "LOCATION", {"gazetteer_id": "geonames:170794", "lat": 35.93})
    for who, status, spans in (
        ("alice", Status.DONE, [killed, place, _span(HARD, "𠮷野家", "ACTOR", {"actor_type": "civilian"})]),
        ("bob", Status.SKIPPED, []),
        ("carol", Status.IN_PROGRESS, [_span(HARD, "Ha\u0300 No\u0323i", "LOCATION")]),
        ("dan", Status.FLAGGED, [_span(HARD, "Cafe\u0301 Ouest", "LOCATION")]),
    ):
        store.import_annotation(Annotation(1, HARD, who, status, STAMP, spans, "Title 🎉"))
    store.import_annotation(
        Annotation(2, FIREMEN, "rita", Status.REVIEWED, STAMP, [_span(FIREMEN, "firetrucks", "ACTOR")])
    )


def _tasks(path: Path) -> list[dict]:
    return json.loads(path.read_text("utf-8"))


def test_one_task_per_article_with_each_annotators_work(store, tmp_path):
    _work(store)
    out = tmp_path / "tasks.json"
    report = export(store, "labelstudio", str(out), Filters(statuses=None))
    assert (report.annotations, report.spans) == (5, 6)
    lines = out.read_text("utf-8").splitlines()
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == 4  # a task per line
    first, second = _tasks(out)
    assert first["data"]["text"] == HARD and first["data"]["meta"]["title"] == "Title 🎉"
    assert [a["created_username"] for a in first["annotations"]] == ["alice", "bob", "dan"]
    assert [a["was_cancelled"] for a in first["annotations"]] == [False, True, True]
    assert [a["newsmark_status"] for a in first["annotations"]] == ["done", "skipped", "flagged"]
    # work in progress is a draft, never a submitted annotation
    [draft] = first["drafts"]
    assert draft["user"] == draft["created_username"] == "carol"
    assert "was_cancelled" not in draft
    [reviewed] = second["annotations"]
    assert reviewed["ground_truth"] is True and reviewed["newsmark_status"] == "reviewed"


def test_offsets_are_code_points_and_every_item_names_its_text(store, tmp_path):
    _work(store)
    out = tmp_path / "tasks.json"
    export(store, "labelstudio", str(out), Filters(statuses=None))
    for task in _tasks(out):
        text = task["data"]["text"]
        for ann in task["annotations"] + task["drafts"]:
            for item in ann["result"]:
                value = item["value"]
                assert item["to_name"] == "text"
                if item["type"] == "textarea":
                    assert isinstance(value["text"], list)  # Label Studio's per-region text
                else:
                    assert text[value["start"] : value["end"]] == value["text"]
    alice = _tasks(out)[0]["annotations"][0]["result"]
    labels = [(i["value"]["start"], i["value"]["text"]) for i in alice if i["type"] == "labels"]
    assert labels == [
        (HARD.index("families"), "families"),
        (HARD.index("Idlib"), "Idlib"),
        (HARD.index("𠮷野家"), "𠮷野家"),
    ]
    assert HARD.index("Idlib") != len(HARD[: HARD.index("Idlib")].encode("utf-16-le")) // 2


def test_attributes_are_result_items_sharing_the_region_id(store, tmp_path):
    _work(store)
    out = tmp_path / "tasks.json"
    export(store, "labelstudio", str(out), Filters())
    result = _tasks(out)[0]["annotations"][0]["result"]
    by_region: dict[str, list[dict]] = {}
    for item in result:
        by_region.setdefault(item["id"], []).append(item)
    families = next(items for items in by_region.values() if items[0]["value"].get("text") == "families")
    assert [(i["from_name"], i["type"]) for i in families] == [
        ("label", "labels"),
        ("kind", "choices"),
        ("count", "number"),
    ]
    assert families[1]["value"]["choices"] == ["killed"] and families[2]["value"]["number"] == 3
    idlib = next(items for items in by_region.values() if items[0]["value"].get("text") == "Idlib")
    assert [(i["from_name"], i["type"]) for i in idlib[1:]] == [
        ("gazetteer_id", "textarea"),
        ("lat", "number"),
    ]
    assert idlib[1]["value"]["text"] == ["geonames:170794"]


def test_the_labeling_config_matches_the_schema_and_the_results(store, tmp_path):
    _work(store)
    out = tmp_path / "tasks.json"
    report = export(store, "labelstudio", str(out), Filters(statuses=None))
    config = config_path(out)
    assert config.name == "tasks.label_config.xml" and report.files == [str(config)]
    root = ET.fromstring(config.read_text("utf-8"))
    controls = {el.get("name"): el.tag.lower() for el in root.iter() if el.get("toName")}
    assert [el.get("value") for el in root.iter("Label")] == ["ACTOR", "CASUALTY", "LOCATION"]
    assert controls["label"] == "labels" and root.find("Text").get("value") == "$text"
    assert {controls["kind"], controls["count"], controls["gazetteer_id"]} == {
        "choices",
        "number",
        "textarea",
    }
    kinds = root.find(".//Choices[@name='kind']")
    assert "killed" in [c.get("value") for c in kinds.iter("Choice")]
    for task in _tasks(out):
        for ann in task["annotations"] + task["drafts"]:
            for item in ann["result"]:
                assert controls[item["from_name"]] == item["type"], item


def test_labels_and_attributes_outside_the_schema_get_controls(store, tmp_path):
    text = "Shelling hit Idlib."
    add_work(store, text, [SpanData(13, 18, "FACILITY", "Idlib", {"note": "checked", "floors": 3})])
    out = tmp_path / "tasks.json"
    export(store, "labelstudio", str(out), Filters())
    root = ET.fromstring(config_path(out).read_text("utf-8"))
    assert "FACILITY" in [el.get("value") for el in root.iter("Label")]
    assert root.find(".//TextArea[@name='note']") is not None
    assert root.find(".//Number[@name='floors']") is not None


# --- import -------------------------------------------------------------------------


def test_round_trip_gives_the_same_bytes_and_everything_back(store, tmp_path):
    _work(store)
    first = tmp_path / "first.json"
    export(store, "labelstudio", str(first), Filters(statuses=None))
    assert annotation_kind(first) == "labelstudio"
    with Store(tmp_path / "other.db") as other:
        report = import_paths(other, [str(first)], fetch=False)
        assert (report.problems, report.annotations, report.spans_added) == ([], 5, 6)
        assert [other.status(1, who) for who in ("alice", "bob", "carol", "dan")] == [
            Status.DONE,
            Status.SKIPPED,
            Status.IN_PROGRESS,
            Status.FLAGGED,
        ]
        assert other.status(2, "rita") is Status.DONE  # an import never makes a review
        attributes = {s.text: dict(s.attributes) for s in other.spans(1, "alice")}
        assert attributes == {
            "families": {"kind": "killed", "count": 3},
            "Idlib": {"gazetteer_id": "geonames:170794", "lat": 35.93},
            "𠮷野家": {"actor_type": "civilian"},
        }
        assert other.article(1).title == "Title 🎉"
        second = tmp_path / "second.json"
        export(
            other,
            "labelstudio",
            str(second),
            Filters(statuses=None, annotators=("alice", "bob", "carol", "dan")),
        )
        expected = tmp_path / "expected.json"
        export(
            store,
            "labelstudio",
            str(expected),
            Filters(statuses=None, annotators=("alice", "bob", "carol", "dan")),
        )
    assert second.read_bytes() == expected.read_bytes()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(annotated(), st.sampled_from([Status.DONE, Status.SKIPPED, Status.FLAGGED, Status.IN_PROGRESS]))
def test_round_trip_property(work, status):
    text, spans = work
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with Store(folder / "a.db") as store:
            store.import_annotation(Annotation(None, text, "alice", status, STAMP, spans))
            first = folder / "first.json"
            export(store, "labelstudio", str(first), Filters(statuses=None))
        with Store(folder / "b.db") as fresh:
            report = import_paths(fresh, [str(first)], fetch=False)
            assert report.problems == []
            second = folder / "second.json"
            export(fresh, "labelstudio", str(second), Filters(statuses=None))
        assert second.read_bytes() == first.read_bytes()


def _write(path: Path, tasks: list, indent: int | None = None) -> None:
    path.write_text(json.dumps(tasks, ensure_ascii=False, indent=indent), "utf-8")


def _task(text: str, *results: dict, who: str = "alice", **extra) -> dict:
    return {
        "data": {"text": text},
        "annotations": [{"created_username": who, "result": list(results), **extra}],
    }


def _labels(start: int, end: int, text: str | None, label: str = "LOCATION", rid: str = "r1"):
    value = {"start": start, "end": end, "labels": [label]}
    if text is not None:
        value["text"] = text
    return {"id": rid, "from_name": "label", "to_name": "text", "type": "labels", "value": value}


def test_a_span_whose_text_does_not_match_is_refused_with_file_line_and_span(store, tmp_path):
    text = "🇸🇾 Shelling hit Idlib, near Saraqeb."
    tasks = [
        _task(text, _labels(16, 21, "Idlib")),
        _task(text, _labels(16, 21, "Idlib"), _labels(28, 35, "Saraqib", rid="r2"), who="bob"),
        _task(text, _labels(18, 23, "Idlib", rid="x7"), who="cy"),  # UTF-16 units, not code points
        {"annotations": []},
        _task(text, _labels(16, 99, None), who="dee"),
    ]
    path = tmp_path / "ls.json"
    path.write_text("[\n" + ",\n".join(json.dumps(t, ensure_ascii=False) for t in tasks) + "\n]\n", "utf-8")
    report = import_paths(store, [str(path)], fetch=False)
    assert report.annotations == 1
    where = {p.line: str(p) for p in report.problems}
    assert sorted(where) == [3, 4, 5, 6]
    assert where[3].startswith(
        f"{path}:3: annotation 1 (bob): region 'r2' LOCATION: span 28:35 "
        "says its text is 'Saraqib', but the text there is 'Saraqeb'"
    )
    assert "region 'x7'" in where[4] and "if the offsets count UTF-16 units" in where[4]
    assert "not a Label Studio task" in where[5] and "data" in where[5]
    assert "outside the text" in where[6]
    assert [s.text for s in store.spans(1, "alice")] == ["Idlib"]
    assert store.spans(1, "bob") == []


def test_a_task_that_is_not_json_is_named_and_the_rest_imported(store, tmp_path):
    text = "Shelling hit Idlib."
    good = json.dumps(_task(text, _labels(13, 18, "Idlib")))
    path = tmp_path / "broken.json"
    broken = '{"data": {"text": oops}}'
    path.write_text(f"[\n{good},\n{broken},\n{good.replace('alice', 'bo')}\n]\n", "utf-8")
    report = import_paths(store, [str(path)], fetch=False)
    assert report.annotations == 2
    [problem] = report.problems
    assert problem.line == 3 and "not JSON" in problem.reason
    assert store.spans(1, "bo") and store.spans(1, "alice")


def test_import_of_label_studios_own_export(store, tmp_path):
    """Pretty-printed as Label Studio writes it; annotators by email; lines still found."""
    text = "👨🏻‍🚒 firemen drive firetrucks"
    tasks = [
        {
            "id": 41,
            "data": {"text": text},
            "meta": {},
            "project": 3,
            "annotations": [
                {
                    "id": 9,
                    "completed_by": 1,
                    "created_username": " alice@example.org, 1",
                    "was_cancelled": False,
                    "ground_truth": False,
                    "created_at": "2026-10-02T08:15:00.123456Z",
                    "updated_at": "2026-10-02T08:16:01.5Z",
                    "result": [
                        _labels(19, 29, "firetrucks", "ACTOR", "Ab3_x"),
                        {
                            "id": "Ab3_x",
                            "from_name": "kind",
                            "to_name": "text",
                            "type": "choices",
                            "value": {"start": 19, "end": 29, "text": "firetrucks", "choices": ["killed"]},
                        },
                        {"from_id": "Ab3_x", "to_id": "Ab3_x", "type": "relation", "direction": "right"},
                    ],
                },
                {"id": 10, "completed_by": 2, "was_cancelled": True, "result": []},
            ],
            "drafts": [
                {
                    "id": 3,
                    "user": "carol@example.org",
                    "annotation": None,
                    "result": [_labels(5, 12, "firemen", "ACTOR")],
                },
                {"id": 4, "user": "alice@example.org", "annotation": 9, "result": []},
            ],
        }
    ]
    path = tmp_path / "project-3-at-2026-10-02.json"
    _write(path, tasks, indent=2)
    report = import_paths(store, [str(path)], fetch=False)
    assert report.problems == [] and report.annotations == 3
    [span] = store.spans(1, "alice@example.org")
    assert (span.text, dict(span.attributes)) == ("firetrucks", {"kind": "killed"})
    assert store.status(1, "alice@example.org") is Status.DONE
    assert store.status(1, "labelstudio-user-2") is Status.SKIPPED
    assert store.status(1, "carol@example.org") is Status.IN_PROGRESS
    # a bad task in the same layout is named by the line it starts on
    tasks.append({"data": {"text": text}, "annotations": [{"result": [_labels(0, 3, "x")]}]})
    _write(path, tasks, indent=2)
    report = import_paths(store, [str(path)], fetch=False)
    [problem] = report.problems
    starts = [i + 1 for i, line in enumerate(path.read_text().splitlines()) if line == "  {"]
    assert problem.line == starts[1]
    assert "no annotator" in problem.reason and "--annotator" in problem.reason


def test_a_json_file_that_is_not_a_task_list(store, tmp_path):
    other = tmp_path / "settings.json"
    other.write_text('{"theme": "dark"}', "utf-8")
    report = import_paths(store, [str(other)], fetch=False)
    [problem] = report.problems
    assert "only as a Label Studio task list" in problem.reason
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "meta.json").write_text("[1, 2]", "utf-8")
    (folder / "a.json").write_text(
        json.dumps([_task("Shelling hit Idlib.", _labels(13, 18, "Idlib"))]), "utf-8"
    )
    report = import_paths(store, [str(folder)], fetch=False)
    assert report.problems == [] and report.annotations == 1
    assert [i.location for i in report.ignored] == [str(folder / "meta.json")]


def test_a_first_task_longer_than_the_head_read_is_recognised(store, tmp_path):
    text = "Shelling hit Idlib. " * 5000  # 100 kB: "annotations" comes after 64 KiB
    store.import_annotation(
        Annotation(None, text, "alice", Status.DONE, STAMP, [_span(text, "Idlib", "LOCATION")])
    )
    out = tmp_path / "long.json"
    export(store, "labelstudio", str(out), Filters())
    assert out.stat().st_size > 1 << 16 and annotation_kind(out) == "labelstudio"
    with Store(tmp_path / "other.db") as other:
        assert import_paths(other, [str(out)], fetch=False).annotations == 1


def test_cli_export_and_import(store, db_path, tmp_path):
    _work(store)
    out = tmp_path / "tasks.json"
    runner = CliRunner()
    result = runner.invoke(
        main, ["export", "--db", str(db_path), "--format", "labelstudio", "--status", "all", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "tasks.label_config.xml" in result.output
    assert len(_tasks(out)) == 2
    other = str(tmp_path / "other.db")
    result = runner.invoke(main, ["import", "--db", other, str(out), "--annotator", "zed"])
    assert result.exit_code == 0, result.output
    with Store(other) as check:
        assert len(check.spans(1, "zed")) == 5


# --- Label Studio's own SDK ------------------------------------------------------------


def test_label_studio_sdk_accepts_the_export_and_its_config(store, tmp_path):
    """Label Studio's SDK validates the config and every result, and converts the file.

    The SDK pins an older numpy than spaCy's, so it lives in a virtual environment of
    its own: ``.ci/run`` makes it and names its python in ``$NEWSMARK_LABELSTUDIO_PYTHON``.
    """
    import os
    import subprocess

    python = os.environ.get("NEWSMARK_LABELSTUDIO_PYTHON")
    if not python:
        pytest.skip("no Label Studio SDK environment ($NEWSMARK_LABELSTUDIO_PYTHON; .ci/run makes one)")
    _work(store)
    out = tmp_path / "tasks.json"
    export(store, "labelstudio", str(out), Filters(statuses=None))
    check = Path(__file__).resolve().parent.parent / "bench" / "labelstudio_check.py"
    done = subprocess.run(
        [python, str(check), str(out), str(config_path(out))], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    assert "config valid; 2 tasks, 6 labels regions checked" in done.stdout
    # and it really checks: a region whose text is not the text there is an error
    broken = _tasks(out)
    broken[0]["annotations"][0]["result"][0]["value"]["text"] = "not there"
    bad = tmp_path / "broken.json"
    bad.write_text(json.dumps(broken), "utf-8")
    done = subprocess.run(
        [python, str(check), str(bad), str(config_path(out))], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 1 and "ERROR" in done.stdout
