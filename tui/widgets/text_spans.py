"""Which span a key lands on: spans in reading order, under the cursor, next and previous,
and the matches of a find. Plain functions of offsets (no Textual), so the text
pane keeps only what it draws and what it holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from annotations.model import Span
from tui.widgets.text_render import Match


def order_key(span: Span) -> tuple[int, int, int]:
    """Reading order: by start, the longer first, then by id."""
    return (span.start, -span.end, span.id)


def reading_order(spans: Iterable[Span]) -> list[Span]:
    return sorted(spans, key=order_key)


def under_cursor(here: Sequence[Span], picked: int | None) -> Span | None:
    """Of the spans at the cursor: the picked one, else own spans before ghosts (x and e act
    on own spans), then the innermost."""
    for s in here:
        if s.id == picked:
            return s
    return min(here, key=lambda s: (s.id < 0, s.end - s.start, s.id)) if here else None


def next_span(ordered: Sequence[Span], cursor: int, current: Span | None, direction: int) -> Span:
    """The span ``{`` (direction < 0) or ``}`` goes to from ``cursor``, wrapping round;
    spans starting at the cursor count by reading order from ``current``."""
    here = order_key(current) if current is not None else None
    if direction > 0:
        later = [
            s
            for s in ordered
            if s.start > cursor or (here is not None and s.start == cursor and order_key(s) > here)
        ]
        return later[0] if later else ordered[0]
    earlier = [
        s
        for s in ordered
        if s.start < cursor or (here is not None and s.start == cursor and order_key(s) < here)
    ]
    return earlier[-1] if earlier else ordered[-1]


def find_matches(text: str, query: str) -> list[Match]:
    """Every match of ``query`` in ``text``, case-insensitive (none for an empty query)."""
    if not query:
        return []
    return [Match(m.start(), m.end()) for m in re.finditer(re.escape(query), text, re.IGNORECASE)]
