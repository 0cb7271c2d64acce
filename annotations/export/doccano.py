"""The doccano export: ``{"text", "label": [[start, end, label], ...]}`` per line.

doccano's JSONL import keeps keys other than ``text`` and ``label`` as the
example's metadata, so each line also carries ``meta`` (as in the JSONL
export), ``annotator`` and ``status``: enough for ``newsmark import`` to put
the work back where it came from (``"status": "reviewed"``, a reviewer's
annotation, is imported as done: see :mod:`.reading`). Span attributes have no place in this
format and are left out (the JSONL export keeps them).

Offsets count UTF-16 code units by default, as doccano does (its issue #2290:
in "👨🏻‍🚒 firemen drive firetrucks", "firetrucks" is 22-32, not Python's 19-29);
``offsets="codepoints"`` writes Python's. Each line says which in ``"offsets"``,
and the import (:func:`read`) goes by it (:mod:`.offsets`). A line that says
nothing is read as UTF-16 units, doccano's own, unless ``--offsets`` says
otherwise; one whose offsets cut words as units but lie on word edges as code
points is refused rather than shifted.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import msgspec

from annotations.export import ExportReport, Filters, article_meta, chosen_annotations
from annotations.export.formats import ExportFormat, ExportOptions, ImportOptions
from annotations.export.offsets import CONVENTIONS, Offsets
from annotations.export.output import atomic_file, json_controls_escaped
from annotations.export.reading import (
    InMeta,
    annotation,
    checked_span,
    imported_status,
    read_json_lines,
)
from annotations.model import Annotation, Problem, SpanData, Status
from annotations.storage import Store, now


class Line(msgspec.Struct):
    text: str
    label: list[tuple[int, int, str]]
    meta: dict[str, int | str | None]
    annotator: str
    status: str
    offsets: str  # "utf16" or "codepoints": how label offsets count


def write(store: Store, filters: Filters, out: BinaryIO, offsets: str = "utf16") -> ExportReport:
    """One line per annotation, label offsets in ``offsets`` (see :data:`.offsets.CONVENTIONS`)."""
    encoder = msgspec.json.Encoder()
    report = ExportReport()
    for ann in chosen_annotations(store, filters, report):
        meta = article_meta(ann)
        units = Offsets(ann.text)
        label = [(*units.span_to(s.start, s.end, offsets), s.label) for s in ann.spans]
        line = Line(ann.text, label, meta, ann.annotator, ann.status.value, offsets)
        out.write(json_controls_escaped(encoder.encode(line)) + b"\n")
        report.annotations += 1
        report.spans += len(ann.spans)
    return report


def export(store: Store, filters: Filters, target: str, options: ExportOptions) -> ExportReport:
    """Write the chosen work to the file ``target`` (``-``: standard output)."""
    with atomic_file(target) as out:
        return write(store, filters, out, offsets=options.offsets)


class InDoccano(msgspec.Struct):
    text: str
    label: list[tuple[int, int, str]] = []
    meta: InMeta = InMeta()
    annotator: str | None = None
    status: str | None = None
    offsets: str | None = None  # our export says how its offsets count: utf16 or codepoints


def read(path: str | Path, options: ImportOptions) -> Iterator[Annotation | Problem]:
    """Each line of a doccano file as an Annotation, or the Problem of that line."""
    return read_json_lines(path, InDoccano, lambda line: _annotation(line, options), options.max_size)


def _annotation(record: InDoccano, options: ImportOptions) -> Annotation:
    text = record.text
    convention = _convention(record.offsets, options.offsets)
    units = Offsets(text)
    spans = [_span(text, units, s, e, label, convention) for s, e, label in record.label]
    if not (record.offsets or options.offsets) and units.units != units.length:
        _check_not_codepoints(text, record.label, spans)
    status = imported_status(record.status or Status.DONE.value, "status")
    return annotation(text, options.annotator or record.annotator, status, now(), spans, record.meta)


def _convention(declared: str | None, asked: str | None) -> str:
    """How a doccano line's offsets count: as it says, else as asked, else UTF-16."""
    if declared is not None and declared not in CONVENTIONS:
        raise ValueError(f"unknown offsets {declared!r}: {' or '.join(CONVENTIONS)}")
    if declared and asked and declared != asked:
        raise ValueError(f"the line says its offsets are {declared}, --offsets says {asked}")
    return declared or asked or CONVENTIONS[0]


def _span(text: str, units: Offsets, start: int, end: int, label: str, convention: str) -> SpanData:
    """A doccano ``[start, end, label]`` counted in ``convention``, as a code point span."""
    where = f"span [{start}, {end}, {label!r}] ({convention} offsets)"
    try:
        first, last = units.span_from(start, end, convention)
    except ValueError as exc:  # inside a surrogate pair, or past the end
        raise ValueError(
            f"{where}: {exc}; if the file counts code points, import it with --offsets codepoints"
        ) from None
    try:
        return checked_span(text, first, last, label, None, {})
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


FORMAT = ExportFormat(
    name="doccano",
    description="",
    writer=export,
    answers=True,
    options=("offsets",),
    reader=read,
)
