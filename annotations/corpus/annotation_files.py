"""Annotation files, for ``newsmark import``: recognising one, and reading it with its format's reader.

A JSONL file whose first record has ``spans``, ``answer`` or ``_input_hash``
is a ``jsonl`` file of tasks (our JSONL export, or Prodigy's); one whose first
record has a ``label`` list is ``doccano``. Any other JSONL is a corpus of
articles, for the article importer. A ``.json`` list of tasks with ``data``
and ``annotations`` is Label Studio's. Each format's reader lives beside its
writer (:mod:`annotations.export.formats` finds it) and turns each record into
an :class:`~annotations.model.Annotation` for :meth:`Store.import_annotation`,
or a :class:`~annotations.model.Problem` naming the file and line.

What the readers share (the article ``meta``, the span check, the status an
imported record gets: a reviewer's work comes back as done) is
:mod:`annotations.export.reading`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from pathlib import Path

from annotations.corpus.controls import Tally, offset_map, stored_field, stored_text, stored_value
from annotations.input_files import DEFAULT_MAX_SIZE, open_regular, read_line
from annotations.model import Annotation, Problem, SpanData

TASK_KEYS = frozenset({"spans", "answer", "_input_hash", "_task_hash"})


def annotation_kind(path: str | Path, max_size: int = DEFAULT_MAX_SIZE) -> str | None:
    """The format of an annotation file, ``"jsonl"``, ``"doccano"`` or ``"labelstudio"``;
    None when it is not one (or cannot be read: a FIFO, a first line over ``max_size``).

    JSONL by its first record; a ``.json`` file by its first task.
    """
    try:
        if Path(path).suffix.lower() == ".json":
            from annotations.export.labelstudio import is_task_list

            open_regular(path).close()  # never open a FIFO by name
            return "labelstudio" if is_task_list(path) else None
        with open_regular(path) as lines:
            while (first := read_line(lines, max_size)) is not None and not (
                isinstance(first, bytes) and first.strip()
            ):
                pass
        if not isinstance(first, bytes):
            return None
        record = json.loads(first.decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(record, dict):
        return None
    if isinstance(record.get("label"), list):
        return "doccano"
    if TASK_KEYS & record.keys():
        return "jsonl"
    return None


def read_annotations(
    path: str | Path,
    kind: str,
    annotator: str | None = None,
    offsets: str | None = None,
    *,
    max_size: int = DEFAULT_MAX_SIZE,
    tally: Callable[[Tally], None] | None = None,
) -> Iterator[Annotation | Problem]:
    """Each record of an annotation file of format ``kind`` as an Annotation, or the Problem it has.

    ``annotator`` names the work's annotator whatever the file says.
    ``offsets``: how doccano offsets count (:data:`annotations.export.offsets.CONVENTIONS`);
    by default as each line says, else UTF-16 units, doccano's own. ``max_size``: a
    line longer than this is refused. Text, names and attributes come as stored
    (:mod:`annotations.corpus.controls`), the spans moved with the text;
    ``tally`` is told what was removed from each record.
    """
    from annotations.export.formats import ImportOptions, readable
    from annotations.export.offsets import CONVENTIONS

    if offsets is not None and offsets not in CONVENTIONS:
        raise ValueError(f"unknown offsets {offsets!r}: {' or '.join(CONVENTIONS)}")
    formats = readable()
    if kind not in formats:
        raise ValueError(f"not a format that can be imported: {kind!r}; one of {', '.join(formats)}")
    reader = formats[kind].reader
    assert reader is not None
    origin = str(path)
    for outcome in reader(path, ImportOptions(annotator, offsets, max_size)):
        if isinstance(outcome, Problem):
            yield outcome
            continue
        counted = Tally()
        try:
            stored = stored_annotation(outcome, counted)
        except ValueError as exc:
            yield Problem(origin, str(exc))
            continue
        if tally is not None:
            tally(counted)
        yield stored


def stored_annotation(ann: Annotation, tally: Tally | None = None) -> Annotation:
    """``ann`` as stored: its text, names and attributes without control characters, and
    its spans moved to where their text is after the removal.

    ``ValueError`` naming the span when one holds nothing but control characters,
    or when no annotator name is left.
    """
    text = stored_text(ann.text, tally)
    move = offset_map(ann.text) if len(text) != len(ann.text) else None
    spans: list[SpanData] = []
    for span in ann.spans:
        start, end = (move(span.start), move(span.end)) if move else (span.start, span.end)
        label = stored_field(span.label, tally)
        if start >= end or not label:
            what = "its label" if start < end else "its text"
            raise ValueError(
                f"span {span.start}:{span.end} {span.label!r} of the article beginning "
                f"{ann.text[:40]!r}: {what} is only control characters, which import removes"
            )
        spans.append(SpanData(start, end, label, text[start:end], stored_value(dict(span.attributes), tally)))
    name = stored_field(ann.annotator, tally)
    if not name:
        raise ValueError(f"annotator {ann.annotator!r} is only control characters, which import removes")
    return dataclasses.replace(
        ann,
        text=text,
        annotator=name,
        spans=spans,
        title=stored_field(ann.title, tally),
        source=stored_field(ann.source, tally),
        url=stored_field(ann.url, tally),
        published=stored_field(ann.published, tally),
    )
