"""The annotator's screen: article list | article text, status bar, footer.

The screen is the go-between: widgets post messages saying what the annotator
asked for (open this article, tag this range), the screen turns them into calls
on the one data interface, :class:`annotations.storage.Store`, and hands the
result back to the widgets. Writes run on the UI thread on purpose: one small
transaction is shorter than a frame, and a span must be on disk before it is
drawn. Work that can take longer on a big database (the id list of a view, a
corpus search, progress counts) runs in thread workers with their own
connection and posts a message back, as in Harlequin.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from annotations.model import Edit, Span, Status
from annotations.storage import Store
from tui.keymap import tag_bindings
from tui.list_model import ListModel
from tui.widgets.article_list import ArticleList
from tui.widgets.article_text import ArticleText, one_line
from tui.widgets.status_bar import StatusBar

FIRST_PAGE = 200  # ids read for the first screen, before the whole view is loaded
SEARCH_LIMIT = 1000
VIEW_TITLES = {"all": "all", "todo": "to do", "done": "done", "flagged": "flagged", "skipped": "skipped"}
LIST_VIEWS = ("all", "todo", "done", "flagged")  # what `t` cycles through


def _clock() -> str:
    return datetime.now().strftime("%H:%M:%S")


def describe(span: Span | dict[str, Any]) -> str:
    """``ACTOR “Syrian government”`` for messages."""
    label = span.label if isinstance(span, Span) else span.get("label")
    text = span.text if isinstance(span, Span) else span.get("text", "")
    text = one_line(text)
    return f"{label} “{text if len(text) < 40 else text[:37] + '…'}”"


def describe_attributes(attributes: Mapping[str, Any]) -> str:
    """``kind=killed count=2``: the set attributes, as text (values are outside input, like
    article text: made printable, never read as markup by the caller's ``Text``)."""
    return " ".join(f"{one_line(str(k))}={one_line(str(v))}" for k, v in attributes.items() if v is not None)


class AnnotateScreen(Screen):
    """List on the left, article on the right."""

    DEFAULT_CSS = """
    AnnotateScreen #panes { height: 1fr; }
    AnnotateScreen #left { width: 38%; min-width: 24; max-width: 60; border-right: vkey $panel-lighten-2; }
    AnnotateScreen #right { width: 1fr; }
    AnnotateScreen #list-title, AnnotateScreen #head, AnnotateScreen #spaninfo {
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    AnnotateScreen #list-title { height: 1; background: $panel; color: $foreground; text-style: bold; }
    AnnotateScreen #head { height: 2; background: $panel; padding: 0 1; }
    AnnotateScreen #spaninfo { height: 1; background: $boost; color: $foreground; padding: 0 1; }
    AnnotateScreen Input.bar { height: 1; border: none; padding: 0 1; display: none; }
    AnnotateScreen Input.bar.shown { display: block; }
    """

    BINDINGS = [
        Binding(
            "tab",
            "switch_pane",
            "pane",
            show=False,
            tooltip="switch between the list and the text",
            id="app.switch_pane",
        ),
        Binding("question_mark", "help", "help", tooltip="this list of keys", id="app.help"),
        Binding("q", "quit", "quit", id="app.quit"),
        Binding("u", "undo", "undo", tooltip="undo the last change (also after a restart)", id="edit.undo"),
        Binding("ctrl+r", "redo", "redo", show=False, tooltip="redo what was undone", id="edit.redo"),
        Binding(
            "d",
            "set_status('done')",
            "done",
            tooltip="mark the article done, open the next to do",
            id="article.done",
        ),
        Binding(
            "s",
            "set_status('skipped')",
            "skip",
            show=False,
            tooltip="mark the article skipped, open the next to do",
            id="article.skip",
        ),
        Binding(
            "f",
            "set_status('flagged')",
            "flag",
            show=False,
            tooltip="flag the article for a reviewer, open the next to do",
            id="article.flag",
        ),
        Binding("right_square_bracket", "step(1)", "next article", show=False, id="article.next"),
        Binding("left_square_bracket", "step(-1)", "previous article", show=False, id="article.prev"),
    ]

    @dataclass
    class ViewLoaded(Message):
        token: int
        view: str
        ids: Any
        done: int
        total: int

    @dataclass
    class SearchDone(Message):
        token: int
        query: str
        ids: list[int]

    @dataclass
    class Saved(Message):
        """A change reached the database (what message_hook tests listen for)."""

        what: str
        article_id: int

    def __init__(self, store: Store, annotator: str) -> None:
        super().__init__()
        self.store = store
        self.annotator = annotator
        self.model = ListModel(store, annotator)
        self.article_id: int | None = None
        self._token = 0

    # -- what the list holds: the review screen answers these differently -----------

    START_VIEW = "all"
    VIEW_TITLES = VIEW_TITLES
    LIST_VIEWS = LIST_VIEWS  # what `t` cycles through

    def first_ids(self, view: str, limit: int) -> list[int]:
        """The first ids of ``view``, for the first screen (UI thread, must be quick)."""
        return self.store.ids_after(self.annotator, view, 0, limit)

    def all_ids(self, store: Store, view: str):
        """Every id of ``view`` (in a worker thread, on the worker's own ``store``)."""
        return store.list_ids(self.annotator, view)

    def progress_of(self, store: Store) -> tuple[int, int]:
        """(finished, all) for the status bar, on the given connection."""
        return store.progress(self.annotator)

    def next_to_do(self, after_id: int) -> int | None:
        """The article to open after ``after_id`` is finished (None: nothing left)."""
        return self.store.next_todo(self.annotator, after_id)

    def head_note(self) -> Text | None:
        """Extra words after the status in the header (the review screen's counts)."""
        return None

    # -- layout -------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        schema = self.app.schema
        with Horizontal(id="panes"):
            with Vertical(id="left"):
                yield Static(id="list-title")
                yield ArticleList(self.model, id="list")
                yield Input(
                    placeholder='search the corpus (FTS: "a phrase", a OR b)', id="search", classes="bar"
                )
            with Vertical(id="right"):
                yield Static(id="head")
                yield ArticleText(schema, id="text")
                yield Input(placeholder="find in this article", id="find", classes="bar")
                yield Static(id="spaninfo")
        yield StatusBar(schema, id="status")
        yield Footer(compact=True)

    @property
    def list(self) -> ArticleList:
        return self.query_one(ArticleList)

    @property
    def text(self) -> ArticleText:
        return self.query_one(ArticleText)

    @property
    def status_bar(self) -> StatusBar:
        return self.query_one(StatusBar)

    def on_mount(self) -> None:
        for binding in tag_bindings(self.app.schema):  # tag keys come from the label schema
            self.text._bindings._add_binding(binding)
        self._show_first_page(self.START_VIEW)
        start = self.next_to_do(0)
        if start is not None:
            self.open_article(start, focus=False)
            self.list.reload(cursor_id=start)
        else:
            self.text.show(None, [])
            self._update_head()
        self.list.focus()
        # After the first frame: on a million articles the id list takes 0.2 s of
        # Python, which would otherwise hold up the first screen.
        self.call_after_refresh(self._load_view, self.START_VIEW)

    # -- views, search ------------------------------------------------------------

    def _load_view(self, view: str) -> None:
        self._token += 1
        self._view_worker(view, self._token)

    @work(thread=True, exclusive=True, group="view")
    def _view_worker(self, view: str, token: int) -> None:
        with Store(self.store.path, check_same_thread=False) as store:
            ids = self.all_ids(store, view)
            done, total = self.progress_of(store)
        self.post_message(self.ViewLoaded(token, view, ids, done, total))

    def on_annotate_screen_view_loaded(self, message: ViewLoaded) -> None:
        self.status_bar.set_progress(message.done, message.total)
        if message.token != self._token:
            return
        keep = self.list.current_id or self.article_id
        self.model.set_ids(message.ids, view=message.view, complete=True)
        self.list.reload(cursor_id=keep)
        self._update_list_title()

    @work(thread=True, exclusive=True, group="view")
    def _search_worker(self, query: str, token: int) -> None:
        with Store(self.store.path, check_same_thread=False) as store:
            ids = [row.id for row in store.search(query, SEARCH_LIMIT)]
        self.post_message(self.SearchDone(token, query, ids))

    def on_annotate_screen_search_done(self, message: SearchDone) -> None:
        if message.token != self._token:
            return
        self.model.set_ids(message.ids, query=message.query, ranked=True)
        self.list.cursor = 0
        self.list.reload()
        self.list.focus()
        self._update_list_title()

    def _update_list_title(self) -> None:
        m = self.model
        if m.query is not None:
            title = Text(f" search: {m.query}", no_wrap=True, overflow="ellipsis")
            title.append(f"  {len(m)} hit{'s' if len(m) != 1 else ''}  esc: back", Style(dim=True))
        else:
            count = f"{len(m):,}" if m.complete else f"{len(m):,}+"
            name = self.VIEW_TITLES[m.view]
            if m.view == "todo" and self.store.has_assignments(self.annotator):
                name = "to do: yours"  # newsmark assign: theirs and the unassigned, not others'
            title = Text(f" {name} ({count})", no_wrap=True, overflow="ellipsis")
            title.append("  t: view  /: search", Style(dim=True))
        self.query_one("#list-title", Static).update(title, layout=False)

    def cycle_view(self) -> None:
        views = self.LIST_VIEWS
        current = self.model.view if self.model.view in views else views[0]
        view = views[(views.index(current) + 1) % len(views)]
        self.show_view(view)

    def show_view(self, view: str) -> None:
        if view not in self.VIEW_TITLES:
            raise ValueError(view)
        self.list.cursor = 0
        self._show_first_page(view)
        self._load_view(view)

    def _show_first_page(self, view: str) -> None:
        """Show the first ids of ``view`` at once; the whole view comes from a worker
        (ViewLoaded), so the screen never waits for a million ids."""
        first = self.first_ids(view, FIRST_PAGE)
        self.model.set_ids(first, view=view, complete=len(first) < FIRST_PAGE)
        self.list.reload(cursor_id=self.article_id)
        self._update_list_title()

    def show_search(self) -> None:
        bar = self.query_one("#search", Input)
        bar.add_class("shown")
        self.set_focus(bar)

    @on(Input.Submitted, "#search")
    def _run_search(self, event: Input.Submitted) -> None:
        self._hide_bar(event.input)
        self.list.focus()
        query = event.value.strip()
        if query:
            self._token += 1
            self._search_worker(query, self._token)

    # -- find in the article --------------------------------------------------------

    def show_find(self) -> None:
        bar = self.query_one("#find", Input)
        bar.add_class("shown")
        self.set_focus(bar)

    @on(Input.Submitted, "#find")
    def _run_find(self, event: Input.Submitted) -> None:
        self._hide_bar(event.input)
        self.text.focus()
        found = self.text.find(event.value)
        if event.value and not found:
            self.notify(
                f"not found in this article: {event.value}", severity="warning", timeout=3, markup=False
            )

    def _hide_bar(self, bar: Input) -> None:
        bar.remove_class("shown")

    def on_key(self, event) -> None:
        """Escape in a search bar closes it and goes back where the annotator was."""
        if event.key == "escape" and isinstance(self.focused, Input):
            bar = self.focused
            self._hide_bar(bar)
            (self.list if bar.id == "search" else self.text).focus()
            event.stop()

    # -- opening articles ---------------------------------------------------------

    def open_article(self, article_id: int, *, focus: bool = True, cursor: int = 0) -> None:
        article = self.store.article(article_id)
        if article is None:
            self.notify(f"article {article_id} is gone", severity="error")
            return
        self.article_id = article_id
        self.text.show(article, self.store.spans(article_id, self.annotator), cursor=cursor)
        self.list.set_open(article_id)
        index = self.model.index_of(article_id)
        if index is not None:
            self.list.cursor = index
        self._update_head()
        if focus:
            self.set_focus(self.text)  # at once: the next key typed goes to the text

    def _update_head(self) -> None:
        head = Text(no_wrap=True, overflow="ellipsis")
        article = self.text.article
        if article is None:
            head.append("No article open", Style(bold=True))
        else:
            head.append(one_line(article.title or "(untitled)"), Style(bold=True))
            meta = " · ".join(
                one_line(x) for x in (article.source, (article.published or "")[:10], article.byline) if x
            )
            status = self.store.status(article.id, self.annotator)
            head.append("\n")
            note = self.head_note()
            if note is not None:  # first: the metadata may be cut at the right edge
                head.append(note)
                head.append(f"  [{status.value.replace('_', ' ')}]  ", Style(dim=True))
            where = (article.origin or "").rsplit("/", 1)[-1]  # no metadata: at least the file
            head.append(meta or where or "(no source)", Style(dim=True))
            if note is None:
                head.append(f"  [{status.value.replace('_', ' ')}]", Style(dim=True))
        self.query_one("#head", Static).update(head, layout=False)

    def action_switch_pane(self) -> None:
        self.set_focus(self.list if self.text.has_focus else self.text)

    def action_step(self, step: int) -> None:
        """Open the next (previous) article of the list."""
        current = self.article_id if self.article_id is not None else self.list.current_id
        if current is None:
            return
        target = self.model.neighbour(current, step)
        if target is None:
            self.app.bell()
            return
        self.open_article(target, focus=self.text.has_focus)

    # -- changes: every one saved at once ----------------------------------------

    def _saved(self, what: str, article_id: int, note: str = "") -> None:
        # Said in the status bar, not a toast: a toast re-lays out the screen twice
        # (tens of KB over SSH) and would cover the saved indicator.
        self.status_bar.set_saved(_clock(), note)
        self.list.refresh_article(article_id)
        self.post_message(self.Saved(what, article_id))

    def _failed(self, exc: Exception) -> None:
        self.status_bar.set_error(str(exc))
        self.notify(f"not saved: {exc}", severity="error", markup=False)

    def _reload_spans(self) -> None:
        if self.article_id is not None:
            self.text.set_spans(self.store.spans(self.article_id, self.annotator))

    def tag(self, article_id: int, start: int, end: int, label: str) -> Span | None:
        """Save a span (already snapped to tokens), then draw it."""
        if any((s.start, s.end, s.label) == (start, end, label) for s in self.text.spans):
            self.app.bell()
            self.status_bar.set_saved(_clock(), f"already tagged as {label}")
            return None
        try:
            new_article = self.store.status(article_id, self.annotator) is Status.NEW
            if new_article:
                self.store.set_status(article_id, self.annotator, Status.IN_PROGRESS, record=False)
            span = self.store.add_span(article_id, self.annotator, start, end, label)
        except Exception as exc:  # the database said no: say so, keep what is saved
            self._failed(exc)
            return None
        self.text.set_spans([*self.text.spans, span], changed=(span.start, span.end))
        if new_article:
            self._update_head()
        self._saved("tag", article_id, f"{describe(span)}")
        return span

    def delete_span(self, span: Span) -> None:
        try:
            self.store.delete_span(span.id)
        except Exception as exc:
            self._failed(exc)
            return
        self.text.set_spans([s for s in self.text.spans if s.id != span.id], changed=(span.start, span.end))
        self._saved("delete", span.article_id, f"deleted {describe(span)} (u undoes)")

    def edit_span(self, span: Span) -> None:
        from tui.screens.edit_span import EditSpanScreen

        def done(result: tuple[str, dict[str, Any]] | None) -> None:
            if result is not None:
                self.save_span_edit(span, *result)

        self.app.push_screen(EditSpanScreen(self.app.schema, span), done)

    def save_span_edit(self, span: Span, label: str, attributes: dict[str, Any]) -> None:
        """Save what the edit dialog gave back for ``span``."""
        try:
            self.store.update_span(span.id, label=label, attributes=attributes)
        except Exception as exc:
            self._failed(exc)
            return
        self._reload_spans()
        self._saved("edit", span.article_id, f"{label} {' '.join(f'{k}={v}' for k, v in attributes.items())}")

    def show_spans_at_cursor(self, spans: list[Span]) -> None:
        """The line under the text: every span at the cursor, with its attributes."""
        info = Text(no_wrap=True, overflow="ellipsis")
        schema = self.app.schema
        for i, span in enumerate(spans):
            if i:
                info.append("  ")
            label = schema.get(span.label)
            style = (
                Style(underline=True)
                if self.app.no_color or label is None
                else Style(color="black", bgcolor=label.colour)
            )
            info.append(span.label, style)
            info.append(f" {describe(span).split(' ', 1)[1]}")
            if attributes := describe_attributes(span.attributes):
                info.append(" " + attributes, Style(dim=True))
        if not spans:
            info.append("v select · 1-3 tag · x delete · e edit · {/} spans · / find", Style(dim=True))
        self.query_one("#spaninfo", Static).update(info, layout=False)  # fixed size: no re-layout

    def action_set_status(self, status: str) -> None:
        """Mark the open article done / skipped / flagged and open the next one to do."""
        article_id = self.article_id if self.article_id is not None else self.list.current_id
        if article_id is None:
            return
        try:
            self.store.set_status(article_id, self.annotator, Status(status))
        except Exception as exc:
            self._failed(exc)
            return
        self._saved(status, article_id)
        self._refresh_progress()
        following = self.next_to_do(article_id)
        if following is None:
            self._update_head()
            self.notify("Nothing left to do in this database.", timeout=4)
            return
        self.open_article(following, focus=self.text.has_focus or self.article_id == article_id)

    def _refresh_progress(self) -> None:
        # The total comes from the view worker: counting a million articles takes
        # 10 ms, the annotator's done articles (an index) a tenth of a millisecond.
        done = self.done_count()
        self.status_bar.set_progress(done, self.status_bar.total)

    def done_count(self) -> int:
        return self.store.view_count(self.annotator, "done")

    def _apply_edit(self, edit: Edit | None, verb: str) -> None:
        if edit is None:
            self.app.bell()
            self.status_bar.set_note(f"nothing to {verb}")
            return
        # A span edit never moves a span (update_span changes label and attributes
        # only), so either side of it gives the span's place.
        span = None if edit.kind == "set_status" else (edit.before or edit.after)
        cursor = int(span["start"]) if span else 0
        if edit.article_id != self.article_id:
            self.open_article(edit.article_id, focus=self.text.has_focus, cursor=cursor)
        elif span:
            self.text.set_spans(
                self.store.spans(edit.article_id, self.annotator),
                changed=(int(span["start"]), int(span["end"])),
            )
            self.text.move_to(cursor)
        self.list.refresh_article(edit.article_id)
        if edit.kind == "set_status":
            self._update_head()
            self._refresh_progress()
        what = {
            "add_span": f"adding {describe(edit.after or {})}",
            "delete_span": f"deleting {describe(edit.before or {})}",
            "update_span": f"editing {describe(edit.before or {})}",
            "set_status": f"status {(edit.before or {}).get('status') or 'new'} → {(edit.after or {}).get('status')}",
            "decide": f"settling {(edit.before or {}).get('start')}:{(edit.before or {}).get('end')}"
            f" as {(edit.after or {}).get('choice')}",
        }[edit.kind]
        self.status_bar.set_saved(_clock(), f"{verb}: {what}")
        self.post_message(self.Saved(verb, edit.article_id))

    def action_undo(self) -> None:
        try:
            self._apply_edit(self.store.undo(self.annotator), "undo")
        except Exception as exc:
            self._failed(exc)

    def action_redo(self) -> None:
        try:
            self._apply_edit(self.store.redo(self.annotator), "redo")
        except Exception as exc:
            self._failed(exc)

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen())

    async def action_quit(self) -> None:
        self.app.exit()
