"""Choosing spans for formats that cannot hold overlapping ones (BIO, spaCy ``ents``)."""

from __future__ import annotations

from collections.abc import Sequence

from annotations.model import SpanData


def longest_non_overlapping(spans: Sequence[SpanData]) -> tuple[list[SpanData], int]:
    """(the spans kept, sorted by start; how many were dropped).

    Longest first, then earliest, as spaCy's ``filter_spans`` does: a span is
    kept unless it overlaps one already kept. Exact duplicates (same offsets,
    two labels) keep the first label in label order.
    """
    kept: list[SpanData] = []
    taken: list[tuple[int, int]] = []
    for span in sorted(spans, key=lambda s: (s.start - s.end, s.start, s.label)):
        if all(span.end <= a or b <= span.start for a, b in taken):
            kept.append(span)
            taken.append((span.start, span.end))
    kept.sort(key=lambda s: s.start)
    return kept, len(spans) - len(kept)
