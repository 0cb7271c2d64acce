"""Hostile import inputs (hypothesis strategies) and the check every import of them must pass.

Shared by ``tests/test_import_fuzz.py`` (a few dozen cases, in the suite) and
``bench/import_fuzz_bench.py`` (thousands). An input is a file: plain text, HTML,
article JSONL, exported annotations (our JSONL tasks, doccano, a Label Studio task
list) or random bytes under any of those names, in UTF-8, UTF-8 with a BOM, UTF-16,
cp1252 or bytes that are no encoding at all; its text holds control characters,
escape sequences, lone surrogates, bidi overrides; its JSON values have wrong types,
huge numbers, NaN, deep nesting.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from annotations.corpus.annotation_files import annotation_kind
from annotations.importing import import_paths
from annotations.storage import Store
from tests.conftest import stored_articles
from tests.test_import import PARAGRAPHS

HOSTILE = [
    "\x00",
    "\x1b[2J",
    "\x1b]0;pwned\x07",
    "\x1b]52;c;aGVsbG8=\x07",
    "\x9b31m",
    "\x85",
    "\r\n",
    "\r",
    "\x7f",
    "\x0c",
    "\ud800",
    "\udfff",
    "\u202e",
    "\u200b",
    "\t",
    "\n\n",
    "\ufeff",
]
DEEP = "[" * 100_000 + "]" * 100_000

pieces = st.one_of(
    st.sampled_from(PARAGRAPHS),
    st.sampled_from(HOSTILE),
    st.text(max_size=12),
    st.sampled_from(["Kelmar", "Idlib", " ", "\n", "said.", "<b>", "&amp;", "[bold]"]),
)
texts = st.lists(pieces, max_size=10).map("".join)
names = st.one_of(
    st.sampled_from(["ann", "bob", "a\x1b[2Jb", "\x00", "", " ", "\ud800x"]), st.text(max_size=6)
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**18, max_value=10**40),
    st.floats(),  # NaN and the infinities too
    texts,
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8,
)
offsets = st.one_of(st.integers(-3, 400), scalars)


@st.composite
def article_record(draw: st.DrawFn) -> Any:
    record: dict[str, Any] = {"text": draw(st.one_of(texts, st.sampled_from(PARAGRAPHS), scalars))}
    for key in ("title", "source", "byline", "url", "id", "published", "meta", "html"):
        if draw(st.booleans()):
            record[key] = draw(st.one_of(texts, json_values))
    return record


@st.composite
def task_record(draw: st.DrawFn) -> Any:
    spans = [
        {"start": draw(offsets), "end": draw(offsets), "label": draw(st.sampled_from(["ACTOR", "", 5]))}
        | ({"attributes": draw(json_values)} if draw(st.booleans()) else {})
        for _ in range(draw(st.integers(0, 3)))
    ]
    record = {"text": draw(texts), "spans": spans, "_annotator_id": draw(names)}
    if draw(st.booleans()):
        record["_timestamp"] = draw(st.one_of(st.floats(), st.integers(), texts))
    if draw(st.booleans()):
        record["answer"] = draw(st.sampled_from(["accept", "reject", "ignore", "maybe"]))
    return record


@st.composite
def doccano_record(draw: st.DrawFn) -> Any:
    labels = [
        [draw(offsets), draw(offsets), draw(st.sampled_from(["LOCATION", "", "\x1b"]))]
        for _ in range(draw(st.integers(0, 3)))
    ]
    return {"text": draw(texts), "label": labels, "annotator": draw(names), "offsets": "codepoints"}


@st.composite
def label_studio_task(draw: st.DrawFn) -> Any:
    results = [
        {
            "id": draw(st.sampled_from(["r1", "r2", 3])),
            "from_name": "label",
            "to_name": "text",
            "type": draw(st.sampled_from(["labels", "choices", "textarea"])),
            "value": {"start": draw(offsets), "end": draw(offsets), "labels": ["ACTOR"]}
            | ({"choices": [draw(texts)]} if draw(st.booleans()) else {}),
        }
        for _ in range(draw(st.integers(0, 3)))
    ]
    entry = {
        "result": results,
        "created_username": draw(names),
        "updated_at": draw(st.one_of(texts, scalars)),
    }
    return {"data": {"text": draw(texts)}, "annotations": [entry]}


ODD_LINES = st.sampled_from(
    [DEEP, "[" * 3000, "{not json", "[1, 2]", "null", '"text"', "", "   ", "\x00\x01"]
)


def _dump(value: Any, ascii_only: bool) -> str:
    return json.dumps(value, ensure_ascii=ascii_only)


def _encode(text: str, encoding: str) -> bytes:
    if encoding in ("utf-8", "utf-8-sig", "utf-16"):
        return text.encode(encoding, "surrogatepass")
    return text.encode(encoding, "replace")


@st.composite
def input_file(draw: st.DrawFn) -> tuple[str, bytes]:
    """(file name, its bytes): one input of some kind, in some encoding, often broken."""
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]))
    kind = draw(st.sampled_from(["txt", "html", "jsonl", "tasks", "doccano", "labelstudio", "bytes"]))
    ascii_only = draw(st.booleans())
    newline = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    if kind == "bytes":
        name = draw(st.sampled_from(["x.txt", "x.html", "x.jsonl", "x.json", "x.rss"]))
        return name, draw(st.binary(max_size=300))
    if kind in ("txt", "html"):
        text = draw(texts)
        if kind == "html":
            text = f"<html><head><title>{draw(texts)}</title></head><body><p>{text}</p></body></html>"
        return f"a.{kind}", _encode(text, encoding)
    if kind == "labelstudio":
        tasks = draw(st.lists(st.one_of(label_studio_task(), json_values), max_size=3))
        return "tasks.json", _encode(_dump(tasks, ascii_only), encoding)
    record = {"jsonl": article_record(), "tasks": task_record(), "doccano": doccano_record()}[kind]
    first = draw(record)  # the first line decides what kind of file it is
    rest = draw(
        st.lists(st.one_of(record, json_values, ODD_LINES.map(lambda line: ("raw", line))), max_size=4)
    )
    lines = [_dump(first, ascii_only)] + [
        item[1] if isinstance(item, tuple) else _dump(item, ascii_only) for item in rest
    ]
    return f"{kind}.jsonl", _encode(newline.join(lines) + newline, encoding)


# -- the check ---------------------------------------------------------------------------------

_UNSTORABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


@dataclass
class Outcome:
    """What one case gave: for the bench's tally."""

    problems: int = 0
    articles: int = 0
    annotations: int = 0


def check_import(store: Store, path: Path) -> Outcome:
    """Import ``path`` into ``store``: no exception; every problem names the file; in an
    article JSONL file each non-blank line is an article or a problem of that line."""
    before = store.article_count()
    kind = annotation_kind(path) if path.suffix == ".jsonl" else None
    report = import_paths(store, [str(path)], fetch=False)
    for problem in report.problems:
        assert problem.origin.startswith(str(path)), problem
        assert problem.reason.strip(), problem
    stored = report.added + report.duplicates + report.recleaned + report.kept
    if kind is None and path.suffix != ".json":
        assert store.article_count() - before == report.added, report
    named = [p for p in report.problems if p.line is not None]
    whole = [p for p in report.problems if p.line is None]
    data = path.read_bytes()
    if (
        path.suffix == ".jsonl"
        and kind is None
        and not whole
        and not data.startswith((b"\xff\xfe", b"\xfe\xff"))
    ):
        lines = [line for line in data.split(b"\n") if line.strip()]
        assert stored + len({p.line for p in named}) == len(lines), (report, len(lines))
    if path.suffix in (".txt", ".html"):
        assert stored + len(report.problems) >= 1, report
    return Outcome(len(report.problems), report.added, report.annotations)


def check_store(store: Store) -> None:
    """The database is sound and holds nothing import should have kept out."""
    assert store.integrity_check() == ["ok"]
    for art in stored_articles(store):
        for value in (art.raw_text, art.clean_text, art.title, art.source, art.byline, art.url):
            assert value is None or not _UNSTORABLE.search(value), (art.id, value)
        for span in store.spans(art.id):
            assert art.clean_text[span.start : span.end] == span.text
            assert not _UNSTORABLE.search(span.annotator + json.dumps(span.attributes, ensure_ascii=False))
