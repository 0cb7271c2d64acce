"""Choosing spans for formats that cannot hold overlapping ones (BIO, spaCy ``ents``)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from annotations.model import SpanData


def longest_non_overlapping(spans: Sequence[SpanData]) -> tuple[list[SpanData], int]:
    """(the spans kept, sorted by start; how many were dropped).

    Longest first, then earliest, as spaCy's ``filter_spans`` does: a span is
    kept unless it overlaps one already kept. Exact duplicates (same offsets,
    two labels) keep the first label in label order.
    """
    kept: list[SpanData] = []
    starts: list[int] = []  # of the kept spans, sorted; they never overlap, so ends are sorted too
    ends: list[int] = []
    for span in sorted(spans, key=lambda s: (s.start - s.end, s.start, s.label)):
        i = bisect_right(starts, span.start)
        if (i == 0 or ends[i - 1] <= span.start) and (i == len(starts) or span.end <= starts[i]):
            kept.append(span)
            starts.insert(i, span.start)
            ends.insert(i, span.end)
    kept.sort(key=lambda s: s.start)
    return kept, len(spans) - len(kept)
