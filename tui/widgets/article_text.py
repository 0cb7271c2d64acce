"""The text pane: the cleaned article, its spans, a cursor and a selection.

Drawn with Textual's line API (like Toolong's ``log_lines.py``): the article is
wrapped once per width into rows (:mod:`tui.textlayout`) and ``render_line``
builds the one ``Strip`` a row needs. A cursor move repaints two rows, so what
crosses an SSH link per key press is a few hundred bytes, not a screen.

The widget never touches the database. Tagging, deleting and relabelling call
the screen (:class:`TextHost`), which saves through the store and hands the new
spans back with :meth:`ArticleText.set_spans`.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from typing import Protocol

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from annotations.labels import LabelSchema
from annotations.model import Article, Span
from annotations.tokens import TokenIndex
from tui.textlayout import TextLayout, scroll_into_view

# Article text is data: control characters are drawn as spaces, never sent to the
# terminal (the importer strips them already; this is the last line of defence).
# Same length, so offsets do not move.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")  # not \n: it ends paragraphs
_BLACK = Style(color="black")
# Under NO_COLOR, the n-th label of the schema is drawn underlined plus one of these.
_NO_COLOR_LABELS = (Style(), Style(bold=True), Style(italic=True), Style(dim=True))


def display_text(text: str) -> str:
    return _CONTROL.sub(" ", text)


def one_line(text: str) -> str:
    """For titles and list rows: newlines too become spaces."""
    return display_text(text).replace("\n", " ")


@dataclass(frozen=True, slots=True)
class Match:
    start: int
    end: int


class TextHost(Protocol):
    """What the text pane asks of the screen it is on: the screen owns the store.

    Called directly, not by message, so that every change is saved in the order
    the keys were typed, before the next key is read (type-ahead over SSH).
    """

    def tag(self, article_id: int, start: int, end: int, label: str) -> Span | None: ...
    def delete_span(self, span: Span) -> None: ...
    def edit_span(self, span: Span) -> None: ...
    def show_find(self) -> None: ...
    def show_spans_at_cursor(self, spans: list[Span]) -> None: ...


class ArticleText(ScrollView, can_focus=True):
    """The open article, with keyboard (and mouse) selection and tagging."""

    COMPONENT_CLASSES = {
        "article-text--cursor",
        "article-text--selection",
        "article-text--match",
        "article-text--empty",
    }

    DEFAULT_CSS = """
    ArticleText {
        background: $surface;
        color: $foreground;
        scrollbar-size-vertical: 1;
        overflow-y: scroll;  /* a scrollbar that comes and goes would re-wrap the text */
        overflow-x: hidden;
    }
    ArticleText > .article-text--cursor { text-style: reverse bold underline; }
    ArticleText > .article-text--selection { text-style: reverse; }
    ArticleText > .article-text--match { background: $warning 40%; text-style: underline; }
    ArticleText > .article-text--empty { color: $text-muted; text-style: italic; }
    """

    # Keys are data: ids let a user keymap rebind them (tui/keymap.py).
    BINDINGS = [
        Binding("h,left", "move(-1)", "cursor left", show=False, id="text.left"),
        Binding("l,right", "move(1)", "cursor right", show=False, id="text.right"),
        Binding("k,up", "move_row(-1)", "cursor up a row", show=False, id="text.up"),
        Binding("j,down", "move_row(1)", "cursor down a row", show=False, id="text.down"),
        Binding("w", "word(1)", "next word", show=False, id="text.word_next"),
        Binding("b", "word(-1)", "previous word", show=False, id="text.word_prev"),
        Binding("shift+left", "extend('left')", "select left", show=False, id="text.extend_left"),
        Binding("shift+right", "extend('right')", "select right", show=False, id="text.extend_right"),
        Binding("shift+up", "extend('up')", "select up", show=False, id="text.extend_up"),
        Binding("shift+down", "extend('down')", "select down", show=False, id="text.extend_down"),
        Binding("home,0", "line_edge(0)", "line start", show=False, id="text.home"),
        Binding("end,dollar_sign", "line_edge(1)", "line end", show=False, id="text.end"),
        Binding("pageup", "page(-1)", "page up", show=False, id="text.page_up"),
        Binding("pagedown", "page(1)", "page down", show=False, id="text.page_down"),
        Binding("g", "edge(0)", "start of article", show=False, id="text.top"),
        Binding("G", "edge(1)", "end of article", show=False, id="text.bottom"),
        Binding(
            "v",
            "toggle_selection",
            "select",
            tooltip="start (or drop) a selection; moving extends it",
            id="text.select",
        ),
        Binding("escape", "clear_selection", "clear selection / matches", show=False, id="text.clear"),
        Binding(
            "x",
            "delete_span",
            "delete",
            show=False,
            tooltip="delete the span under the cursor",
            id="text.delete",
        ),
        Binding(
            "e",
            "edit_span",
            "edit",
            show=False,
            tooltip="change the label and attributes of the span under the cursor",
            id="text.edit",
        ),
        Binding("left_curly_bracket", "jump_span(-1)", "previous span", show=False, id="text.span_prev"),
        Binding("right_curly_bracket", "jump_span(1)", "next span", show=False, id="text.span_next"),
        Binding(
            "slash",
            "find",
            "find",
            tooltip="find in this article; enter selects the next match",
            id="text.find",
        ),
        Binding("n", "find_next", "next match", show=False, id="text.find_next"),
    ]

    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)

    def __init__(self, schema: LabelSchema, *, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.schema = schema
        self.article: Article | None = None
        self.text = ""
        self._tokens: TokenIndex | None = None
        self.spans: list[Span] = []
        # Spans shown but not the annotator's own (in review: the annotators' spans
        # the reviewer has not taken). Negative ids; drawn in the label's colour
        # without a background; never saved from here.
        self.ghosts: list[Span] = []
        self.anchor: int | None = None
        self.picked: int | None = None  # id of the span picked by {, }, a click
        self.matches: list[Match] = []
        self.match_index = -1
        self._layout: TextLayout | None = None
        self._goal_column: int | None = None
        self._version = 0  # bumped when spans or matches change: invalidates cached rows
        self._cache: LRUCache[tuple, Strip] = LRUCache(1024)
        self._dragging = False
        self._last_hover: tuple[int, ...] = ()

    # -- loading ------------------------------------------------------------------

    def show(self, article: Article | None, spans: list[Span], cursor: int = 0) -> None:
        """Show ``article`` (None: nothing open) with ``spans``, cursor at ``cursor``."""
        self.article = article
        self.text = display_text(article.clean_text) if article else ""
        self._tokens = None
        self.anchor = None
        self.picked = None
        self.matches, self.match_index = [], -1
        self.ghosts = []
        self._layout = None
        self._goal_column = None
        self.set_spans(spans)
        self._relayout()
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.cursor = self._clamp(cursor)
        self._scroll_to_cursor()
        self.refresh()

    def set_spans(self, spans: list[Span], changed: tuple[int, int] | None = None) -> None:
        """New spans; ``changed`` (start, end) limits the repaint to the rows that range covers."""
        self.spans = sorted(spans, key=lambda s: (s.start, -s.end, s.id))
        if self.picked is not None and not any(s.id == self.picked for s in self.spans):
            self.picked = None
        self._version += 1
        self._cache.clear()
        if changed is not None and self._layout is not None:
            self._refresh_range(changed[0], max(changed[0], changed[1] - 1))
        else:
            self.refresh()
        self._report_spans(force=True)

    def set_ghosts(self, ghosts: list[Span]) -> None:
        """Spans to show that are not the annotator's (see ``ghosts``)."""
        self.ghosts = sorted(ghosts, key=lambda s: (s.start, -s.end, s.id))
        if self.picked is not None and not any(s.id == self.picked for s in self.all_spans()):
            self.picked = None
        self._version += 1
        self._cache.clear()
        self.refresh()
        self._report_spans(force=True)

    def all_spans(self) -> list[Span]:
        """Own spans and ghosts, in reading order: what { } walk and the span line shows."""
        if not self.ghosts:
            return self.spans
        return sorted([*self.spans, *self.ghosts], key=lambda s: (s.start, -s.end, s.id))

    @property
    def tokens(self) -> TokenIndex:
        """Built on first use: 20 ms for a 20,000-word article, not needed to read it."""
        if self._tokens is None:
            self._tokens = TokenIndex(self.text)
        return self._tokens

    @property
    def layout_rows(self) -> TextLayout:
        if self._layout is None or self._layout.width != self._text_width():
            self._relayout()
        assert self._layout is not None
        return self._layout

    def _text_width(self) -> int:
        return max(8, self.scrollable_content_region.width or self.size.width or 80)

    def _relayout(self) -> None:
        self._layout = TextLayout(self.text, self._text_width())
        self._cache.clear()
        self.virtual_size = Size(self._text_width(), len(self._layout))

    def on_resize(self, event: events.Resize) -> None:
        if self._layout is not None and self._layout.width != self._text_width():
            self._relayout()
            self._scroll_to_cursor()

    # -- geometry -----------------------------------------------------------------

    def _clamp(self, offset: int) -> int:
        return min(max(offset, 0), max(len(self.text) - 1, 0))

    def selection(self) -> tuple[int, int] | None:
        """The selected range, end exclusive (the character under the cursor is in)."""
        if self.anchor is None or not self.text:
            return None
        a, c = sorted((self.anchor, self.cursor))
        return a, c + 1

    def target(self) -> tuple[int, int] | None:
        """What a tag key tags: the selection, else the word under the cursor, snapped to tokens."""
        sel = self.selection()
        if sel is None:
            return self.tokens.snap(self.cursor, self.cursor)
        return self.tokens.snap(*sel)

    def spans_at(self, offset: int) -> list[Span]:
        return [s for s in self.all_spans() if s.start <= offset < s.end]

    def span_under_cursor(self) -> Span | None:
        """The picked span if the cursor is in it, else the innermost span at the cursor."""
        here = self.spans_at(self.cursor)
        for s in here:
            if s.id == self.picked:
                return s
        # Own spans before ghosts (x and e act on own spans), then the innermost.
        return min(here, key=lambda s: (s.id < 0, s.end - s.start, s.id)) if here else None

    # -- drawing -------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + y
        width = self.scrollable_content_region.width
        layout = self.layout_rows
        if not self.text:
            if y == 0:
                msg = "Open an article: pick one in the list and press enter."
                style = self.get_component_rich_style("article-text--empty")
                return Strip([Segment(msg[:width], style)]).extend_cell_length(width, self.rich_style)
            return Strip.blank(width, self.rich_style)
        if row >= len(layout):
            return Strip.blank(width, self.rich_style)
        r = layout.rows[row]
        sel = self.selection()
        has_cursor = layout.row_of(self.cursor) == row  # also on the newline ending the row
        sel_key = None
        if sel is not None and sel[0] < max(r.end, r.start + 1) and sel[1] > r.start:
            sel_key = sel
        key = (row, width, self._version, self.cursor if has_cursor else -1, sel_key, self.picked)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        strip = self._render_row(r.start, r.end, width, sel_key, has_cursor)
        self._cache[key] = strip
        return strip

    def _span_style(self, span: Span, overlap: bool) -> Style:
        label = self.schema.get(span.label)
        if span.id < 0:  # a ghost: the label's colour on the plain background, underlined
            if self.app.no_color or label is None:
                style = Style(underline=True, italic=True)
            else:
                style = Style(color=label.colour, underline=True, bold=True)
            return style + Style(reverse=True) if span.id == self.picked else style
        if self.app.no_color:  # no colours: labels differ by text attributes instead
            index = self.schema.labels.index(label) if label else 0
            style = Style(underline=True) + _NO_COLOR_LABELS[index % len(_NO_COLOR_LABELS)]
            if overlap:
                style += Style(reverse=True)
        else:
            style = _BLACK + Style(bgcolor=label.colour) if label else Style(underline=True)
            if overlap:
                style += Style(underline=True)
        if span.id == self.picked:
            style += Style(bold=True, italic=True)
        return style

    def _render_row(self, start: int, end: int, width: int, sel, has_cursor: bool) -> Strip:
        text = self.text
        base = self.rich_style
        n = end - start
        styles: list[Style] = [base] * n
        # Spans: the innermost covering span's colour; overlaps marked.
        covering = [s for s in self.spans if s.start < end and s.end > start]
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
                s = best[i]
                if s is not None:
                    styles[i] = base + self._span_style(s, depth[i] > 1)
        # Ghosts show where no own span does (an own span is what counts); the
        # innermost ghost wins, as for own spans, and the picked one over all.
        here = [g for g in self.ghosts if g.start < end and g.end > start]
        if here:
            free = [styles[i] is base for i in range(n)]
            here.sort(key=lambda g: (g.id == self.picked, -(g.end - g.start)))
            for g in here:
                for i in range(max(g.start, start) - start, min(g.end, end) - start):
                    if free[i]:
                        styles[i] = base + self._span_style(g, False)
        if self.matches:
            mstyle = self.get_component_rich_style("article-text--match", partial=True)
            i0 = bisect_left([m.end for m in self.matches], start + 1)
            for m in self.matches[i0:]:
                if m.start >= end:
                    break
                for i in range(max(m.start, start) - start, min(m.end, end) - start):
                    styles[i] = styles[i] + mstyle
        if sel is not None:
            sstyle = self.get_component_rich_style("article-text--selection", partial=True)
            for i in range(max(sel[0], start) - start, min(sel[1], end) - start):
                styles[i] = styles[i] + sstyle
        segments: list[Segment] = []
        chunk = text[start:end]
        cursor_col = self.cursor - start if has_cursor else -1
        if has_cursor and cursor_col >= n:  # cursor on the newline ending this row
            chunk += " "
            styles.append(base)
            n += 1
        if has_cursor:
            styles[cursor_col] = styles[cursor_col] + self.get_component_rich_style(
                "article-text--cursor", partial=True
            )
        # Runs of one style become one segment.
        run_start = 0
        for i in range(1, n + 1):
            if i == n or styles[i] is not styles[run_start] and styles[i] != styles[run_start]:
                segments.append(Segment(chunk[run_start:i], styles[run_start]))
                run_start = i
        strip = Strip(segments)
        return strip.crop_extend(0, width, base) if strip.cell_length != width else strip

    def _refresh_offsets(self, *offsets: int) -> None:
        layout = self.layout_rows
        for row in {layout.row_of(o) for o in offsets}:
            self.refresh_line(row)

    def _refresh_range(self, a: int, b: int) -> None:
        layout = self.layout_rows
        first, last = layout.row_of(a), layout.row_of(max(a, b))
        self.refresh_lines(first, last - first + 1)

    # -- cursor -------------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        if self._layout is None:
            return
        if self.anchor is not None:
            self._refresh_range(min(old, new, self.anchor), max(old, new, self.anchor))
        else:
            self._refresh_offsets(old, new)
        self._scroll_to_cursor()
        self._report_spans()

    def _report_spans(self, force: bool = False) -> None:
        here = tuple(s.id for s in self.spans_at(self.cursor))
        if force or here != self._last_hover:
            self._last_hover = here
            # Directly, not by message: the span line is then drawn in the same
            # frame as the text (a message would land in the next frame, ~16 ms on).
            self.host.show_spans_at_cursor(self.spans_at(self.cursor))

    def _scroll_to_cursor(self) -> None:
        if self._layout is None or not self.size.height:
            return
        scroll_into_view(self, self._layout.row_of(self.cursor))

    def move_to(self, offset: int, keep_goal: bool = False) -> None:
        if not keep_goal:
            self._goal_column = None
        self.cursor = self._clamp(offset)

    def action_move(self, delta: int) -> None:
        self.move_to(self.cursor + delta)

    def action_move_row(self, delta: int) -> None:
        layout = self.layout_rows
        if not self.text:
            return
        row = layout.row_of(self.cursor)
        if self._goal_column is None:
            self._goal_column = layout.column_of(self.cursor)
        target = min(max(row + delta, 0), len(layout) - 1)
        self.move_to(layout.offset_at(target, self._goal_column), keep_goal=True)

    def action_word(self, direction: int) -> None:
        if direction > 0:
            self.move_to(self.tokens.next_word(self.cursor))
        else:
            self.move_to(self.tokens.prev_word(self.cursor))

    def action_line_edge(self, end: int) -> None:
        layout = self.layout_rows
        r = layout.rows[layout.row_of(self.cursor)]
        if end:
            self.move_to(max(r.start, r.start + len(self.text[r.start : r.end].rstrip()) - 1))
        else:
            self.move_to(r.start)

    def action_page(self, direction: int) -> None:
        self.action_move_row(direction * max(1, self.scrollable_content_region.height - 1))

    def action_edge(self, end: int) -> None:
        self.move_to(len(self.text) - 1 if end else 0)

    def action_extend(self, direction: str) -> None:
        if self.anchor is None:
            self.anchor = self.cursor
        if direction in ("left", "right"):
            self.action_move(-1 if direction == "left" else 1)
        else:
            self.action_move_row(-1 if direction == "up" else 1)

    def action_toggle_selection(self) -> None:
        if self.anchor is None:
            self.anchor = self.cursor
            self._refresh_offsets(self.cursor)
        else:
            self.action_clear_selection()

    def action_clear_selection(self) -> None:
        if self.anchor is not None:
            a, b = self.anchor, self.cursor
            self.anchor = None
            self._refresh_range(min(a, b), max(a, b))
        elif self.matches:
            self.set_matches([])

    @property
    def host(self) -> TextHost:
        return self.screen  # type: ignore[return-value]

    # -- spans ------------------------------------------------------------------------

    def action_tag(self, label: str) -> None:
        """Tag the selection, or the word under the cursor, as ``label``."""
        if self.article is None:
            return
        target = self.target()
        if target is None:
            self.app.bell()
            self.notify(
                "Nothing to tag here: put the cursor on a word or select some text.",
                severity="warning",
                timeout=3,
            )
            return
        span = self.host.tag(self.article.id, target[0], target[1], label)
        if span is not None:
            self.anchor = None
            self.picked = span.id
            self._refresh_range(min(span.start, self.cursor), max(span.end, self.cursor))

    def action_delete_span(self) -> None:
        span = self.span_under_cursor()
        if span is None:
            self.app.bell()
            return
        self.host.delete_span(span)

    def action_edit_span(self) -> None:
        span = self.span_under_cursor()
        if span is None:
            self.app.bell()
            return
        self.host.edit_span(span)

    def action_jump_span(self, direction: int) -> None:
        """Move to the next (previous) span's start and pick it."""
        ordered = self.all_spans()
        if not ordered:
            self.app.bell()
            return
        current = self.span_under_cursor()
        if direction > 0:
            later = [
                s
                for s in ordered
                if s.start > self.cursor
                or (
                    current is not None
                    and s.start == self.cursor
                    and (s.start, -s.end, s.id) > (current.start, -current.end, current.id)
                )
            ]
            nxt = later[0] if later else ordered[0]
        else:
            earlier = [
                s
                for s in ordered
                if s.start < self.cursor
                or (
                    current is not None
                    and s.start == self.cursor
                    and (s.start, -s.end, s.id) < (current.start, -current.end, current.id)
                )
            ]
            nxt = earlier[-1] if earlier else ordered[-1]
        self.move_to(nxt.start)
        self.pick(nxt)

    def pick(self, span: Span | None) -> None:
        """Make ``span`` the picked one: drawn bold, and what x, e (and a, in review) act on."""
        old = next((s for s in self.all_spans() if s.id == self.picked), None)
        self.picked = span.id if span is not None else None
        self._version += 1
        for s in (old, span):
            if s is not None:
                self._refresh_range(s.start, s.end - 1)
        self._report_spans(force=True)

    # -- find in article ---------------------------------------------------------------

    def action_find(self) -> None:
        self.host.show_find()

    def find(self, query: str) -> int:
        """Highlight every match of ``query`` (case-insensitive) and select the next one."""
        matches: list[Match] = []
        if query:
            for m in re.finditer(re.escape(query), self.text, re.IGNORECASE):
                matches.append(Match(m.start(), m.end()))
        self.set_matches(matches)
        if matches:
            self.action_find_next()
        return len(matches)

    def set_matches(self, matches: list[Match]) -> None:
        self.matches = matches
        self.match_index = -1
        self._version += 1
        self.refresh()

    def action_find_next(self) -> None:
        """Select the next match after the cursor, wrapping round."""
        if not self.matches:
            self.app.bell()
            return
        starts = [m.start for m in self.matches]
        i = bisect_left(starts, self.cursor + 1)
        if self.anchor is None:  # nothing selected yet: a match at the cursor counts
            i = bisect_left(starts, self.cursor)
        m = self.matches[i % len(self.matches)]
        self.match_index = i % len(self.matches)
        old = self.selection()
        self.anchor = m.start
        self._goal_column = None
        self.cursor = m.end - 1
        if old:
            self._refresh_range(*old)
        self._refresh_range(m.start, m.end - 1)

    # -- mouse ---------------------------------------------------------------------------

    def _offset_at_event(self, event: events.MouseEvent) -> int | None:
        if not self.text:
            return None
        row = event.y + self.scroll_offset.y
        if row >= len(self.layout_rows):
            return None
        return self.layout_rows.offset_at(row, event.x + self.scroll_offset.x)

    async def on_mouse_down(self, event: events.MouseDown) -> None:
        offset = self._offset_at_event(event)
        if offset is None:
            return
        self.focus()
        if self.anchor is not None:
            self.action_clear_selection()
        self._dragging = True
        self._drag_start = offset
        self.capture_mouse()
        self.move_to(offset)

    async def on_mouse_move(self, event: events.MouseMove) -> None:
        if not self._dragging:
            return
        offset = self._offset_at_event(event)
        if offset is None or offset == self.cursor:
            return
        if self.anchor is None:
            self.anchor = self._drag_start
        self.move_to(offset)

    async def on_mouse_up(self, event: events.MouseUp) -> None:
        if not self._dragging:
            return
        self._dragging = False
        self.release_mouse()
        if self.anchor is None:  # a click, not a drag: pick the span under it
            here = self.spans_at(self.cursor)
            if here:
                self.pick(min(here, key=lambda s: (s.end - s.start, s.id)))
