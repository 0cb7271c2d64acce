"""The text pane: the cleaned article, its spans, a cursor and a selection.

Drawn with Textual's line API (like Toolong's ``log_lines.py``): the article is
wrapped once per width into rows (:mod:`tui.textlayout`) and ``render_line``
builds the one ``Strip`` a row needs. A cursor move repaints two rows, so what
crosses an SSH link per key press is a few hundred bytes, not a screen.

The widget never touches the database. Tagging, deleting and relabelling call
the host it is given (:class:`TextHost`, the screen), which saves through its
session and hands the new spans back with :meth:`ArticleText.set_spans`. What a
row looks like is :mod:`tui.widgets.text_render`; which span a key lands on,
:mod:`tui.widgets.text_spans`.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from rich.segment import Segment
from textual import events
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.strip import Strip

from annotations.labels import LabelSchema
from annotations.model import Article, Span
from annotations.printable import printable
from tui.keymap import bindings
from tui.textlayout import TextLayout, cell_width, scroll_into_view
from tui.widgets.line_scroll import LineScrollView
from tui.widgets.text_render import Match, RowStyles, render_row
from tui.widgets.text_spans import find_matches, next_span, reading_order, under_cursor

if TYPE_CHECKING:
    from annotations.tokens import TokenIndex


class TextHost(Protocol):
    """What the text pane asks of the screen it is on: the screen owns the store.

    Called directly, not by message, so that every change is saved in the order
    the keys were typed, before the next key is read (type-ahead over SSH).
    """

    def tag(self, start: int, end: int, label: str) -> Span | None: ...
    def delete_span(self, span: Span) -> None: ...
    def edit_span(self, span: Span) -> None: ...
    def show_find(self) -> None: ...
    def show_spans_at_cursor(self, spans: Sequence[Span]) -> None: ...


class ArticleText(LineScrollView, can_focus=True):
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
    BINDINGS = bindings("text")

    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)

    def __init__(
        self, schema: LabelSchema, host: TextHost, *, name: str | None = None, id: str | None = None
    ) -> None:
        super().__init__(name=name, id=id)
        self.schema = schema
        self.host = host  # what a tag, x, e, / and a cursor move call (the screen)
        self.article: Article | None = None
        self.text = ""
        self._tokens: TokenIndex | None = None
        self.spans: list[Span] = []
        # Spans shown but not the annotator's own (in review: the annotators' spans
        # the reviewer has not taken). Negative ids; drawn in the label's colour
        # without a background; never saved from here.
        self.ghosts: list[Span] = []
        self.mark: int | None = None  # where a selection began (v, shift+move, a drag)
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
        self.text = printable(article.clean_text, lines=True, same_length=True) if article else ""
        self._tokens = None
        self.mark = None
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
        self.spans = reading_order(spans)
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
        self.ghosts = reading_order(ghosts)
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
        return reading_order([*self.spans, *self.ghosts])

    @property
    def tokens(self) -> TokenIndex:
        """Built on first use: 20 ms for a 20,000-word article, not needed to read it."""
        if self._tokens is None:
            from annotations.tokens import TokenIndex  # its patterns too: on first use, not at start

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
        if self.mark is None or not self.text:
            return None
        a, c = sorted((self.mark, self.cursor))
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
        return under_cursor(self.spans_at(self.cursor), self.picked)

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

    def _render_row(
        self, start: int, end: int, width: int, sel: tuple[int, int] | None, has_cursor: bool
    ) -> Strip:
        styles = RowStyles(
            self.rich_style,
            self.get_component_rich_style("article-text--match", partial=True),
            self.get_component_rich_style("article-text--selection", partial=True),
            self.get_component_rich_style("article-text--cursor", partial=True),
        )
        return render_row(
            self.text,
            start,
            end,
            width,
            schema=self.schema,
            spans=self.spans,
            ghosts=self.ghosts,
            matches=self.matches,
            selection=sel,
            cursor=self.cursor if has_cursor else None,
            picked=self.picked,
            no_color=self.app.no_color,
            styles=styles,
        )

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
        if self.mark is not None:
            self._refresh_range(min(old, new, self.mark), max(old, new, self.mark))
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
        if self.mark is None:
            self.mark = self.cursor
        if direction in ("left", "right"):
            self.action_move(-1 if direction == "left" else 1)
        else:
            self.action_move_row(-1 if direction == "up" else 1)

    def action_toggle_selection(self) -> None:
        if self.mark is None:
            self.mark = self.cursor
            self._refresh_offsets(self.cursor)
        else:
            self.action_clear_selection()

    def action_clear_selection(self) -> None:
        if self.mark is not None:
            a, b = self.mark, self.cursor
            self.mark = None
            self._refresh_range(min(a, b), max(a, b))
        elif self.matches:
            self.set_matches([])

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
        span = self.host.tag(target[0], target[1], label)
        if span is not None:
            self.mark = None
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
        nxt = next_span(ordered, self.cursor, self.span_under_cursor(), direction)
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

    # The focus changes nothing the pane draws, and Widget's own focus handlers repaint it
    # all (40 rows, some 14 KB over SSH, at each / and each find): theirs, without the repaint.

    def _on_focus(self, event: events.Focus) -> None:
        event.prevent_default()
        self.has_focus = True
        if self.parent is not None:
            self.parent.post_message(events.DescendantFocus(self))

    def _on_blur(self, event: events.Blur) -> None:
        event.prevent_default()
        self.has_focus = False
        if self.parent is not None:
            self.parent.post_message(events.DescendantBlur(self))

    def find(self, query: str) -> int:
        """Highlight every match of ``query`` (case-insensitive) and select the next one."""
        matches = find_matches(self.text, query)
        self.set_matches(matches)
        if matches:
            self.action_find_next()
        return len(matches)

    def set_matches(self, matches: list[Match]) -> None:
        old, self.matches = self.matches, matches
        self.match_index = -1
        self._version += 1
        self._refresh_matches(old, matches)

    def _refresh_matches(self, *lists: list[Match]) -> None:
        """Repaint the cells of the matches of ``lists`` (each sorted by start) that are on screen.

        Cells, not rows: a common word is on most rows, and its rows cost 8 KB over SSH
        where its cells cost a tenth of that.
        """
        if self._layout is None:
            return
        layout = self._layout
        top = self.scroll_offset.y
        bottom = min(len(layout), top + self.size.height) - 1
        if bottom < top:
            return
        first, last = layout.rows[top].start, max(layout.rows[bottom].end, layout.rows[bottom].start + 1)
        for matches in lists:
            starts = [m.start for m in matches]
            # A match that starts before the screen may end on it: one before the first start on it.
            for m in matches[max(0, bisect_left(starts, first) - 1) : bisect_left(starts, last)]:
                a, b = max(m.start, first), min(m.end, last)
                while a < b:  # row by row: a match may wrap
                    row = layout.row_of(a)
                    r = layout.rows[row]
                    end = min(b, max(r.end, r.start + 1))
                    x = layout.column_of(a)
                    cells = cell_width(layout.text[a:end]) or 1
                    self.refresh(Region(x - self.scroll_offset.x, row - top, cells, 1))
                    a = max(end, a + 1)

    def action_find_next(self) -> None:
        """Select the next match after the cursor, wrapping round."""
        if not self.matches:
            self.app.bell()
            return
        starts = [m.start for m in self.matches]
        i = bisect_left(starts, self.cursor + 1)
        if self.mark is None:  # nothing selected yet: a match at the cursor counts
            i = bisect_left(starts, self.cursor)
        m = self.matches[i % len(self.matches)]
        self.match_index = i % len(self.matches)
        old = self.selection()
        self.mark = m.start
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
        if self.mark is not None:
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
        if self.mark is None:
            self.mark = self._drag_start
        self.move_to(offset)

    async def on_mouse_up(self, event: events.MouseUp) -> None:
        if not self._dragging:
            return
        self._dragging = False
        self.release_mouse()
        if self.mark is None:  # a click, not a drag: pick the span under it
            here = self.spans_at(self.cursor)
            if here:
                self.pick(min(here, key=lambda s: (s.end - s.start, s.id)))
