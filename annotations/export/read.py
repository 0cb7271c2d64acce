"""Reading exports back: ``newsmark import`` of the JSONL and doccano formats.

A JSONL file whose first record has ``spans``, ``answer`` or ``_input_hash``
is read as tasks (our JSONL export, or Prodigy's); one whose first record has
a ``label`` list is doccano. Any other JSONL is a corpus of articles, for the
article importer. Each line becomes an :class:`~annotations.model.Annotation`
for :meth:`Store.import_annotation`, or a :class:`Problem` naming the file and
line: offsets outside the text, a span whose ``text`` is not the text at its
offsets, an unknown ``answer``, no annotator.

A reviewer's annotation (JSONL ``accept``, doccano ``"status": "reviewed"``) is
imported as done, under the name in the file: status ``reviewed`` is made only
by ``newsmark review`` in the database itself, so importing an export never
turns anyone's work into a review.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import msgspec

from annotations.export.jsonl import STATUS_OF_ANSWER
from annotations.model import Annotation, Problem, SpanData, Status
from annotations.store import now, stamp

TASK_KEYS = frozenset({"spans", "answer", "_input_hash", "_task_hash"})


class InSpan(msgspec.Struct):
    start: int
    end: int
    label: str
    text: str | None = None
    attributes: dict[str, Any] = {}


class InMeta(msgspec.Struct, frozen=True):
    id: Any = None
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None


class InTask(msgspec.Struct):
    text: str
    spans: list[InSpan] = []
    meta: InMeta = InMeta()
    answer: str | None = None
    annotator_id: str | None = msgspec.field(default=None, name="_annotator_id")
    timestamp: float | None = msgspec.field(default=None, name="_timestamp")


class InDoccano(msgspec.Struct):
    text: str
    label: list[tuple[int, int, str]] = []
    meta: InMeta = InMeta()
    annotator: str | None = None
    status: str | None = None


def annotation_kind(path: str | Path) -> str | None:
    """"tasks", "doccano", or None (not an annotation file) from the first record."""
    try:
        with open(path, encoding="utf-8-sig") as lines:
            first = next((line for line in lines if line.strip()), "")
        record = json.loads(first)
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(record, dict):
        return None
    if isinstance(record.get("label"), list):
        return "doccano"
    if TASK_KEYS & record.keys():
        return "tasks"
    return None


def read_annotations(path: str | Path, kind: str, annotator: str | None = None
                     ) -> Iterator[Annotation | Problem]:
    """Each line of an export as an Annotation, or the Problem that line has.

    ``annotator`` names the work's annotator whatever the file says.
    """
    decoder = msgspec.json.Decoder(InTask if kind == "tasks" else InDoccano)
    origin = str(path)
    with open(path, "rb") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = decoder.decode(line.removeprefix(b"\xef\xbb\xbf") if number == 1 else line)
                yield _annotation(record, annotator)
            except (msgspec.DecodeError, ValueError) as exc:
                yield Problem(origin, str(exc), number)


def _annotation(record: InTask | InDoccano, annotator: str | None) -> Annotation:
    text = record.text
    if isinstance(record, InTask):
        spans = [_span(text, s.start, s.end, s.label, s.text, s.attributes) for s in record.spans]
        if record.answer is None:
            status = Status.IN_PROGRESS
        elif record.answer in STATUS_OF_ANSWER:
            status = STATUS_OF_ANSWER[record.answer]
        else:
            raise ValueError(f"unknown answer {record.answer!r}: accept, ignore or reject")
        name = annotator or record.annotator_id
        updated = _stamp(record.timestamp)
    else:
        spans = [_span(text, s, e, label, None, {}) for s, e, label in record.label]
        try:
            status = Status(record.status or Status.DONE.value)
        except ValueError:
            raise ValueError(f"unknown status {record.status!r}") from None
        if status is Status.REVIEWED:  # as JSONL's "accept": imported work is done, never reviewed
            status = Status.DONE
        name = annotator or record.annotator
        updated = now()
    if not name:
        raise ValueError("no annotator in the file: name one with --annotator")
    meta = record.meta
    article_id = meta.id if isinstance(meta.id, int) and not isinstance(meta.id, bool) else None
    return Annotation(article_id, text, name, status, updated, spans,
                      meta.title, meta.source, meta.url, meta.published)


def _span(text: str, start: int, end: int, label: str, quoted: str | None,
          attributes: dict[str, Any]) -> SpanData:
    if not 0 <= start < end <= len(text):
        raise ValueError(f"span {start}:{end} is outside the text (length {len(text)})")
    if not label.strip():
        raise ValueError(f"span {start}:{end} has an empty label")
    actual = text[start:end]
    if quoted is not None and quoted != actual:
        raise ValueError(f"span {start}:{end} says its text is {quoted!r}, "
                         f"but the text there is {actual!r}")
    return SpanData(start, end, label, actual, attributes)


def _stamp(seconds: float | None) -> str:
    if seconds is None:
        return now()
    return stamp(datetime.fromtimestamp(seconds, timezone.utc))
