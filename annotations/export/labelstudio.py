"""Label Studio: export as its JSON task list, import its task lists back.

One task per article, its ``id`` the article's::

    {"id": ..., "data": {"text": ..., "meta": {"id", "title", "source", "url", "published"}},
     "annotations": [...], "drafts": [...]}

Each annotator's finished work is one of ``annotations`` (Label Studio's
exported shape): ``result`` holds a ``labels`` item per span, ``{"id",
"from_name": "label", "to_name": "text", "type": "labels", "value": {"start",
"end", "text", "labels": [LABEL]}}``, and an item per set attribute sharing the
span's region ``id``, ``from_name`` the attribute's name: ``choices`` for a
choice attribute, ``number`` for integer and number, ``textarea`` for text
(and any value the schema does not type: strings as they are, other values as
JSON text). Offsets are code points, as Label Studio counts them (its PR #1559).
Skipped and flagged work is ``"was_cancelled": true``; a review is
``"ground_truth": true``. Work in progress is a draft in ``drafts``, never an
annotation, so nothing unfinished looks submitted. The annotator's name is in
``created_username`` (Label Studio's own field for it, which its import passes
over: the importing user becomes ``completed_by``) and our status in
``newsmark_status``, so that ``newsmark import`` restores both.

The array is streamed, a task per line between a ``[`` line and a ``]`` line,
so line N+1 of the file is task N, which the import names in its messages. A
labeling config matching the label schema (:mod:`.labelstudio_config`) is written
beside the file, ``<name>.label_config.xml``.

The import reads any Label Studio task list (ours, or one exported from Label
Studio): it finds each task's line, names the file, line, annotation and
region of every problem, and refuses a span whose ``text`` is not the text at
its offsets. An annotation with a bad span is left out, the rest imported.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path
from typing import Any, BinaryIO, TypeGuard

import msgspec

from annotations.export import ExportReport, Filters, article_meta, chosen_annotations
from annotations.export.formats import ExportFormat, ExportOptions, ImportOptions
from annotations.export.labelstudio_config import (
    FROM_NAME,
    TO_NAME,
    Seen,
    config_path,
    control_types,
    labeling_config,
    value_control,
)
from annotations.export.offsets import Offsets
from annotations.export.output import json_controls_escaped
from annotations.export.reading import InMeta, annotation, checked_span, imported_status
from annotations.labels import LabelSchema, default_schema
from annotations.model import Annotation, Problem, SpanData, Status
from annotations.storage import Store, now, stamp

__all__ = ["FORMAT", "config_path", "export", "is_task_list", "labeling_config", "read", "results", "write"]

_CANCELLED = frozenset({Status.SKIPPED, Status.FLAGGED})
_DRAFT = frozenset({Status.NEW, Status.IN_PROGRESS})


# --- export -----------------------------------------------------------------------


def export(store: Store, filters: Filters, target: str, options: ExportOptions) -> ExportReport:
    """Write the tasks to ``target`` and, unless it is ``-``, the labeling config beside it."""
    from annotations.export.output import atomic_file

    schema = options.schema or default_schema()
    seen = Seen()
    with atomic_file(target) as out:
        report = write(store, filters, out, schema, seen)
    if target != "-":
        config = config_path(target)
        with atomic_file(config) as out:
            out.write(labeling_config(schema, seen).encode("utf-8"))
        report.files.append(str(config))
    return report


def write(
    store: Store, filters: Filters, out: BinaryIO, schema: LabelSchema | None = None, seen: Seen | None = None
) -> ExportReport:
    """Stream the JSON array, one task (article) per line; memory holds one article's work."""
    schema = schema or default_schema()
    seen = seen if seen is not None else Seen()
    encoder = msgspec.json.Encoder()
    report = ExportReport()
    out.write(b"[\n")
    count = 0  # annotation and draft ids: unique in the file
    first = True
    for _, work in groupby(chosen_annotations(store, filters, report), key=lambda a: a.article_id):
        done: list[dict[str, Any]] = []
        drafts: list[dict[str, Any]] = []
        for ann in work:
            count += 1
            result = results(ann.text, ann.spans, schema, seen)
            if ann.status in _DRAFT:
                drafts.append(
                    {
                        "id": count,
                        "user": ann.annotator,
                        "created_username": ann.annotator,
                        "result": result,
                        "updated_at": ann.updated_at,
                    }
                )
            else:
                done.append(
                    {
                        "id": count,
                        "created_username": ann.annotator,
                        "result": result,
                        "was_cancelled": ann.status in _CANCELLED,
                        "ground_truth": ann.status is Status.REVIEWED,
                        "updated_at": ann.updated_at,
                        "newsmark_status": ann.status.value,
                    }
                )
            report.annotations += 1
            report.spans += len(ann.spans)
        task = {
            "id": ann.article_id,
            "data": {"text": ann.text, "meta": article_meta(ann)},
            "annotations": done,
            "drafts": drafts,
        }
        out.write((b"" if first else b",\n") + json_controls_escaped(encoder.encode(task)))
        first = False
    out.write(b"\n]\n" if not first else b"]\n")
    return report


def results(
    text: str, spans: Iterable[SpanData], schema: LabelSchema, seen: Seen | None = None
) -> list[dict[str, Any]]:
    """The ``result`` items of one annotation: per span a ``labels`` item and its attributes'."""
    seen = seen if seen is not None else Seen()
    items: list[dict[str, Any]] = []
    types = control_types(schema)
    for n, span in enumerate(spans, start=1):
        region = f"s{n}"
        covered = text[span.start : span.end]
        items.append(
            {
                "id": region,
                "from_name": FROM_NAME,
                "to_name": TO_NAME,
                "type": "labels",
                "value": {"start": span.start, "end": span.end, "text": covered, "labels": [span.label]},
            }
        )
        if schema.get(span.label) is None:
            seen.labels.setdefault(span.label, None)
        for name, raw in span.attributes.items():
            if raw is None:
                continue
            kind = value_control(types.get(name), raw)
            if name not in types:
                seen.attributes.setdefault(name, kind)
            if kind == "choices":
                seen.values.setdefault(name, {})[raw] = None
                value = {"start": span.start, "end": span.end, "text": covered, "choices": [raw]}
            elif kind == "number":
                value = {"start": span.start, "end": span.end, "text": covered, "number": raw}
            else:  # Label Studio's per-region text area: "text" is the list typed in
                shown = raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False)
                value = {"start": span.start, "end": span.end, "text": [shown]}
            items.append({"id": region, "from_name": name, "to_name": TO_NAME, "type": kind, "value": value})
    return items


# --- import -----------------------------------------------------------------------


class InData(msgspec.Struct):
    text: str
    meta: InMeta = InMeta()


class InItem(msgspec.Struct):
    id: str | int | None = None
    from_name: str = ""
    to_name: str = ""
    type: str = ""
    value: dict[str, Any] = {}


class InAnnotation(msgspec.Struct):
    result: list[InItem] = []
    was_cancelled: bool = False
    ground_truth: bool = False
    completed_by: Any = None
    created_username: str | None = None
    updated_at: str | None = None
    newsmark_status: str | None = None


class InDraft(msgspec.Struct):
    result: list[InItem] = []
    user: Any = None
    created_username: str | None = None
    updated_at: str | None = None
    annotation: Any = None  # the submitted annotation this draft edits, if any


class InTask(msgspec.Struct):
    data: InData
    annotations: list[InAnnotation] = []
    drafts: list[InDraft] = []


def is_task_list(path: str | Path) -> bool:
    """Whether ``path`` is a JSON list whose first task has ``data``, and ``annotations``
    or ``drafts``.

    Reads the first 64 KiB, and the whole file only when the first task is longer.
    """
    decoder = json.JSONDecoder()
    try:
        with open(path, encoding="utf-8-sig") as handle:
            head = handle.read(1 << 16)
            start = re.match(r"\s*\[\s*(?=\{)", head)
            if start is None:
                return False
            try:
                task = decoder.raw_decode(head, start.end())[0]
            except json.JSONDecodeError:
                task = decoder.raw_decode(head + handle.read(), start.end())[0]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return False
    return (
        isinstance(task, dict)
        and isinstance(task.get("data"), dict)
        and ("annotations" in task or "drafts" in task)
    )


def read(path: str | Path, options: ImportOptions) -> Iterator[Annotation | Problem]:
    """Every annotation and draft of a Label Studio task list, or the Problem it has.

    A file laid out as our export writes it (``[``, then a task per line) is read a
    line at a time, in flat memory; any other layout (Label Studio's own, indented
    or on one line) is read whole.
    """
    origin = str(path)
    try:
        tasks = _task_per_line(path) if _one_per_line(path) else _tasks_of_file(path)
        for line, task in tasks:
            if isinstance(task, str):
                yield Problem(origin, task, line)
            else:
                yield from _task_annotations(task, options.annotator, origin, line)
    except UnicodeDecodeError as exc:
        yield Problem(origin, f"not UTF-8 ({exc.reason} at byte {exc.start})")


_TASK = msgspec.json.Decoder(InTask)


def _one_per_line(path: str | Path) -> bool:
    """Whether the file opens with a ``[`` line and then a line holding one whole task."""
    with open(path, "rb") as lines:
        first = next(lines, b"").removeprefix(b"\xef\xbb\xbf").strip()
        second = next(lines, b"").strip().removesuffix(b",")
    try:
        return first == b"[" and isinstance(msgspec.json.decode(second), dict)
    except (msgspec.DecodeError, RecursionError):
        return False


def _task_per_line(path: str | Path) -> Iterator[tuple[int, InTask | str]]:
    """(line, task or what is wrong with it) for each line after the ``[`` line."""
    with open(path, "rb") as lines:
        for number, raw in enumerate(lines, start=1):
            line = raw.strip()
            if number == 1 or line in (b"", b"]"):
                continue
            try:
                yield number, _TASK.decode(line.removesuffix(b","))
            except msgspec.ValidationError as exc:
                yield number, f"not a Label Studio task: {exc}"
            except msgspec.DecodeError as exc:  # invalid UTF-8 too
                yield number, f"not JSON: {exc}"
            except RecursionError:
                yield number, "not JSON: nested too deeply"


def _tasks_of_file(path: str | Path) -> Iterator[tuple[int, InTask | str]]:
    """(line, task or what is wrong with it) for each task of a file read whole."""
    for line, task in _tasks(Path(path).read_bytes().decode("utf-8-sig")):
        if isinstance(task, str):
            yield line, task
            continue
        try:
            yield line, msgspec.convert(task, InTask)
        except msgspec.ValidationError as exc:
            yield line, f"not a Label Studio task: {exc}"


def _tasks(text: str) -> Iterator[tuple[int, Any]]:
    """(line, the task as JSON, or what is wrong there) for each element of the top-level array.

    A task that is not JSON is reported and reading goes on at the next line
    that parses (each task on its own line, as our export writes them).
    """
    decoder = json.JSONDecoder()
    pos = _skip_space(text, 0)
    if not text.startswith("[", pos):
        yield 1, "not a Label Studio task list: a JSON list of tasks expected"
        return
    pos = _skip_space(text, pos + 1)
    line, counted = 1, 0
    while pos < len(text) and text[pos] != "]":
        line += text.count("\n", counted, pos)
        counted = pos
        try:
            task, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            yield exc.lineno, f"not JSON: {exc.msg} (column {exc.colno})"
            pos = _next_task(text, pos, decoder)
            continue
        except RecursionError:
            yield line, "not a Label Studio task: JSON nested too deeply"
            pos = _next_task(text, pos, decoder)
            continue
        if not isinstance(task, dict):
            yield line, "not a Label Studio task: a JSON object expected"
        else:
            yield line, task
        pos = _skip_space(text, end)
        if text.startswith(",", pos):
            pos = _skip_space(text, pos + 1)
        elif not text.startswith("]", pos) and pos < len(text):
            line += text.count("\n", counted, pos)
            counted = pos
            yield line, "not JSON: ',' or ']' expected after a task"
            pos = _next_task(text, pos, decoder)


_SPACE = re.compile(r"\s*")


def _skip_space(text: str, pos: int) -> int:
    """The first position from ``pos`` on that is not whitespace."""
    found = _SPACE.match(text, pos)
    assert found is not None  # \s* matches everywhere
    return found.end()


def _next_task(text: str, pos: int, decoder: json.JSONDecoder) -> int:
    """The start of the next line after ``pos`` that begins a task that parses; else the end."""
    for match in re.compile(r"\n\s*(?=\{)").finditer(text, pos):
        try:
            decoder.raw_decode(text, match.end())
        except (json.JSONDecodeError, RecursionError):
            continue
        return match.end()
    return len(text)


def _task_annotations(
    task: InTask, annotator: str | None, origin: str, line: int
) -> Iterator[Annotation | Problem]:
    text = task.data.text
    meta = task.data.meta
    work: list[tuple[str, InAnnotation | InDraft]] = [
        (f"annotation {n}", a) for n, a in enumerate(task.annotations, start=1)
    ]
    work += [
        (f"draft {n}", d) for n, d in enumerate(task.drafts, start=1) if d.annotation is None
    ]  # a draft over a submitted annotation: that one counts
    units = Offsets(text)
    for where, entry in work:
        try:
            name = annotator or _name(entry)
            if not name:
                raise ValueError(
                    "no annotator (created_username, completed_by or user): name one with --annotator"
                )
            where = f"{where} ({name})"
            spans = _spans(text, entry.result, units)
            status = _status(entry)
        except ValueError as exc:
            yield Problem(origin, f"{where}: {exc}", line)
            continue
        # Our export marks its annotations; its drafts carry no mark, so a draft (unfinished
        # work) is kept as written too: a CASUALTY span of a draft is not filled in.
        ours = getattr(entry, "newsmark_status", None) is not None or isinstance(entry, InDraft)
        yield annotation(text, name, status, _stamp(entry.updated_at), spans, meta, ours=ours)


def _status(entry: InAnnotation | InDraft) -> Status:
    """Drafts are in progress; an annotation's is ours, else cancelled = skipped, else done."""
    if isinstance(entry, InDraft):
        return Status.IN_PROGRESS
    if entry.newsmark_status is not None:
        found = imported_status(entry.newsmark_status, "newsmark_status")
        return Status.IN_PROGRESS if found in _DRAFT else found
    return Status.SKIPPED if entry.was_cancelled else Status.DONE


# Label Studio's own export: created_username is "First Last email, id".
_LS_USERNAME = re.compile(r"(?:.*\s)?(\S+@\S+), \d+")


def _name(entry: InAnnotation | InDraft) -> str | None:
    """The annotator: our ``created_username``; from Label Studio's export, the email."""
    by = entry.completed_by if isinstance(entry, InAnnotation) else entry.user
    email = by.get("email") if isinstance(by, dict) else None
    if isinstance(email, str):
        return email
    if entry.created_username and entry.created_username.strip():
        found = _LS_USERNAME.fullmatch(entry.created_username.strip())
        return found.group(1) if found else entry.created_username.strip()
    if isinstance(by, str) and by.strip():
        return by.strip()
    if isinstance(by, int) and not isinstance(by, bool):
        return f"labelstudio-user-{by}"
    return None


def _spans(text: str, items: list[InItem], units: Offsets) -> list[SpanData]:
    """The spans of a ``result``: one per label of each ``labels`` region, with the
    attributes of the items that share its region id. Other items (relations,
    choices about the whole text) have no place in newsmark and are passed over."""
    attributes: dict[str, dict[str, Any]] = {}
    for item in items:
        if item.type != "labels" and item.id is not None and item.from_name:
            value = _attribute_value(item)
            if value is not None:
                attributes.setdefault(str(item.id), {})[item.from_name] = value
    spans: list[SpanData] = []
    for item in items:
        if item.type != "labels":
            continue
        region = str(item.id)
        value = item.value
        start, end, labels = value.get("start"), value.get("end"), value.get("labels")
        if not (_whole(start) and _whole(end)):
            raise ValueError(
                f"region {region!r}: start and end must be whole numbers (got {start!r}, {end!r})"
            )
        if not (isinstance(labels, list) and labels and all(isinstance(x, str) for x in labels)):
            raise ValueError(f"region {region!r} {start}:{end}: labels must be a list of names")
        quoted = value.get("text")
        for label in labels:
            try:
                spans.append(
                    checked_span(
                        text,
                        start,
                        end,
                        label,
                        quoted if isinstance(quoted, str) else None,
                        attributes.get(region, {}),
                    )
                )
            except ValueError as exc:
                hint = _hint(text, units, start, end, quoted)
                raise ValueError(f"region {region!r} {label}: {exc}{hint}") from None
    return spans


def _whole(value: Any) -> TypeGuard[int]:
    """Whether a JSON value is a whole number (not a bool, which Python counts as one)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _hint(text: str, units: Offsets, start: int, end: int, quoted: Any) -> str:
    """What a mismatch may mean: offsets counted in UTF-16 units, as JavaScript does."""
    if not isinstance(quoted, str) or units.units == units.length:
        return ""
    try:
        a, b = units.span_from(start, end, "utf16")
    except ValueError:
        return ""
    if text[a:b] == quoted:
        return " (the text is there if the offsets count UTF-16 units, not code points)"
    return ""


def _attribute_value(item: InItem) -> Any:
    """An attribute item's value: a choice, a number, the text typed, ..."""
    value = item.value
    found = value.get(item.type)
    if item.type == "textarea":
        found = value.get("text")
    if isinstance(found, list):
        if not found:
            return None
        return found[0] if len(found) == 1 else found
    return found


def _stamp(value: str | None) -> str:
    """A Label Studio time (ISO 8601) as the store's; now, when there is none."""
    if not value:
        return now()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return now()
    return stamp(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


FORMAT = ExportFormat(
    name="labelstudio",
    description="a JSON task list, and NAME.label_config.xml beside it",
    writer=export,
    target="FILE.json",
    answers=True,
    options=("schema",),
    reader=read,
)
