"""Reading exports back: ``newsmark import`` of the JSONL, doccano and Label Studio formats.

A JSONL file whose first record has ``spans``, ``answer`` or ``_input_hash``
is read as tasks (our JSONL export, or Prodigy's); one whose first record has
a ``label`` list is doccano. Any other JSONL is a corpus of articles, for the
article importer. Each line becomes an :class:`~annotations.model.Annotation`
for :meth:`Store.import_annotation`, or a :class:`Problem` naming the file and
line: offsets outside the text, a span whose ``text`` is not the text at its
offsets, an unknown ``answer``, no annotator. doccano offsets count UTF-16
units unless the line (its ``"offsets"``) or ``--offsets`` says ``codepoints``;
one that falls inside a surrogate pair is refused. A ``.json`` list of tasks
with ``data`` and ``annotations`` is Label Studio's (:mod:`.labelstudio`).

A reviewer's annotation (JSONL ``accept``, doccano ``"status": "reviewed"``) is
imported as done, under the name in the file: status ``reviewed`` is made only
by ``newsmark review`` in the database itself, so importing an export never
turns anyone's work into a review.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec

from annotations.export.jsonl import STATUS_OF_ANSWER
from annotations.export.offsets import CONVENTIONS, Offsets
from annotations.model import Annotation, Problem, SpanData, Status
from annotations.storage import now, stamp

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
    status: str | None = None  # our JSONL's meta.status (schema_version 1 on)


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
    offsets: str | None = None  # our export says how its offsets count: utf16 or codepoints


def annotation_kind(path: str | Path) -> str | None:
    """ "tasks", "doccano", "labelstudio", or None (not an annotation file).

    JSONL by its first record; a ``.json`` file by its first task.
    """
    if Path(path).suffix.lower() == ".json":
        from annotations.export.labelstudio import is_task_list

        return "labelstudio" if is_task_list(path) else None
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


def read_annotations(
    path: str | Path, kind: str, annotator: str | None = None, offsets: str | None = None
) -> Iterator[Annotation | Problem]:
    """Each line of an export as an Annotation, or the Problem that line has.

    ``annotator`` names the work's annotator whatever the file says.
    ``offsets``: how doccano offsets count (:data:`.offsets.CONVENTIONS`); by
    default as each line says, else UTF-16 units, doccano's own.
    """
    if offsets is not None and offsets not in CONVENTIONS:
        raise ValueError(f"unknown offsets {offsets!r}: {' or '.join(CONVENTIONS)}")
    if kind == "labelstudio":
        from annotations.export import labelstudio

        yield from labelstudio.read(path, annotator)
        return
    decoder = msgspec.json.Decoder(InTask if kind == "tasks" else InDoccano)
    origin = str(path)
    with open(path, "rb") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = decoder.decode(line.removeprefix(b"\xef\xbb\xbf") if number == 1 else line)
                yield _annotation(record, annotator, offsets)
            except (msgspec.DecodeError, ValueError) as exc:
                yield Problem(origin, str(exc), number)


def _annotation(record: InTask | InDoccano, annotator: str | None, offsets: str | None = None) -> Annotation:
    text = record.text
    if isinstance(record, InTask):
        spans = [
            _span(
                text,
                s.start,
                s.end,
                s.label,
                s.text,
                {k: v for k, v in s.attributes.items() if v is not None},
            )
            for s in record.spans
        ]
        status = _task_status(record.answer, record.meta.status)
        name = annotator or record.annotator_id
        updated = _stamp(record.timestamp)
    else:
        convention = _convention(record.offsets, offsets)
        units = Offsets(text)
        spans = [_doccano_span(text, units, s, e, label, convention) for s, e, label in record.label]
        if not (record.offsets or offsets) and units.units != units.length:
            _check_not_codepoints(text, record.label, spans)
        status = imported_status(record.status or Status.DONE.value, "status")
        name = annotator or record.annotator
        updated = now()
    if not name:
        raise ValueError("no annotator in the file: name one with --annotator")
    meta = record.meta
    article_id = meta.id if isinstance(meta.id, int) and not isinstance(meta.id, bool) else None
    return Annotation(
        article_id, text, name, status, updated, spans, meta.title, meta.source, meta.url, meta.published
    )


def _task_status(answer: str | None, status: str | None) -> Status:
    """A task's status: ``meta.status`` where our export wrote it, else from ``answer``.

    No answer at all is work in progress (an older export's unfinished work);
    ``reviewed`` comes back as done (see the module's docstring).
    """
    if answer is not None and answer not in STATUS_OF_ANSWER:
        raise ValueError(f"unknown answer {answer!r}: accept, ignore or reject")
    if status is not None:
        return imported_status(status, "meta.status")
    return Status.IN_PROGRESS if answer is None else STATUS_OF_ANSWER[answer]


def imported_status(value: str, field: str) -> Status:
    """The status a file's ``field`` names; ``reviewed`` is done (as JSONL's "accept":
    imported work is done, never reviewed). ``ValueError`` for an unknown one."""
    try:
        found = Status(value)
    except ValueError:
        raise ValueError(f"unknown {field} {value!r}") from None
    return Status.DONE if found is Status.REVIEWED else found


def _convention(declared: str | None, asked: str | None) -> str:
    """How a doccano line's offsets count: as it says, else as asked, else UTF-16."""
    if declared is not None and declared not in CONVENTIONS:
        raise ValueError(f"unknown offsets {declared!r}: {' or '.join(CONVENTIONS)}")
    if declared and asked and declared != asked:
        raise ValueError(f"the line says its offsets are {declared}, --offsets says {asked}")
    return declared or asked or CONVENTIONS[0]


def _doccano_span(text: str, units: Offsets, start: int, end: int, label: str, convention: str) -> SpanData:
    """A doccano ``[start, end, label]`` counted in ``convention``, as a code point span."""
    where = f"span [{start}, {end}, {label!r}] ({convention} offsets)"
    try:
        first, last = units.span_from(start, end, convention)
    except ValueError as exc:  # inside a surrogate pair, or past the end
        raise ValueError(
            f"{where}: {exc}; if the file counts code points, import it with --offsets codepoints"
        ) from None
    try:
        return _span(text, first, last, label, None, {})
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None


def _check_not_codepoints(text: str, label: list[tuple[int, int, str]], spans: list[SpanData]) -> None:
    """Refuse a line whose convention nobody stated when its offsets cut words as the
    UTF-16 units they are taken for but lie on word edges as code points: those are
    code points, and reading them as units would shift every span silently."""
    from annotations.tokens import word_at

    def cuts(start: int, end: int) -> bool:
        return any((word := word_at(text, pos)) is not None and word[0] < pos for pos in (start, end))

    if not any(cuts(span.start, span.end) for span in spans):
        return
    if all(0 <= s < e <= len(text) and not cuts(s, e) for s, e, _ in label):
        i = next(i for i, span in enumerate(spans) if cuts(span.start, span.end))
        (s, e, name), read = label[i], spans[i]
        raise ValueError(
            f"span [{s}, {e}, {name!r}] cuts a word as UTF-16 units (doccano's offsets, the "
            f"default): {read.text!r}, but not as code points: {text[s:e]!r}. Say which the "
            "file counts: --offsets codepoints, or --offsets utf16 to import it as it is"
        )


def _span(
    text: str, start: int, end: int, label: str, quoted: str | None, attributes: dict[str, Any]
) -> SpanData:
    if not 0 <= start < end <= len(text):
        raise ValueError(f"span {start}:{end} is outside the text (length {len(text)})")
    if not label.strip():
        raise ValueError(f"span {start}:{end} has an empty label")
    actual = text[start:end]
    if quoted is not None and quoted != actual:
        raise ValueError(f"span {start}:{end} says its text is {quoted!r}, but the text there is {actual!r}")
    return SpanData(start, end, label, actual, attributes)


def _stamp(seconds: float | None) -> str:
    if seconds is None:
        return now()
    return stamp(datetime.fromtimestamp(seconds, UTC))
