"""The doccano export: ``{"text", "label": [[start, end, label], ...]}`` per line.

doccano's JSONL import keeps keys other than ``text`` and ``label`` as the
example's metadata, so each line also carries ``meta`` (as in the JSONL
export), ``annotator`` and ``status``: enough for ``newsmark import`` to put
the work back where it came from (``"status": "reviewed"``, a reviewer's
annotation, is imported as done: see :mod:`.read`). Span attributes have no place in this
format and are left out (the JSONL export keeps them).

Offsets count UTF-16 code units by default, as doccano does (its issue #2290:
in "👨🏻‍🚒 firemen drive firetrucks", "firetrucks" is 22-32, not Python's 19-29);
``offsets="codepoints"`` writes Python's. Each line says which in ``"offsets"``,
and the import goes by it (:mod:`.offsets`).
"""

from __future__ import annotations

from typing import BinaryIO

import msgspec

from annotations.export import ExportReport, Filters, annotations, article_meta
from annotations.export.offsets import Offsets
from annotations.storage import Store


class Line(msgspec.Struct):
    text: str
    label: list[tuple[int, int, str]]
    meta: dict
    annotator: str
    status: str
    offsets: str  # "utf16" or "codepoints": how label offsets count


def write(store: Store, filters: Filters, out: BinaryIO, offsets: str = "utf16") -> ExportReport:
    """One line per annotation, label offsets in ``offsets`` (see :data:`.offsets.CONVENTIONS`)."""
    encoder = msgspec.json.Encoder()
    report = ExportReport()
    for ann in annotations(store, filters, report):
        meta = article_meta(ann)
        units = Offsets(ann.text)
        label = [(*units.span_to(s.start, s.end, offsets), s.label) for s in ann.spans]
        line = Line(ann.text, label, meta, ann.annotator, ann.status.value, offsets)
        out.write(encoder.encode(line) + b"\n")
        report.annotations += 1
        report.spans += len(ann.spans)
    return report
