"""Deterministic databases for the TUI snapshot, Pilot and end-to-end tests, and the one
Pilot harness (:func:`running`) the Pilot tests start the app with.

Lives directly in tests/ (not in a ``tests/tui/`` package): tests/ is on
sys.path while pytest runs, and a ``tests/tui`` package would shadow the app's
own ``tui`` package.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from textual.message import Message
from textual.pilot import Pilot

from annotations.cleaning import CLEANER_VERSION
from annotations.importing import import_paths
from annotations.model import NewArticle, Span, Status, Suggestion
from annotations.storage import Store
from tests.conftest import SAMPLE_CORPUS
from tui.app import NewsmarkApp
from tui.screens.session_screen import SessionScreen
from tui.widgets.article_list import ArticleList
from tui.widgets.article_text import ArticleText

# The sample article the app opens first (the first "to do" one, id 1).
FIRST_TITLE = "Turkey Says Syrian Air Strikes Kill Two Turkish Soldiers Near Idlib"

# Title and text that a careless renderer would parse as Rich markup or send
# to the terminal as an escape sequence (which turns the rest of the line red).
MARKUP_TITLE = "[bold red]Alert[/] rebels [/] seize [link=http://x]town[/link]"
MARKUP_TEXT = (
    "[bold red]Alert[/] Rebels said [/] they took the town.\n\n"
    "Before\x1b[31mAFTER the escape, and \x1b]0;pwned\x07 a title change.\n\n"
    "[i]not italic[/i] and [@click=app.quit]not a link[/]."
)


def markup_article() -> NewArticle:
    raw = MARKUP_TITLE + "\n\n" + MARKUP_TEXT
    return NewArticle(
        content_hash=hashlib.sha256(raw.encode("utf-8")).hexdigest(),
        raw_format="text",
        raw_text=raw,
        clean_text=MARKUP_TEXT,
        cleaner_version=CLEANER_VERSION,
        title=MARKUP_TITLE,
        source="[dim]wire[/dim]",
        origin="test:markup",
    )


def build_db(path: Path, *, markup_first: bool = False) -> Path:
    """The sample corpus in a new database at ``path`` (26 articles, ids in import order).

    ``markup_first``: store :func:`markup_article` first, so it is article 1 and
    the one the app opens at start.
    """
    with Store(path) as store:
        if markup_first:
            store.add_article(markup_article())
        report = import_paths(store, [str(SAMPLE_CORPUS)], fetch=False, suggest=False)
        assert report.added >= 20, report
    return path


def span_at(text: str, phrase: str, nth: int = 0) -> tuple[int, int]:
    """Offsets of the ``nth`` occurrence of ``phrase`` in ``text``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(phrase, start + 1)
    return start, start + len(phrase)


def add_demo_spans(path: Path, annotator: str, article_id: int = 1) -> None:
    """Spans of all three labels on the first sample article, two of them overlapping.

    "Turkish military" (ACTOR) lies inside "Turkish military fatalities" (CASUALTY).
    """
    with Store(path) as store:
        article = store.article(article_id)
        assert article is not None and article.title == FIRST_TITLE, article
        text = article.clean_text
        plan = [
            ("Turkey", "ACTOR", {"actor_type": "state_forces"}),
            ("two of its soldiers were killed", "CASUALTY", {"kind": "killed", "count": 2}),
            ("northwest Syria", "LOCATION", {}),
            ("Turkish military fatalities", "CASUALTY", {"kind": "killed", "count": 15}),
            ("Turkish military", "ACTOR", {}),
            ("Idlib region", "LOCATION", {}),
        ]
        for phrase, label, attributes in plan:
            start, end = span_at(text, phrase)
            store.add_span(article_id, annotator, start, end, label, attributes)


# Review fixture: alice and bob both finished article 1 and disagree on it.
#   agreed:    "Turkey" ACTOR, "northwest Syria" LOCATION
#   region 1:  alice "Syrian government air strikes" ACTOR, bob "Syrian government" ACTOR
#   region 2:  bob "Turkish military fatalities" CASUALTY, alice nothing
REVIEW_PLAN = {
    "alice": [
        ("Turkey", "ACTOR"),
        ("northwest Syria", "LOCATION"),
        ("Syrian government air strikes", "ACTOR"),
    ],
    "bob": [
        ("Turkey", "ACTOR"),
        ("northwest Syria", "LOCATION"),
        ("Syrian government", "ACTOR"),
        ("Turkish military fatalities", "CASUALTY"),
    ],
}


def add_review_work(path: Path, article_id: int = 1, plan: dict | None = None) -> None:
    """Two annotators' finished, differing work on the first sample article."""
    with Store(path) as store:
        text = store.article(article_id).clean_text
        for annotator, spans in (plan or REVIEW_PLAN).items():
            for phrase, label in spans:
                start, end = span_at(text, phrase)
                store.add_span(article_id, annotator, start, end, label)
            store.set_status(article_id, annotator, Status.DONE)


# -- the Pilot harness: every TUI test file starts the app through this ----------------------


def screen_output(app: NewsmarkApp) -> tuple[str, str]:
    """(plain text, terminal output) of the whole screen, as the driver would write it."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    console.print(update)
    return console.export_text(styles=False, clear=False), console.file.getvalue()


SIZE = (100, 30)


class Run:
    """A running app (``NewsmarkApp.run_test``), its pilot, and the ``Saved`` messages it posted."""

    def __init__(self, app: NewsmarkApp, pilot: Pilot[None], saved: list[SessionScreen.Saved]) -> None:
        self.app, self.pilot, self.saved = app, pilot, saved

    @property
    def screen(self) -> SessionScreen:
        """The annotate (or review) screen, also while a dialog is on top of it."""
        return next(s for s in self.app.screen_stack if isinstance(s, SessionScreen))

    @property
    def text(self) -> ArticleText:
        return self.screen.query_one(ArticleText)

    @property
    def list(self) -> ArticleList:
        return self.screen.query_one(ArticleList)

    async def press(self, *keys: str) -> None:
        await self.pilot.press(*keys)
        await self.pilot.pause()

    def stored_spans(self, article_id: int, who: str) -> list[Span]:
        """What the database holds (read on a connection of its own)."""
        with Store(self.app.db_path) as store:
            return store.spans(article_id, who)

    def info(self) -> str:
        """The span line under the text, as shown."""
        return str(self.screen.query_one("#spaninfo").render())


@asynccontextmanager
async def running(
    db: Path, who: str, *, size: tuple[int, int] = SIZE, notifications: bool = False, **kwargs: Any
) -> AsyncIterator[Run]:
    """``async with running(db, "ana") as run:`` the real app on ``db``, first screen drawn and
    the view's id list (a worker) loaded. ``notifications``: toasts drawn (Textual's tests
    leave them out). ``kwargs`` go to :class:`NewsmarkApp`."""
    saved: list[SessionScreen.Saved] = []

    def hook(message: Message) -> None:
        # the hook sees a message at every node it bubbles through: keep it once
        if isinstance(message, SessionScreen.Saved) and not any(m is message for m in saved):
            saved.append(message)

    app = NewsmarkApp(db, who, **kwargs)
    async with app.run_test(size=size, notifications=notifications, message_hook=hook) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        yield Run(app, pilot, saved)


def add_suggestions(
    path: Path, phrases: list[tuple[str, str]], article_id: int = 1, origin: str = "test.rule"
) -> list[tuple[int, int]]:
    """Store suggestions (phrase, label) on the article, as ``newsmark suggest`` would; their offsets."""
    with Store(path) as store:
        article = store.article(article_id)
        assert article is not None
        where = [span_at(article.clean_text, phrase) for phrase, _ in phrases]
        store.set_suggestions(
            article_id,
            [
                Suggestion(s, e, label, article.clean_text[s:e], origin)
                for (s, e), (_, label) in zip(where, phrases, strict=True)
            ],
            "test",
        )
    return where
