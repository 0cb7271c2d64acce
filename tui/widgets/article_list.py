"""The article list: a virtual list over any number of articles.

Textual's ``OptionList``, ``ListView`` and ``DataTable`` build every row up front
(seconds at 100,000 rows), so this is our own ``ScrollView`` on the line API,
like Toolong's log view: the list knows only the article ids of the current
view (:class:`tui.list_model.ListModel`), and ``render_line`` asks the model for
the one row it draws; the model fetches rows from SQLite a page at a time, by
id, and keeps recent pages in an LRU cache.
"""

from __future__ import annotations

from typing import Protocol

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.reactive import reactive
from textual.strip import Strip

from annotations.model import ListRow, Status
from annotations.printable import printable
from tui.keymap import bindings
from tui.list_model import ListModel
from tui.textlayout import cell_width, scroll_into_view
from tui.widgets.line_scroll import LineScrollView

# A glyph per status: readable without colour (NO_COLOR, 16-colour terminals).
STATUS_GLYPH = {
    Status.NEW: " ",
    Status.IN_PROGRESS: "•",
    Status.DONE: "✓",
    Status.SKIPPED: "»",
    Status.FLAGGED: "!",
    Status.REVIEWED: "◆",
}


def _fit(text: str, width: int) -> str:
    """``text`` cut or padded to exactly ``width`` cells."""
    if width <= 0:
        return ""
    if cell_width(text) <= width:
        return text + " " * (width - cell_width(text))
    out, used = [], 0
    for ch in text:
        w = cell_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…" + " " * (width - used - 1)


class ListHost(Protocol):
    """What the list asks of the screen it is on."""

    def open_article(self, article_id: int) -> None: ...
    def show_search(self) -> None: ...
    def cycle_view(self) -> None: ...
    def show_view(self, view: str) -> None: ...


class ArticleList(LineScrollView, can_focus=True):
    """Title, source, status and span count of each article in the current view."""

    COMPONENT_CLASSES = {
        "article-list--cursor",
        "article-list--open",
        "article-list--done",
        "article-list--flagged",
        "article-list--muted",
    }

    DEFAULT_CSS = """
    ArticleList {
        background: $surface;
        scrollbar-size-vertical: 1;
        overflow-y: scroll;
        overflow-x: hidden;
    }
    ArticleList > .article-list--cursor {
        background: $block-cursor-blurred-background; color: $block-cursor-blurred-foreground;
        text-style: $block-cursor-blurred-text-style;
    }
    ArticleList:focus > .article-list--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    ArticleList > .article-list--open { text-style: bold underline; }
    ArticleList > .article-list--done { color: $success; }
    ArticleList > .article-list--flagged { color: $error; }
    ArticleList > .article-list--muted { color: $text-muted; }
    """

    BINDINGS = bindings("list")

    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)

    def __init__(
        self, model: ListModel, host: ListHost, *, name: str | None = None, id: str | None = None
    ) -> None:
        super().__init__(name=name, id=id)
        self.model = model
        self.host = host  # what enter, / and t call (the screen)
        self.open_id: int | None = None

    def on_mount(self) -> None:
        self.reload()

    def reload(self, cursor_id: int | None = None) -> None:
        """The model's ids changed (new view, search, full id list loaded)."""
        self.virtual_size = Size(self.size.width, len(self.model))
        index = self.model.index_of(cursor_id) if cursor_id is not None else None
        if index is None:
            index = min(self.cursor, max(len(self.model) - 1, 0))
        self.refresh()
        self.cursor = index

    def refresh_article(self, article_id: int) -> None:
        """Redraw one article's row after its status or spans changed."""
        self.model.forget(article_id)
        index = self.model.index_of(article_id)
        if index is not None:
            self.refresh_line(index)

    @property
    def current_id(self) -> int | None:
        return self.model.id_at(self.cursor)

    # -- drawing ---------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if index >= len(self.model):
            if index == 0:
                msg = "No articles here." if not self.model.query else "No matches."
                return Strip(
                    [
                        Segment(
                            _fit(msg, width),
                            base + self.get_component_rich_style("article-list--muted", partial=True),
                        )
                    ]
                )
            return Strip.blank(width, base)
        row = self.model.row(index)
        if row is None:
            return Strip.blank(width, base)
        return self._render_row(row, index == self.cursor, width, base)

    def _render_row(self, row: ListRow, is_cursor: bool, width: int, base: Style) -> Strip:
        """One row; ``base`` is the widget's style (``rich_style`` walks the ancestors: once a row)."""
        status_style = base
        if row.status is Status.DONE:
            status_style = base + self.get_component_rich_style("article-list--done", partial=True)
        elif row.status is Status.FLAGGED:
            status_style = base + self.get_component_rich_style("article-list--flagged", partial=True)
        muted = base + self.get_component_rich_style("article-list--muted", partial=True)
        count = f"{row.spans:>3}" if row.spans else "   "
        source_w = 14 if width >= 50 else 0
        title_w = max(0, width - 2 - source_w - (1 if source_w else 0) - 4)
        title = printable(row.title or "(untitled)")
        source = printable(row.source or "")
        title_style = base
        if row.id == self.open_id:
            title_style = base + self.get_component_rich_style("article-list--open", partial=True)
        segments = [
            Segment(STATUS_GLYPH[row.status] + " ", status_style),
            Segment(_fit(title, title_w), title_style),
        ]
        if source_w:
            segments += [Segment(" "), Segment(_fit(source, source_w), muted)]
        segments.append(Segment(" " + count, muted))
        if is_cursor:
            cursor_style = self.get_component_rich_style("article-list--cursor", partial=True)
            segments = [Segment(t, base + cursor_style) for t, s, _ in segments]
        return Strip(segments).crop_extend(0, width, base)

    # -- moving --------------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_line(old)
        self.refresh_line(new)
        scroll_into_view(self, new)

    def _set_cursor(self, index: int) -> None:
        self.cursor = min(max(index, 0), max(len(self.model) - 1, 0))

    def action_move(self, delta: int) -> None:
        self._set_cursor(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._set_cursor(self.cursor + direction * max(1, self.scrollable_content_region.height - 1))

    def action_edge(self, end: int) -> None:
        self._set_cursor(len(self.model) - 1 if end else 0)

    # These call the host directly, not by message: a message would be handled
    # after keys already typed (over SSH, "enter w w 1" arrives in one read), and
    # those keys must reach the article or search bar that the key opened.

    def action_open(self) -> None:
        if self.current_id is not None:
            self.host.open_article(self.current_id)

    def action_search(self) -> None:
        self.host.show_search()

    def action_cycle_view(self) -> None:
        self.host.cycle_view()

    def action_clear_search(self) -> None:
        if self.model.query:
            self.host.show_view(self.model.view)

    def on_click(self, event) -> None:
        index = self.scroll_offset.y + event.y
        if index < len(self.model):
            self.cursor = index
            if event.chain >= 2:
                self.action_open()

    def set_open(self, article_id: int | None) -> None:
        old, self.open_id = self.open_id, article_id
        for aid in (old, article_id):
            if aid is not None:
                index = self.model.index_of(aid)
                if index is not None:
                    self.refresh_line(index)
