"""One row of the article text as a ``Strip``: spans, ghosts, find matches, selection, cursor.

Kept apart from :class:`tui.widgets.article_text.ArticleText` (which decides
*which* rows to draw, and caches them) so that what a row looks like is read in
one place. Pure functions of their arguments: the widget passes its styles in.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from annotations.labels import LabelSchema
from annotations.model import Span

_BLACK = Style(color="black")
# Under NO_COLOR, the n-th label of the schema is drawn underlined plus one of these.
_NO_COLOR_LABELS = (Style(), Style(bold=True), Style(italic=True), Style(dim=True))


@dataclass(frozen=True, slots=True)
class Match:
    """A find-in-article hit, end exclusive."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class RowStyles:
    """The widget's styles a row is drawn with (from its CSS component classes)."""

    base: Style
    match: Style
    selection: Style
    cursor: Style


def span_style(schema: LabelSchema, span: Span, overlap: bool, picked: int | None, no_color: bool) -> Style:
    """How ``span`` is drawn: its label's colour, or text attributes under NO_COLOR.

    A ghost (negative id) has the label's colour on the plain background,
    underlined; an own span the colour as background. Overlaps are underlined
    (reversed under NO_COLOR), the picked span bold and italic.
    """
    label = schema.get(span.label)
    if span.id < 0:  # a ghost: the label's colour on the plain background, underlined
        if no_color or label is None:
            style = Style(underline=True, italic=True)
        else:
            style = Style(color=label.colour, underline=True, bold=True)
        return style + Style(reverse=True) if span.id == picked else style
    if no_color:  # no colours: labels differ by text attributes instead
        index = schema.labels.index(label) if label else 0
        style = Style(underline=True) + _NO_COLOR_LABELS[index % len(_NO_COLOR_LABELS)]
        if overlap:
            style += Style(reverse=True)
    else:
        style = _BLACK + Style(bgcolor=label.colour) if label else Style(underline=True)
        if overlap:
            style += Style(underline=True)
    if span.id == picked:
        style += Style(bold=True, italic=True)
    return style


def render_row(
    text: str,
    start: int,
    end: int,
    width: int,
    *,
    schema: LabelSchema,
    spans: Sequence[Span],
    ghosts: Sequence[Span],
    matches: Sequence[Match],
    selection: tuple[int, int] | None,
    cursor: int | None,
    picked: int | None,
    no_color: bool,
    styles: RowStyles,
) -> Strip:
    """The row ``text[start:end]``, ``width`` cells wide; ``cursor`` None: not on this row."""
    base = styles.base
    n = end - start
    row: list[Style] = [base] * n
    # Spans: the innermost covering span's colour; overlaps marked.
    covering = [s for s in spans if s.start < end and s.end > start]
    if covering:
        depth = [0] * n
        best: list[Span | None] = [None] * n
        for s in covering:
            for i in range(max(s.start, start) - start, min(s.end, end) - start):
                depth[i] += 1
                b = best[i]
                if b is None or (s.end - s.start) < (b.end - b.start):
                    best[i] = s
        for i in range(n):
            innermost = best[i]
            if innermost is not None:
                row[i] = base + span_style(schema, innermost, depth[i] > 1, picked, no_color)
    # Ghosts show where no own span does (an own span is what counts); the
    # innermost ghost wins, as for own spans, and the picked one over all.
    here = [g for g in ghosts if g.start < end and g.end > start]
    if here:
        free = [row[i] is base for i in range(n)]
        here.sort(key=lambda g: (g.id == picked, -(g.end - g.start)))
        for g in here:
            for i in range(max(g.start, start) - start, min(g.end, end) - start):
                if free[i]:
                    row[i] = base + span_style(schema, g, False, picked, no_color)
    if matches:
        i0 = bisect_left([m.end for m in matches], start + 1)
        for m in matches[i0:]:
            if m.start >= end:
                break
            for i in range(max(m.start, start) - start, min(m.end, end) - start):
                row[i] = row[i] + styles.match
    if selection is not None:
        for i in range(max(selection[0], start) - start, min(selection[1], end) - start):
            row[i] = row[i] + styles.selection
    chunk = text[start:end]
    cursor_col = cursor - start if cursor is not None else -1
    if cursor is not None and cursor_col >= n:  # cursor on the newline ending this row
        chunk += " "
        row.append(base)
        n += 1
    if cursor is not None:
        row[cursor_col] = row[cursor_col] + styles.cursor
    # Runs of one style become one segment.
    segments: list[Segment] = []
    run_start = 0
    for i in range(1, n + 1):
        if i == n or row[i] is not row[run_start] and row[i] != row[run_start]:
            segments.append(Segment(chunk[run_start:i], row[run_start]))
            run_start = i
    strip = Strip(segments)
    return strip.crop_extend(0, width, base) if strip.cell_length != width else strip
