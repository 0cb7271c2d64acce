"""The brat export: standoff files whose offsets slice the .txt to the stated text."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.export import ExportReport, Filters, brat, export
from annotations.labels import Attribute, Label, LabelSchema, default_schema
from annotations.model import SpanData, Status
from annotations.storage import Store
from tests.conftest import add_work

ALL = Filters(statuses=None)


@dataclass
class Entity:
    id: str
    label: str
    fragments: list[tuple[int, int]]
    text: str


@dataclass
class Ann:
    """A .ann file as brat reads it: entities, attributes, notes."""

    entities: dict[str, Entity] = field(default_factory=dict)
    attributes: list[tuple[str, str, str]] = field(default_factory=list)  # (name, target, value)
    notes: dict[str, str] = field(default_factory=dict)  # target -> note


def parse_ann(path: Path) -> Ann:
    return parse_ann_text(path.read_bytes().decode("utf-8"))


def parse_ann_text(raw: str) -> Ann:
    """A small brat .ann reader: T lines with discontinuous fragments, A lines, AnnotatorNotes."""
    assert raw == "" or raw.endswith("\n")
    parsed = Ann()
    for line in raw.split("\n")[:-1]:
        assert line.splitlines() == [line], f"a line break inside a field: {line!r}"
        kind = line[0]
        if kind == "T":
            ident, head, text = line.split("\t", 2)
            label, offsets = head.split(" ", 1)
            frags = [tuple(map(int, frag.split(" "))) for frag in offsets.split(";")]
            parsed.entities[ident] = Entity(ident, label, frags, text)
        elif kind == "A":
            ident, body = line.split("\t")
            name, target, value = body.split(" ")
            parsed.attributes.append((name, target, value))
        elif kind == "#":
            ident, head, note = line.split("\t")
            what, target = head.split(" ")
            assert what == "AnnotatorNotes"
            assert target not in parsed.notes, "one notes line per span"
            parsed.notes[target] = note
        else:
            raise AssertionError(f"unexpected line {line!r}")
    return parsed


def txt(folder: Path, name: str) -> str:
    with open(folder / name, encoding="utf-8", newline="") as f:  # as brat reads it: no translation
        return f.read()


def check_offsets(folder: Path, stem: str) -> Ann:
    """Every entity's fragments slice the .txt to its text, joined by a space as brat does."""
    text = txt(folder, f"{stem}.txt")
    parsed = parse_ann(folder / f"{stem}.ann")
    for entity in parsed.entities.values():
        for start, end in entity.fragments:
            assert 0 <= start < end <= len(text)
        assert " ".join(text[s:e] for s, e in entity.fragments) == entity.text
    return parsed


def span(text: str, part: str, label: str, attributes: dict | None = None, nth: int = 0) -> SpanData:
    start = -1
    for _ in range(nth + 1):
        start = text.index(part, start + 1)
    return SpanData(start, start + len(part), label, part, attributes or {})


def run(store: Store, tmp_path: Path, filters: Filters = ALL) -> tuple[Path, ExportReport]:
    out = tmp_path / "out"
    return out, export(store, "brat", str(out), filters)


def test_txt_is_the_article_byte_for_byte(store: Store, tmp_path: Path) -> None:
    text = "Émile 👋 met the minister\r\nin Kabul 🇦🇫 on Monday.\r\n"
    article = add_work(store, text, [span(text, "Kabul", "LOCATION"), span(text, "minister", "ACTOR")])
    out, report = run(store, tmp_path)
    assert (out / f"{article}-alice.txt").read_bytes() == text.encode("utf-8")
    parsed = check_offsets(out, f"{article}-alice")
    # code-point offsets: the emoji before Kabul count one each, not UTF-8 bytes or UTF-16 units
    kabul = next(e for e in parsed.entities.values() if e.label == "LOCATION")
    assert kabul.fragments == [(text.index("Kabul"), text.index("Kabul") + 5)]
    assert report == ExportReport(annotations=1, spans=2, dropped=0, files=[f"{article}-alice.txt"])
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{article}-alice.txt", f"{article}-alice.ann", "annotation.conf", "visual.conf"]
    )


def test_every_offset_slices_the_text(store: Store, tmp_path: Path) -> None:
    text = (
        "At least 12 people 🙁 were killed\r\nin Idlib\tprovince, said the\u2028Syrian "
        "Observatory.\nTabs\tand  spaces stay."
    )
    spans = [
        span(text, "At least 12 people", "CASUALTY", {"count": 12, "qualifier": "at_least"}),
        span(text, "people 🙁 were killed\r\nin Idlib", "CASUALTY"),
        span(text, "Idlib\tprovince", "LOCATION"),
        span(text, "the\u2028Syrian Observatory", "ACTOR"),
        span(text, "Tabs\tand  spaces", "OTHER"),
    ]
    article = add_work(store, text, spans)
    out, report = run(store, tmp_path)
    parsed = check_offsets(out, f"{article}-alice")
    assert len(parsed.entities) == report.spans == 5


def test_span_over_line_breaks_becomes_fragments(store: Store, tmp_path: Path) -> None:
    text = "Fighting near Kabul \r\n\r\n  province and\u2028Herat\x85city."
    first = text.index("Kabul")
    article = add_work(
        store,
        text,
        [
            SpanData(first, text.index(" and"), "LOCATION", text[first : text.index(" and")]),
            SpanData(text.index("Herat"), text.index("city") + 4, "LOCATION", "Herat\x85city"),
            SpanData(text.index("and"), text.index("Herat") + 5, "LOCATION", "and\u2028Herat"),
        ],
    )
    out, _ = run(store, tmp_path)
    parsed = check_offsets(out, f"{article}-alice")
    got = {e.text: e.fragments for e in parsed.entities.values()}
    kabul, province = text.index("Kabul"), text.index("province")
    herat, city, and_ = text.index("Herat"), text.index("city"), text.index("and")
    assert got == {
        "Kabul province": [(kabul, kabul + 5), (province, province + 8)],  # blank lines skipped, trimmed
        "Herat city": [(herat, herat + 5), (city, city + 4)],
        "and Herat": [(and_, and_ + 3), (herat, herat + 5)],
    }
    line = next(
        line for line in (out / f"{article}-alice.ann").read_text("utf-8").split("\n") if "Kabul" in line
    )
    assert line == f"T1\tLOCATION {kabul} {kabul + 5};{province} {province + 8}\tKabul province"


# Text made of the characters that matter here: line breaks of every kind, other
# whitespace, tabs, astral characters and plain letters.
TRICKY = st.text(
    st.sampled_from(list(brat.LINE_BREAKS) + [" ", "\t", "\u00a0", "a", "b", "é", "👋"]), max_size=30
)


@settings(max_examples=300, deadline=None)
@given(TRICKY, st.lists(st.tuples(st.integers(0, 30), st.integers(1, 30)), max_size=6))
def test_any_span_is_written_so_its_fragments_slice_the_text(text: str, raw: list) -> None:
    spans = [SpanData(min(a, a + b, len(text)), min(a + b, len(text)), "ACTOR", "") for a, b in raw]
    spans = [s for s in spans if s.start < s.end]
    lines, written = brat.ann_lines(text, spans, default_schema())
    parsed = parse_ann_text("".join(line + "\n" for line in lines))
    assert len(parsed.entities) == written
    for entity in parsed.entities.values():
        assert " ".join(text[s:e] for s, e in entity.fragments) == entity.text
        for start, end in entity.fragments:
            piece = text[start:end]
            assert piece and not any(c in brat.LINE_BREAKS for c in piece)
            if len(entity.fragments) > 1:
                assert piece == piece.strip()
    # a span is left out only when it has nothing but whitespace over a line break
    left_out = [
        s
        for s in spans
        if not text[s.start : s.end].strip() and any(c in brat.LINE_BREAKS for c in text[s.start : s.end])
    ]
    assert written == len(spans) - len(left_out)


def test_a_span_of_only_whitespace_over_a_break_is_left_out(store: Store, tmp_path: Path) -> None:
    text = "One line. \n Another."
    article = add_work(store, text, [SpanData(9, 12, "ACTOR", " \n "), span(text, "Another", "ACTOR")])
    out, report = run(store, tmp_path)
    parsed = check_offsets(out, f"{article}-alice")
    assert [e.text for e in parsed.entities.values()] == ["Another"]
    assert report.spans == 1


def test_overlapping_spans_are_all_kept(store: Store, tmp_path: Path) -> None:
    text = "The Syrian Arab Army shelled Aleppo."
    spans = [
        span(text, "Syrian Arab Army", "ACTOR"),
        span(text, "Syrian", "LOCATION"),
        span(text, "Syrian Arab Army", "CASUALTY"),  # same offsets, another label
        span(text, "Arab Army shelled Aleppo", "ACTOR"),  # crossing
    ]
    article = add_work(store, text, spans)
    out, report = run(store, tmp_path)
    parsed = check_offsets(out, f"{article}-alice")
    assert sorted((e.label, e.text) for e in parsed.entities.values()) == sorted(
        (s.label, s.text) for s in spans
    )
    assert (report.spans, report.dropped) == (4, 0)
    conf = (out / "annotation.conf").read_text("utf-8")
    assert "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>" in conf.split("\n")


def test_choice_attributes_are_attribute_lines_the_rest_notes(store: Store, tmp_path: Path) -> None:
    text = "Rebels said 30 civilians were killed in Homs."
    article = add_work(store, text, [], status=Status.IN_PROGRESS)
    # saved the way the app saves them, on the imported article
    store.add_span(
        article,
        "alice",
        text.index("30"),
        text.index(" were"),
        "CASUALTY",
        {"kind": "killed", "count": 30, "qualifier": "exact"},
    )
    store.add_span(
        article,
        "alice",
        text.index("Homs"),
        text.index("Homs") + 4,
        "LOCATION",
        {"gazetteer_id": "geonames:169577\tHoms\nSyria", "lat": 34.73, "lon": 36.72},
    )
    store.add_span(article, "alice", 0, 6, "ACTOR", {"actor_type": "rebel"})
    store.add_span(article, "alice", 0, 6, "FACTION", {"side": "opposition"})  # not in the schema
    store.set_status(article, "alice", Status.DONE)
    out, report = run(store, tmp_path, Filters())
    parsed = check_offsets(out, f"{article}-alice")
    ids = {(e.label, e.text): e.id for e in parsed.entities.values()}
    casualty, homs = ids[("CASUALTY", "30 civilians")], ids[("LOCATION", "Homs")]
    actor, faction = ids[("ACTOR", "Rebels")], ids[("FACTION", "Rebels")]
    assert sorted(parsed.attributes) == sorted(
        [
            ("kind", casualty, "killed"),
            ("qualifier", casualty, "exact"),
            ("actor_type", actor, "rebel"),
        ]
    )
    assert parsed.notes == {
        casualty: "count=30",
        homs: "gazetteer_id=geonames:169577 Homs Syria; lat=34.73; lon=36.72",
        faction: "side=opposition",
    }
    assert report.spans == 4


def test_annotation_conf_lists_labels_and_attribute_values(store: Store, tmp_path: Path) -> None:
    text = "A MILITIA fired; twenty wounded."
    add_work(
        store,
        text,
        [
            span(text, "MILITIA", "GROUP"),
            span(text, "twenty wounded", "CASUALTY", {"kind": "wounded", "count": 20}),
        ],
    )
    out, _ = run(store, tmp_path)
    conf = (out / "annotation.conf").read_text("utf-8")
    sections = {}
    for block in conf.strip("\n").split("\n\n"):
        head, *body = block.split("\n")
        sections[head] = body
    assert list(sections) == ["[entities]", "[relations]", "[events]", "[attributes]"]
    assert sections["[entities]"] == ["ACTOR", "CASUALTY", "LOCATION", "GROUP"]
    assert sections["[events]"] == []
    attributes = dict(line.split("\t") for line in sections["[attributes]"])
    assert attributes == {
        "actor_type": "Arg:ACTOR, Value:state_forces|rebel|militia|civilian|government|external|other",
        "kind": "Arg:CASUALTY, Value:killed|wounded|missing|captured|displaced",
        "qualifier": "Arg:CASUALTY, Value:exact|at_least|more_than|at_most|approx",
    }
    visual = (out / "visual.conf").read_text("utf-8")
    drawing = visual.split("[drawing]\n")[1].strip().split("\n")
    assert drawing == [f"{label.name}\tbgColor:{label.colour}" for label in default_schema().labels]
    assert all(
        line.split("\t")[1].startswith("bgColor:#") and len(line.split(":")[1]) == 7 for line in drawing
    )
    assert "GROUP | GROUP" in visual.split("\n")


def test_shared_attribute_names_merge_labels_and_values() -> None:
    schema = LabelSchema(
        (
            Label("ACTOR", "1", "#5fafff", attributes=(Attribute("role", "choice", ("attacker", "target")),)),
            Label(
                "GROUP",
                "2",
                "#ff8787",
                attributes=(
                    Attribute("role", "choice", ("target", "bystander")),
                    Attribute("size", "integer"),
                ),
            ),
            Label("PLACE", "3", "#5fd787"),
        )
    )
    conf = brat.annotation_conf(schema, ["ACTOR", "OTHER"], {"role": {"witness"}})
    lines = conf.split("\n")
    assert lines[lines.index("[entities]") + 1 : lines.index("[relations]") - 1] == [
        "ACTOR",
        "GROUP",
        "PLACE",
        "OTHER",
    ]
    after = lines[lines.index("[attributes]") + 1 :]
    assert after == ["role\tArg:ACTOR|GROUP, Value:attacker|target|bystander|witness", ""]


def test_unsafe_annotator_names_give_safe_distinct_file_names(store: Store, tmp_path: Path) -> None:
    text = "Two annotators, one article."
    article = add_work(store, text, [span(text, "annotators", "ACTOR")], annotator="../news desk/bob")
    add_work(store, text, [span(text, "article", "ACTOR")], annotator=".._news_desk_bob")
    out, report = run(store, tmp_path)
    assert report.files == [f"{article}-.._news_desk_bob.txt", f"{article}-.._news_desk_bob-2.txt"]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [*report.files, *(f.replace(".txt", ".ann") for f in report.files), "annotation.conf", "visual.conf"]
    )
    assert not (tmp_path / "news desk").exists() and not (tmp_path.parent / "news desk").exists()
    assert [check_offsets(out, f[:-4]).entities["T1"].text for f in report.files] == [
        "annotators",
        "article",
    ]  # annotators in name order: "../" < ".._"
    assert brat.safe_name("ann/é b:c") == "ann___b_c"


def test_filters_choose_the_work(store: Store, tmp_path: Path) -> None:
    text = "Shelling hit Daraa."
    done = add_work(store, text, [span(text, "Daraa", "LOCATION"), span(text, "Shelling", "ACTOR")])
    add_work(store, "Another article.", [], annotator="carol", status=Status.IN_PROGRESS)
    out, report = run(store, tmp_path, Filters(labels=("LOCATION",)))
    assert report.files == [f"{done}-alice.txt"] and report.spans == 1
    assert [e.label for e in check_offsets(out, f"{done}-alice").entities.values()] == ["LOCATION"]


def test_an_annotation_without_spans_has_an_empty_ann(store: Store, tmp_path: Path) -> None:
    article = add_work(store, "Nothing to tag here.", [], status=Status.SKIPPED)
    out, report = run(store, tmp_path)
    assert (out / f"{article}-alice.ann").read_bytes() == b""
    assert (report.annotations, report.spans) == (1, 0)


def test_export_replaces_an_existing_folder(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "stale.ann").write_text("T1\tOLD 0 1\tx\n")
    text = "Fresh text."
    article = add_work(store, text, [span(text, "Fresh", "ACTOR")])
    _, report = run(store, tmp_path)
    assert not (out / "stale.ann").exists()
    assert (out / f"{article}-alice.txt").read_text("utf-8") == text
    assert report.annotations == 1
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("newsmark.db")] == ["out"]


@pytest.mark.parametrize("existing", [False, True])
def test_a_failed_export_leaves_nothing_behind(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, existing: bool
) -> None:
    text = "Half an export."
    add_work(store, text, [span(text, "Half", "ACTOR")])
    out = tmp_path / "out"
    if existing:
        out.mkdir()
        (out / "old.ann").write_text("kept")  # an earlier export's: one a new export may replace
    real = brat.write

    def write_then_fail(store: Store, filters: Filters, folder: Path) -> ExportReport:
        real(store, filters, folder)
        assert any(folder.iterdir())
        raise OSError("disk full")

    monkeypatch.setattr(brat, "write", write_then_fail)
    with pytest.raises(OSError, match="disk full"):
        export(store, "brat", str(out), ALL)
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("newsmark.db")] == (
        ["out"] if existing else []
    )  # no .out.*.part, no .out.old
    if existing:
        assert [p.name for p in out.iterdir()] == ["old.ann"]
    else:
        assert not out.exists()
