"""An imported annotation file's text is kept as given but for what import takes out of all
text (issue 14, :mod:`annotations.corpus.controls`): `\\r\\n` and a lone `\\r` become `\\n`,
other C0/C1 controls (VT, FF, NEL) go. Odd whitespace (no-break, ideographic spaces, a line
separator, tabs) stays; its spans are moved with the text, so they still point at their
words, and export -> import -> export gives the same bytes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotations.cli import main
from annotations.corpus.controls import stored_text
from annotations.storage import Store
from tests.conftest import stored_articles

# Line breaks of every kind, tabs, no-break and ideographic spaces, a form feed
# and a line separator, with spans before and after each of them.
TEXT = (
    "Syria\r\nShelling hit Aleppo \ron Monday.\r\n\r\nIdlib\u2028Hama\u0085Homs\x0bDeir"
    "\x0c ez\u00a0Zor\t\tRaqqa\u3000Daraa \n\rEnd.\r\n"
)
PLACES = ["Syria", "Aleppo", "Idlib", "Hama", "Homs", "Deir", "Zor", "Raqqa", "Daraa", "End"]


def _spans() -> list[tuple[int, int, str]]:
    return [(TEXT.index(p), TEXT.index(p) + len(p), p) for p in PLACES]


def _write(path: Path, record: dict) -> Path:
    # the file itself has Windows line endings too
    path.write_bytes((json.dumps(record) + "\r\n").encode("utf-8"))
    return path


def _tasks(tmp_path: Path) -> Path:
    spans = [{"start": s, "end": e, "label": "LOCATION", "text": t} for s, e, t in _spans()]
    return _write(
        tmp_path / "tasks.jsonl", {"text": TEXT, "spans": spans, "answer": "accept", "_annotator_id": "ann"}
    )


def _doccano(tmp_path: Path) -> Path:
    return _write(
        tmp_path / "doccano.jsonl",
        {"text": TEXT, "label": [[s, e, "LOCATION"] for s, e, _ in _spans()], "annotator": "bob"},
    )


def _import_export(source: Path, fmt: str, db: Path, out: Path) -> bytes:
    runner = CliRunner()
    result = runner.invoke(main, ["import", str(source), "--db", str(db)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        main, ["export", "--db", str(db), "--format", fmt, "-o", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def _text_and_offsets(fmt: str, data: bytes) -> tuple[str, list[tuple[int, int]]]:
    """The one record's text and span offsets, as the format writes them."""
    if fmt == "labelstudio":
        (task,) = json.loads(data)
        results = task["annotations"][0]["result"]
        return task["data"]["text"], [(r["value"]["start"], r["value"]["end"]) for r in results]
    (record,) = [json.loads(line) for line in data.splitlines()]
    if fmt == "jsonl":
        return record["text"], [(s["start"], s["end"]) for s in record["spans"]]
    return record["text"], [(s, e) for s, e, _ in record["label"]]


@pytest.mark.parametrize(
    ("fmt", "make"), [("jsonl", _tasks), ("doccano", _doccano), ("labelstudio", _doccano)]
)
def test_annotation_file_text_round_trips_byte_for_byte(tmp_path, fmt, make):
    """import -> export -> import -> export: the same bytes, the text as given, offsets valid."""
    ext = "json" if fmt == "labelstudio" else "jsonl"
    first = _import_export(make(tmp_path), fmt, tmp_path / "one.db", tmp_path / f"one.{ext}")
    second = _import_export(tmp_path / f"one.{ext}", fmt, tmp_path / "two.db", tmp_path / f"two.{ext}")
    assert second == first
    text, found = _text_and_offsets(fmt, first)
    as_stored = stored_text(TEXT)
    assert text == as_stored and "\r" not in text and "\u2028" in text and "\u3000" in text
    with Store(tmp_path / "two.db") as store:
        (stored,) = [a.clean_text for a in stored_articles(store)]
    assert stored == as_stored
    assert [as_stored[s:e] for s, e in sorted(found)] == PLACES  # offsets still point at the words


def test_a_corpus_article_still_has_its_line_breaks_unified(tmp_path):
    """The raw corpus is not an annotation file: its text is sanitized as before."""
    body = (
        "Shelling hit the town of Saraqeb on Monday, killing four civilians and wounding "
        "seven others, a monitoring group said in a statement."
    )
    second = "The attack came a day after government forces retook two villages south of the town."
    (tmp_path / "a.jsonl").write_bytes(json.dumps({"text": body + "\r\n\r\n" + second}).encode())
    runner = CliRunner()
    assert (
        runner.invoke(main, ["import", str(tmp_path / "a.jsonl"), "--db", str(tmp_path / "c.db")]).exit_code
        == 0
    )
    with Store(tmp_path / "c.db") as store:
        (text,) = [a.clean_text for a in stored_articles(store)]
    assert "\r" not in text and body in text
