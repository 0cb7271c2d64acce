"""The doccano export and import: offsets in UTF-16 code units (doccano's), or code points.

Real SQLite files in temporary folders; offsets are checked against the text
encoded as UTF-16, which is what doccano (JavaScript) counts in.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.cli import main
from annotations.export import Filters, export
from annotations.export.offsets import Offsets, bmp_only
from annotations.importing import import_paths
from annotations.model import SpanData, Status
from annotations.storage import Store
from tests.conftest import add_work, json_lines

FIREMEN = "👨🏻‍🚒 firemen drive firetrucks"  # doccano issue #2290
# emoji with a skin tone and ZWJ sequences, a flag, combining marks (decomposed
# "é" and Vietnamese), CJK in the BMP and outside it (U+20BB7), a Devanagari
# conjunct, all before and between the spans
HARD = (
    "👩🏽‍⚕️ Dr. Nguyễn met 👨‍👩‍👧 families in Ha\u0300 No\u0323i; 🇸🇾 Idlib and "
    "Cafe\u0301 Ouest 𠮷野家 北京市 𝐁𝐨𝐥𝐝 क्षेत्र ok"
)


def utf16_slice(text: str, start: int, end: int) -> str:
    """``text[start:end]`` counting UTF-16 code units, as JavaScript's ``substring`` does."""
    return text.encode("utf-16-le")[2 * start : 2 * end].decode("utf-16-le")


def _spans(text: str, *words: str, label: str = "LOCATION") -> list[SpanData]:
    spans = []
    for word in words:
        start = text.index(word)
        spans.append(SpanData(start, start + len(word), label, word))
    return spans


# --- the offsets module --------------------------------------------------------------


def test_offsets_of_the_doccano_issue():
    units = Offsets(FIREMEN)
    assert (units.to_utf16(19), units.to_utf16(29)) == (22, 32)
    assert units.span_from(22, 32, "utf16") == (19, 29)
    assert units.units == len(FIREMEN.encode("utf-16-le")) // 2
    with pytest.raises(ValueError, match="inside a surrogate pair"):
        units.from_utf16(1)  # between the two halves of 👨
    with pytest.raises(ValueError, match="outside the text"):
        units.from_utf16(units.units + 1)


def test_text_without_astral_characters_takes_the_fast_path():
    text = "Nguyễn in 北京市, Cafe\u0301"  # marks and CJK, all in the BMP: one unit each
    assert bmp_only(text) and not bmp_only(FIREMEN)
    units = Offsets(text)
    assert units.units == len(text)
    assert [units.to_utf16(i) for i in range(len(text) + 1)] == list(range(len(text) + 1))


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30))
def test_every_code_point_offset_converts_and_back(text):
    units = Offsets(text)
    for cp in range(len(text) + 1):
        unit = units.to_utf16(cp)
        assert len(text[:cp].encode("utf-16-le")) == 2 * unit
        assert units.from_utf16(unit) == cp


# --- export ------------------------------------------------------------------------


def test_the_doccano_issue_example_exactly(store, tmp_path):
    add_work(store, FIREMEN, _spans(FIREMEN, "firetrucks", label="ACTOR"))
    export(store, "doccano", str(tmp_path / "u.jsonl"), Filters())
    export(store, "doccano", str(tmp_path / "c.jsonl"), Filters(), offsets="codepoints")
    [utf16] = json_lines(tmp_path / "u.jsonl")
    [points] = json_lines(tmp_path / "c.jsonl")
    assert utf16["label"] == [[22, 32, "ACTOR"]] and utf16["offsets"] == "utf16"
    assert points["label"] == [[19, 29, "ACTOR"]] and points["offsets"] == "codepoints"
    assert utf16_slice(FIREMEN, 22, 32) == "firetrucks" == FIREMEN[19:29]


def test_utf16_offsets_slice_the_span_text_after_emoji_marks_and_cjk(store, tmp_path):
    words = (
        "Nguyễn",
        "families",
        "Ha\u0300 No\u0323i",
        "Idlib",
        "Cafe\u0301 Ouest",
        "𠮷野家",
        "北京市",
        "𝐁𝐨𝐥𝐝",
        "क्षेत्र",
        "ok",
    )
    add_work(store, HARD, _spans(HARD, *words))
    export(store, "doccano", str(tmp_path / "u.jsonl"), Filters())
    [line] = json_lines(tmp_path / "u.jsonl")
    assert [utf16_slice(HARD, s, e) for s, e, _ in line["label"]] == list(words)
    # code points and UTF-16 units part ways after the first emoji
    assert line["label"][0][0] > HARD.index("Nguyễn")


# --- import ------------------------------------------------------------------------


def test_import_reads_doccano_utf16_offsets(store, tmp_path):
    """A line as doccano itself exports it: no "offsets" key, UTF-16 units."""
    path = tmp_path / "from-doccano.jsonl"
    path.write_text(
        json.dumps(
            {"id": 7, "text": FIREMEN, "label": [[22, 32, "ACTOR"]], "Comments": []}, ensure_ascii=False
        )
        + "\n",
        "utf-8",
    )
    report = import_paths(store, [str(path)], fetch=False, annotator="dana")
    assert report.problems == [] and report.annotations == 1
    [span] = store.spans(1, "dana")
    assert (span.start, span.end, span.text) == (19, 29, "firetrucks")


def test_import_of_codepoint_offsets_with_the_flag(store, tmp_path):
    path = tmp_path / "points.jsonl"
    path.write_text(
        json.dumps({"text": FIREMEN, "label": [[19, 29, "ACTOR"]], "annotator": "erin"}, ensure_ascii=False)
        + "\n",
        "utf-8",
    )
    report = import_paths(store, [str(path)], fetch=False, offsets="codepoints")
    assert report.problems == []
    assert [s.text for s in store.spans(1, "erin")] == ["firetrucks"]


def test_bad_offsets_are_refused_per_line_with_the_span_named(store, tmp_path):
    good = {"text": FIREMEN, "label": [[22, 32, "ACTOR"]], "annotator": "alice"}
    lines = [
        good,
        {**good, "label": [[1, 11, "ACTOR"]]},  # starts between the halves of 👨
        {**good, "label": [[22, 40, "ACTOR"]]},  # past the end
        {**good, "offsets": "codepoints", "label": [[19, 29, "ACTOR"]]},  # said: fine
        {**good, "offsets": "bytes"},
    ]
    path = tmp_path / "bad.jsonl"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
    report = import_paths(store, [str(path)], fetch=False)
    assert report.annotations == 2
    where = {p.line: str(p) for p in report.problems}
    assert sorted(where) == [2, 3, 5]
    assert where[2].startswith(f"{path}:2: span [1, 11, 'ACTOR'] (utf16 offsets)")
    assert "inside a surrogate pair" in where[2]
    assert "[22, 40, 'ACTOR']" in where[3] and "outside the text (32 UTF-16 units)" in where[3]
    assert "unknown offsets 'bytes'" in where[5]
    assert [s.text for s in store.spans(1, "alice")] == ["firetrucks"]


def test_a_line_that_says_otherwise_than_the_flag_is_refused(store, tmp_path):
    add_work(store, FIREMEN, _spans(FIREMEN, "firetrucks"))
    out = tmp_path / "u.jsonl"
    export(store, "doccano", str(out), Filters())
    with Store(tmp_path / "other.db") as other:
        report = import_paths(other, [str(out)], fetch=False, offsets="codepoints")
        assert report.annotations == 0
        [problem] = report.problems
        assert problem.line == 1 and "says its offsets are utf16, --offsets says codepoints" in problem.reason


# --- round trips ------------------------------------------------------------------------


@pytest.mark.parametrize("offsets", ["utf16", "codepoints"])
def test_round_trip_with_emoji_gives_the_same_bytes(store, tmp_path, offsets):
    add_work(store, HARD, _spans(HARD, "Nguyễn", "Idlib", "𠮷野家"))
    add_work(store, FIREMEN, _spans(FIREMEN, "firemen", "firetrucks"), annotator="bob", status=Status.FLAGGED)
    first = tmp_path / "first.jsonl"
    export(store, "doccano", str(first), Filters(statuses=None), offsets=offsets)
    with Store(tmp_path / "other.db") as other:
        report = import_paths(other, [str(first)], fetch=False)
        assert report.problems == [] and report.spans_added == 5
        second = tmp_path / "second.jsonl"
        export(other, "doccano", str(second), Filters(statuses=None), offsets=offsets)
    assert second.read_bytes() == first.read_bytes()


LABELS = st.sampled_from(["ACTOR", "CASUALTY", "LOCATION"])
# Text an import can store: no surrogates, no C0/C1 controls but tab and newline (issue 14).
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\t\n"),
    min_size=1,
    max_size=40,
)


@st.composite
def annotated(draw) -> tuple[str, list[SpanData]]:
    """Any text (emoji, marks, CJK, line breaks...) and any spans over it."""
    text = draw(TEXT)
    spans = []
    for _ in range(draw(st.integers(0, 4))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        spans.append(SpanData(start, end, draw(LABELS), text[start:end]))
    return text, spans


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(annotated(), st.sampled_from(["utf16", "codepoints"]))
def test_round_trip_property(work, offsets):
    text, spans = work
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with Store(folder / "a.db") as store:
            add_work(store, text, spans)
            first = folder / "first.jsonl"
            export(store, "doccano", str(first), Filters(), offsets=offsets)
        [line] = json_lines(first)
        # one span per offsets and label (the store keeps no duplicates), each the text there
        cut = utf16_slice if offsets == "utf16" else lambda t, a, b: t[a:b]
        written = sorted((cut(text, a, b), label) for a, b, label in line["label"])
        assert written == sorted({(s.start, s.end, s.label): (s.text, s.label) for s in spans}.values())
        with Store(folder / "b.db") as fresh:
            report = import_paths(fresh, [str(first)], fetch=False)
            assert report.problems == []
            second = folder / "second.jsonl"
            export(fresh, "doccano", str(second), Filters(), offsets=offsets)
        assert second.read_bytes() == first.read_bytes()


# --- the command ------------------------------------------------------------------------


def test_cli_offsets_flags(store, db_path, tmp_path):
    add_work(store, FIREMEN, _spans(FIREMEN, "firetrucks", label="ACTOR"))
    runner = CliRunner()
    out = tmp_path / "points.jsonl"
    result = runner.invoke(
        main,
        ["export", "--db", str(db_path), "--format", "doccano", "--offsets", "codepoints", "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert json_lines(out)[0]["label"] == [[19, 29, "ACTOR"]]
    result = runner.invoke(
        main, ["export", "--db", str(db_path), "--format", "doccano", "-o", str(tmp_path / "units.jsonl")]
    )
    assert json_lines(tmp_path / "units.jsonl")[0]["label"] == [[22, 32, "ACTOR"]]
    # a doccano file of code points without the key, read with the flag
    bare = tmp_path / "bare.jsonl"
    bare.write_text(
        json.dumps({"text": FIREMEN, "label": [[19, 29, "ACTOR"]]}, ensure_ascii=False) + "\n", "utf-8"
    )
    other = str(tmp_path / "other.db")
    result = runner.invoke(
        main, ["import", "--db", other, str(bare), "--annotator", "zoe", "--offsets", "codepoints"]
    )
    assert result.exit_code == 0, result.output
    with Store(other) as check:
        assert [s.text for s in check.spans(1, "zoe")] == ["firetrucks"]
    # without it, the same file is refused, not shifted: as UTF-16 units 19-29 would be
    # "ve firetru", cut mid-word, where as code points it is on word edges
    result = runner.invoke(main, ["import", "--db", other, str(bare), "--annotator", "yan"])
    assert result.exit_code == 1
    assert f"{bare}:1: span [19, 29, 'ACTOR'] cuts a word as UTF-16 units" in result.output
    assert "'ve firetru'" in result.output and "--offsets codepoints" in result.output
    with Store(other) as check:
        assert check.spans(1, "yan") == []
    result = runner.invoke(
        main, ["export", "--db", str(db_path), "--format", "doccano", "--offsets", "bytes"]
    )
    assert result.exit_code == 2 and "bytes" in result.output
