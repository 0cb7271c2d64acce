"""What the annotate and review screens share: article list | article text, status bar, footer.

The screen draws a session (:mod:`annotations.session`) and routes keys to it:
widgets call the screen (their host) with what the annotator asked for, the
screen calls the session, and draws what comes back. A session refuses or fails
by raising a :class:`~annotations.session.SessionError`; :meth:`attempt` is the
one place that catches it and says so in the status bar. Writes run on the UI
thread on purpose: one small transaction is shorter than a frame, and a span
must be on disk before it is drawn. Work that can take longer on a big database
(the id list of a view, a corpus search, progress counts) runs in thread
workers with their own connection and posts a message back, as in Harlequin.

Subclasses answer three public hooks: :meth:`head_note`, :meth:`article_opened`
and :meth:`redraw_extras` (and may draw the span line, :meth:`show_spans_at_cursor`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Static

from annotations.labels import LabelSchema
from annotations.model import Span, Status
from annotations.printable import printable
from annotations.session import (
    AlreadyTagged,
    AnnotateSession,
    ArticleGone,
    Change,
    Refused,
    Replay,
    SessionError,
)
from annotations.session.describe import describe, describe_attributes
from annotations.storage import Store
from tui.keymap import bindings, tag_bindings
from tui.list_model import ListModel
from tui.typeahead import OrderedKeys
from tui.widgets.article_list import ArticleList
from tui.widgets.article_text import ArticleText
from tui.widgets.find_bar import LineBar
from tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from annotations.session import ReviewSession  # loaded with the review screen, not at start

T = TypeVar("T")

FIRST_PAGE = 200  # ids read for the first screen, before the whole view is loaded
# How often the screen asks whether another connection changed the database: one
# PRAGMA per tick, and only when it did are the open article's spans read again.
CHANGES_POLL_SECONDS = 0.5
SEARCH_LIMIT = 1000
# The search and find bars' placeholders.
BARS = {
    "search": 'search the corpus (FTS: "a phrase", a OR b)',
    "find": "find in this article",
}


class _AppWithSchema(Protocol):
    schema: LabelSchema


def clock() -> str:
    """The time the status bar gives a save (the snapshot tests freeze it)."""
    return datetime.now().strftime("%H:%M:%S")


class SessionScreen(Screen):
    """List on the left, article on the right, drawn from ``session``."""

    DEFAULT_CSS = """
    SessionScreen #panes { height: 1fr; }
    SessionScreen #left { width: 38%; min-width: 24; max-width: 60; border-right: vkey $panel-lighten-2; }
    SessionScreen #right { width: 1fr; }
    SessionScreen #list-title, SessionScreen #head, SessionScreen #spaninfo {
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    SessionScreen #list-title { height: 1; background: $panel; color: $foreground; text-style: bold; }
    SessionScreen #head { height: 2; background: $panel; padding: 0 1; }
    SessionScreen #spaninfo { height: 1; background: $boost; color: $foreground; padding: 0 1; }
    """

    BINDINGS = bindings("annotate")

    # Textual repaints the whole screen when the focus moves (a 15 KB frame over SSH at
    # each /, find, tab). What looks different with the focus is restyled by Textual
    # anyway (``:focus`` rules, the footer): only the screen-wide repaint is dropped.
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)

    @dataclass
    class ViewLoaded(Message):
        token: int
        view: str
        ids: Sequence[int]
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

    def __init__(self, session: AnnotateSession | ReviewSession) -> None:
        super().__init__()
        self.session = session
        self.store = session.store
        self.annotator = session.annotator
        self.model = ListModel(session.store, session.annotator)
        self._token = 0
        self._data_version = -1  # the database as last drawn (Store.data_version)

    @property
    def article_id(self) -> int | None:
        return self.session.article_id

    # -- the hooks a screen answers -------------------------------------------------

    def head_note(self) -> Text | None:
        """Extra words after the status in the header (the review screen's counts)."""
        return None

    def article_opened(self) -> None:
        """An article was opened (before it is drawn)."""

    def redraw_extras(self) -> None:
        """After the spans changed: draw what depends on them besides the spans."""

    def database_changed(self) -> None:
        """Another connection committed: look again at what else the screen shows (the
        annotate screen: the suggestions, which ``newsmark suggest`` may have just stored)."""

    # -- layout -------------------------------------------------------------------

    @property
    def schema(self) -> LabelSchema:
        """The label schema, which the app holds (one per run)."""
        return cast(_AppWithSchema, self.app).schema

    def compose(self) -> ComposeResult:
        schema = self.schema
        with Horizontal(id="panes"):
            with Vertical(id="left"):
                yield (title := Static(id="list-title"))
                yield self._bar("search", covers=title)  # hidden: shown in the title's place
                yield ArticleList(self.model, self, id="list")
            with Vertical(id="right"):
                yield Static(id="head")
                yield ArticleText(schema, self, id="text")
                yield (info := Static(id="spaninfo"))
                yield self._bar("find", covers=info)  # hidden: shown in the span line's place
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
        self.status_bar.progress_word = self.session.PROGRESS_WORD
        for binding in tag_bindings(self.schema):  # tag keys come from the label schema
            self.text._bindings._add_binding(binding)
        start_view = self.session.START_VIEW
        self._show_first_page(start_view)
        start = self.session.next_to_do(0)
        if start is not None:
            self.open_article(start, focus=False)
            self.list.reload(cursor_id=start)
        else:
            self.text.show(None, [])
            self._update_head()
        self.list.focus()
        # After the first frame: on a million articles the id list takes 0.2 s of
        # Python, which would otherwise hold up the first screen.
        self.call_after_refresh(self._load_view, start_view)
        self._data_version = self.store.data_version()
        self.set_interval(CHANGES_POLL_SECONDS, self.poll_changes)

    # -- errors: one place ------------------------------------------------------------

    def attempt(self, call: Callable[[], T]) -> T | None:
        """``call()``, or None when the session raised: then the status bar says why."""
        try:
            return call()
        except AlreadyTagged as exc:
            self.app.bell()
            if self.status_bar.error:  # the span is saved, the change that failed is not
                self.status_bar.set_note(str(exc))
            else:
                self.status_bar.set_saved(clock(), str(exc))
        except Refused as exc:
            self.app.bell()
            self.status_bar.set_note(str(exc))
            if exc.redraw:  # the session read its spans again (changed in another session)
                self._draw_spans()
        except ArticleGone as exc:
            self.notify(str(exc), severity="error")
        except SessionError as exc:  # NotSaved: the database said no
            self._failed(exc)
            if exc.redraw:
                self._draw_spans()
        return None

    def _failed(self, exc: Exception) -> None:
        self.status_bar.set_error(str(exc))
        self.notify(f"not saved: {printable(str(exc))}", severity="error", markup=False)

    # -- changes made elsewhere ----------------------------------------------------

    def poll_changes(self) -> None:
        """Another connection committed (the same annotator in another session, a reviewer,
        an import): draw again what changed of the open article. When nothing changed, one
        PRAGMA and no more. Not while a dialog is over the screen: the dialog may be editing
        a span that is gone (saving it is then refused); the change is drawn once it closes."""
        try:
            if self.app.screen is not self:  # a dialog on top (or the app closing)
                return
            version = self.store.data_version()
            if version == self._data_version:
                return
            self._data_version = version
            synced = self.session.sync()
            done = self.session.done_count()  # an index read: any article may have been finished
        except Exception as exc:  # a failed look must not end the session: the next tick looks again
            self.log.warning(f"could not read changes: {exc}")
            return
        if done != self.status_bar.done:
            self.status_bar.set_progress(done, self.status_bar.total)
        if not synced:
            self.database_changed()
            return
        article_id = self.article_id
        if synced.spans:
            self.article_opened()  # review: the number of versions may have changed
            self._draw_spans()  # set_spans keeps the cursor and the selection
        if synced.status:
            self._update_head()
        if article_id is not None:
            self.list.refresh_article(article_id)

    # -- views, search ------------------------------------------------------------

    def _load_view(self, view: str) -> None:
        self._token += 1
        self._view_worker(view, self._token)

    @work(thread=True, exclusive=True, group="view")
    def _view_worker(self, view: str, token: int) -> None:
        with Store(self.store.path, check_same_thread=False) as store:
            ids = self.session.all_ids(store, view)
            done, total = self.session.progress_of(store)
        self.post_message(self.ViewLoaded(token, view, ids, done, total))

    def on_session_screen_view_loaded(self, message: ViewLoaded) -> None:
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

    def on_session_screen_search_done(self, message: SearchDone) -> None:
        if message.token != self._token:
            return
        self.model.set_ids(message.ids, query=message.query, ranked=True)
        self.list.cursor = 0
        self.list.reload()
        self.list.focus()
        self._update_list_title()
        cast(OrderedKeys, self.app).release_keys(self.SearchDone)

    def _update_list_title(self) -> None:
        m = self.model
        if m.query is not None:
            title = Text(f" search: {printable(m.query)}", no_wrap=True, overflow="ellipsis")
            title.append(f"  {len(m)} hit{'s' if len(m) != 1 else ''}  esc: back", Style(dim=True))
        else:
            count = f"{len(m):,}" if m.complete else f"{len(m):,}+"
            name = self.session.VIEW_TITLES[m.view]
            if m.view == "todo" and self.store.has_assignments(self.annotator):
                name = "to do: yours"  # newsmark assign: theirs and the unassigned, not others'
            title = Text(f" {name} ({count})", no_wrap=True, overflow="ellipsis")
            title.append("  t: view  /: search", Style(dim=True))
        self.query_one("#list-title", Static).update(title, layout=False)

    def cycle_view(self) -> None:
        views = self.session.LIST_VIEWS
        current = self.model.view if self.model.view in views else views[0]
        view = views[(views.index(current) + 1) % len(views)]
        self.show_view(view)

    def show_view(self, view: str) -> None:
        if view not in self.session.VIEW_TITLES:
            raise ValueError(view)
        self.list.cursor = 0
        self._show_first_page(view)
        self._load_view(view)

    def _show_first_page(self, view: str) -> None:
        """Show the first ids of ``view`` at once; the whole view comes from a worker
        (ViewLoaded), so the screen never waits for a million ids."""
        first = self.session.first_ids(view, FIRST_PAGE)
        self.model.set_ids(first, view=view, complete=len(first) < FIRST_PAGE)
        self.list.reload(cursor_id=self.article_id)
        self._update_list_title()

    def _bar(self, bar_id: str, covers: Widget) -> LineBar:
        """The search or find bar, composed hidden with the screen: shown, it takes the row
        of ``covers`` and moves nothing else (mounted on first use, it repainted the pane)."""
        search = bar_id == "search"
        return LineBar(
            BARS[bar_id],
            covers=covers,
            on_submit=self._run_search if search else self._run_find,
            on_cancel=lambda: self.set_focus(self.list if search else self.text),
            id=bar_id,
        )

    def _show_bar(self, bar_id: str) -> None:
        """Show the search or find bar, with the focus: the next key typed goes to it."""
        self.query_one(f"#{bar_id}", LineBar).open()

    def show_search(self) -> None:
        self._show_bar("search")

    def _run_search(self, query: str) -> None:
        self.set_focus(self.list)  # at once (Widget.focus waits a turn, and repaints it all)
        query = query.strip()
        if query:
            self._token += 1
            # Keys typed after enter act on the hits, as they would have been typed slowly.
            cast(OrderedKeys, self.app).hold_keys(self.SearchDone)
            self._search_worker(query, self._token)

    # -- find in the article --------------------------------------------------------

    def show_find(self) -> None:
        self._show_bar("find")

    def _run_find(self, query: str) -> None:
        self.set_focus(self.text)
        found = self.text.find(query)
        if query and not found:
            self.notify(
                f"not found in this article: {printable(query)}", severity="warning", timeout=3, markup=False
            )

    # -- opening articles ---------------------------------------------------------

    def open_article(self, article_id: int, *, focus: bool = True, cursor: int = 0) -> None:
        opened = self.attempt(lambda: self.session.open(article_id))
        if opened is None:
            return
        if opened.failed is not None:
            self._failed(opened.failed)
        self.article_opened()
        self.text.show(opened.article, self.session.spans, cursor=cursor)
        self.list.set_open(article_id)
        index = self.model.index_of(article_id)
        if index is not None:
            self.list.cursor = index
        self._update_head()
        if focus:
            self.set_focus(self.text)  # at once: the next key typed goes to the text
        self.redraw_extras()

    def _update_head(self) -> None:
        head = Text(no_wrap=True, overflow="ellipsis")
        article = self.text.article
        if article is None:
            head.append("No article open", Style(bold=True))
        else:
            head.append(printable(article.title or "(untitled)"), Style(bold=True))
            meta = " · ".join(
                printable(x) for x in (article.source, (article.published or "")[:10], article.byline) if x
            )
            status = self.store.status(article.id, self.annotator)
            head.append("\n")
            note = self.head_note()
            if note is not None:  # first: the metadata may be cut at the right edge
                head.append(note)
                head.append(f"  [{status.value.replace('_', ' ')}]  ", Style(dim=True))
            where = printable((article.origin or "").rsplit("/", 1)[-1])  # no metadata: at least the file
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
        self.status_bar.set_saved(clock(), note)
        self.list.refresh_article(article_id)
        self.post_message(self.Saved(what, article_id))

    def _draw_spans(self) -> None:
        """The session's spans again, all rows (after an edit, or a failure)."""
        self.text.set_spans(self.session.spans)
        self.redraw_extras()

    def draw_change(self, change: Change) -> None:
        """A saved change: repaint its range, say what it was."""
        self.text.set_spans(self.session.spans, changed=change.changed)
        if change.status_changed:
            self._update_head()
        self.redraw_extras()
        self._saved(change.what, change.article_id, change.note)

    def tag(self, start: int, end: int, label: str) -> Span | None:
        """Save a span (already snapped to tokens), then draw it."""
        change = self.attempt(lambda: self.session.tag(start, end, label))
        if change is None:
            return None
        self.draw_change(change)
        return change.span

    def delete_span(self, span: Span) -> None:
        change = self.attempt(lambda: self.session.delete(span))
        if change is not None:
            self.draw_change(change)

    def edit_span(self, span: Span) -> None:
        if self.attempt(lambda: self.session.check_editable(span)) is None:
            return
        from tui.screens.edit_span import EditSpanScreen

        def done(result: tuple[str, dict[str, Any]] | None) -> None:
            if result is not None:
                self.save_span_edit(span, *result)

        self.app.push_screen(EditSpanScreen(self.schema, span), done)

    def save_span_edit(self, span: Span, label: str, attributes: dict[str, Any]) -> None:
        """Save what the edit dialog gave back for ``span``."""
        change = self.attempt(lambda: self.session.edit(span, label, attributes))
        if change is not None:
            self.draw_change(change)

    def show_spans_at_cursor(self, spans: Sequence[Span]) -> None:
        """The line under the text: every span at the cursor, with its attributes."""
        info = Text(no_wrap=True, overflow="ellipsis")
        schema = self.schema
        for i, span in enumerate(spans):
            if i:
                info.append("  ")
            label = schema.get(span.label)
            style = (
                Style(underline=True)
                if self.app.no_color or label is None
                else Style(color="black", bgcolor=label.colour)
            )
            info.append(printable(span.label), style)
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
        change = self.attempt(lambda: self.session.set_status(article_id, Status(status)))
        if change is None:
            return
        if change.warning:
            self.notify(change.warning, timeout=4, markup=False)
        self._saved(change.status.value, article_id)
        self._refresh_progress()
        if change.following is None:
            self._update_head()
            self.notify("Nothing left to do in this database.", timeout=4)
            return
        self.open_article(change.following, focus=self.text.has_focus or self.article_id == article_id)

    def _refresh_progress(self) -> None:
        # The total comes from the view worker: counting a million articles takes
        # 10 ms, the annotator's done articles (an index) a tenth of a millisecond.
        self.status_bar.set_progress(self.session.done_count(), self.status_bar.total)

    def _replay(self, step: Callable[[], Replay]) -> None:
        replay = self.attempt(step)
        if replay is None:
            return
        edit = replay.edit
        if not replay.same_article:
            self.open_article(edit.article_id, focus=self.text.has_focus, cursor=replay.cursor)
        elif replay.changed is not None:
            self.text.set_spans(self.session.spans, changed=replay.changed)
            self.text.move_to(replay.cursor)
        self.list.refresh_article(edit.article_id)
        if edit.kind == "set_status":
            self._update_head()
            self._refresh_progress()
        if replay.same_article:
            self.redraw_extras()
        self.status_bar.set_saved(clock(), replay.note)
        self.post_message(self.Saved(replay.verb, edit.article_id))

    def action_undo(self) -> None:
        self._replay(self.session.undo)

    def action_redo(self) -> None:
        self._replay(self.session.redo)

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen())

    async def action_quit(self) -> None:
        self.app.exit()
