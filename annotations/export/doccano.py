"""The doccano export: ``{"text", "label": [[start, end, label], ...]}`` per line.

doccano's JSONL import keeps keys other than ``text`` and ``label`` as the
example's metadata, so each line also carries ``meta`` (as in the JSONL
export), ``annotator`` and ``status``: enough for ``newsmark import`` to put
the work back where it came from (``"status": "reviewed"``, a reviewer's
annotation, is imported as done: see :mod:`.read`). Span attributes have no place in this
format and are left out (the JSONL export keeps them).
"""

from __future__ import annotations

from typing import BinaryIO

import msgspec

from annotations.export import ExportReport, Filters, annotations
from annotations.store import Store


class Line(msgspec.Struct):
    text: str
    label: list[tuple[int, int, str]]
    meta: dict
    annotator: str
    status: str


def write(store: Store, filters: Filters, out: BinaryIO) -> ExportReport:
    encoder = msgspec.json.Encoder()
    report = ExportReport()
    for ann in annotations(store, filters, report):
        meta = {"id": ann.article_id, "title": ann.title, "source": ann.source, "url": ann.url,
                "published": ann.published}
        line = Line(ann.text, [(s.start, s.end, s.label) for s in ann.spans], meta,
                    ann.annotator, ann.status.value)
        out.write(encoder.encode(line) + b"\n")
        report.annotations += 1
        report.spans += len(ann.spans)
    return report
