"""Soft-wrapping an article into screen rows, and mapping offsets to cells.

The text pane draws one row at a time (Textual's line API), so it needs to know,
for any row, which slice of the article it shows, and for any character offset,
which row and column it is on. This module works that out once per article and
width; it is plain Python (no Textual) so it can be tested on its own.

Why our own wrapping and not Rich's: Rich wraps a whole ``Text`` into renderables
and loses the link to character offsets, which the cursor, selections and spans
are all expressed in.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from rich.cells import cell_len

_WORD = re.compile(r"\S+\s*")


def cell_width(s: str) -> int:
    return len(s) if s.isascii() else cell_len(s)


@dataclass(frozen=True, slots=True)
class Row:
    """One screen row: ``text[start:end]`` (the end may include the space it wraps at)."""

    start: int
    end: int


class TextLayout:
    """Rows of ``text`` wrapped at ``width`` cells, paragraphs split on newlines."""

    def __init__(self, text: str, width: int) -> None:
        self.text = text
        self.width = max(8, width)
        self.rows: list[Row] = []
        self._starts: list[int] = []
        self._wrap()

    def _wrap(self) -> None:
        text, width, rows = self.text, self.width, self.rows
        pos = 0
        for line in text.split("\n"):
            line_end = pos + len(line)
            if not line:
                rows.append(Row(pos, pos))
            else:
                row_start, row_cells = pos, 0
                for m in _WORD.finditer(line):
                    word = m.group()
                    w_start = pos + m.start()
                    stripped = word.rstrip()
                    w_cells = cell_width(stripped)
                    if row_cells and row_cells + w_cells > width - 1:
                        rows.append(Row(row_start, w_start))
                        row_start, row_cells = w_start, 0
                    while w_cells > width - 1:  # a word longer than the row: break it
                        cut = w_start + width - 1 if stripped.isascii() else self._cut(w_start, width - 1)
                        rows.append(Row(row_start, cut))
                        row_start = w_start = cut
                        stripped = text[cut : pos + m.start() + len(stripped)]
                        w_cells = cell_width(stripped)
                    row_cells += cell_width(word)
                rows.append(Row(row_start, line_end))
            pos = line_end + 1  # the newline belongs to no row; the cursor never rests on it
        self._starts = [r.start for r in rows]

    def _cut(self, start: int, cells: int) -> int:
        """The offset at which ``cells`` cells from ``start`` are used up."""
        used, i = 0, start
        while i < len(self.text) and used + cell_len(self.text[i]) <= cells:
            used += cell_len(self.text[i])
            i += 1
        return max(i, start + 1)

    def __len__(self) -> int:
        return len(self.rows)

    def row_of(self, offset: int) -> int:
        """The row showing ``offset`` (a newline counts as the end of its row)."""
        return max(0, bisect_right(self._starts, offset) - 1)

    def column_of(self, offset: int) -> int:
        row = self.rows[self.row_of(offset)]
        return cell_width(self.text[row.start : offset])

    def offset_at(self, row: int, column: int) -> int:
        """The offset drawn at (row, column), clamped to the row's text."""
        row = min(max(row, 0), len(self.rows) - 1)
        r = self.rows[row]
        segment = self.text[r.start : r.end]
        if segment.isascii():
            return r.start + min(column, max(len(segment.rstrip()) - 1, 0) if segment.strip() else 0)
        used = 0
        for i, ch in enumerate(segment):
            used += cell_len(ch)
            if used > column:
                return r.start + i
        return r.start + max(len(segment.rstrip()) - 1, 0)

    def row_text(self, row: int) -> str:
        r = self.rows[row]
        return self.text[r.start : r.end]


def scroll_into_view(view, row: int) -> None:
    """Scroll a line-API view so that ``row`` shows, by half a screen at a time.

    Any scroll repaints the whole pane (7-8 KB at 120x40); scrolling one row per
    key press would send that on every press once the cursor reaches the edge.
    Jumping half a screen sends it once every half screen of moves, as ``less``
    does. A far jump (search, g/G) centres the row.
    """
    top = view.scroll_offset.y
    height = view.scrollable_content_region.height
    if not height or top <= row < top + height:
        return
    half = max(1, height // 2)
    if top - half <= row < top:
        y = top - half
    elif top + height <= row < top + height + half:
        y = top + half
    else:
        y = row - half
    view.scroll_to(y=max(0, y), animate=False, immediate=True)
