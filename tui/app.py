"""The newsmark Textual app: one annotator, one database, one label schema."""

from __future__ import annotations

import gc
import getpass
import os
from collections.abc import Mapping
from pathlib import Path

from textual.app import App
from textual.filter import NoColor
from textual.notifications import SeverityLevel
from textual.screen import Screen

from annotations.labels import LabelSchema, default_schema
from annotations.printable import printable
from annotations.storage import Store
from tui.commands import ActionCommands
from tui.screens.annotate import AnnotateScreen
from tui.typeahead import OrderedKeys

ANNOTATOR_ENV = "NEWSMARK_ANNOTATOR"
THEME_ENV = "NEWSMARK_THEME"
THEMES = {"dark": "textual-dark", "light": "textual-light"}


def colourless(environ: Mapping[str, str]) -> bool:
    """No colour at all: ``NO_COLOR`` is set (no-color.org; Textual's own test, any value), or
    the terminal says it has none (``TERM=dumb``; Textual would send it 24-bit colour)."""
    return "NO_COLOR" in environ or environ.get("TERM", "").lower() in ("dumb", "unknown")


def annotator_name(given: str | None) -> str:
    """``--annotator``, else ``$NEWSMARK_ANNOTATOR``, else the login name."""
    if given:
        return given
    if os.environ.get(ANNOTATOR_ENV):
        return os.environ[ANNOTATOR_ENV]
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers): still usable
        return "annotator"


SUGGESTIONS_ENV = "NEWSMARK_SUGGESTIONS"


def suggestions_wanted(environ: Mapping[str, str]) -> bool:
    """``$NEWSMARK_SUGGESTIONS=off`` (or 0, no, false) turns suggestions off for the run."""
    return environ.get(SUGGESTIONS_ENV, "").strip().lower() not in ("off", "0", "no", "false")


class NewsmarkApp(OrderedKeys):
    """Keyboard-first span annotation over SSH."""

    TITLE = "newsmark"
    COMMANDS = App.COMMANDS | {ActionCommands}
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self,
        db: str | os.PathLike[str],
        annotator: str,
        schema: LabelSchema | None = None,
        keymap: dict[str, str] | None = None,
        theme: str | None = None,
        review: tuple[str, ...] | None = None,
        suggest: bool | None = None,
    ) -> None:
        """``review``: open the review screen over these annotators' work (empty: everyone
        but ``annotator``, who is the reviewer); None: the annotator's screen. ``suggest``:
        draw the rules' suggestions (None: unless ``$NEWSMARK_SUGGESTIONS=off``)."""
        no_colour = colourless(os.environ)
        # ansi_color=True: Textual's NO_COLOR filter is then NoColor (every colour the terminal's
        # default, bold, reverse and underline kept), not Monochrome (greys, sent as 24-bit colour).
        super().__init__(ansi_color=True if no_colour else None)
        if no_colour and not self.no_color:  # TERM=dumb: Textual itself looks only at NO_COLOR
            self.no_color = True  # the widgets draw labels with text attributes instead (text_render)
            self._filters.append(NoColor())  # Textual's own NO_COLOR filter; no public way to add it
        self.db_path = Path(db)
        self.annotator = annotator
        self.schema = schema or default_schema()
        self.user_keymap = dict(keymap or {})
        self._theme_name = THEMES.get(theme or os.environ.get(THEME_ENV, ""), theme)
        self.store: Store | None = None
        self.review = review
        self.suggest = suggestions_wanted(os.environ) if suggest is None else suggest
        self.collector_paused = False  # set by run(): the collector waits for the first frame

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast (from any widget or screen) made :func:`printable` and never read as
        markup: messages quote outside text (titles, paths, names, error text)."""
        super().notify(
            printable(message), title=printable(title), severity=severity, timeout=timeout, markup=False
        )

    def get_default_screen(self) -> Screen:
        """The annotate (or review) screen is the app's first screen, not one pushed from
        ``on_mount``. A screen pushed there is composed, laid out and rendered while Textual
        still holds its start-up ``batch_update``, so that first full render (30 ms) is
        thrown away and the screen reaches the terminal in pieces, 40-60 ms later. The
        default screen is composed once the batch is over, and its first layout is drawn
        at once, whole."""
        if self._theme_name:
            self.theme = self._theme_name
        if self.user_keymap:
            self.set_keymap(self.user_keymap)
        # Annotations must be on disk once drawn: synchronous=FULL (see Store).
        self.store = Store(self.db_path, durable=True)
        if self.review is not None:
            from tui.screens.review import ReviewScreen

            return ReviewScreen(self.store, self.annotator, self.review)
        return AnnotateScreen(self.store, self.annotator, suggest=self.suggest)

    def on_ready(self) -> None:
        """The first frame is on the screen (Textual's ``Ready``): the collector may run."""
        if self.collector_paused:
            self.collector_paused = False
            gc.enable()

    def on_unmount(self) -> None:
        if self.store is not None:
            self.store.close()


def run(app: NewsmarkApp) -> None:
    """Run ``app`` as what this process is for (the ``annotate`` and ``review`` commands).

    ``gc.freeze()`` first: the modules, classes and functions imported by now live as long as
    the process, and left in the collector's care they make its first full collection, due in
    the middle of the first frame, take 14 ms. Frozen, it walks only what the app makes after.
    Then the collector waits for the first frame (``on_ready``): up to it, the app makes some
    50,000 objects that are nearly all kept, and collecting them as they come costs 4 ms.
    (Not in ``NewsmarkApp``: a test process runs many apps and must not freeze their garbage.)
    """
    gc.freeze()
    gc.disable()
    app.collector_paused = True
    try:
        app.run()
    finally:
        gc.enable()
