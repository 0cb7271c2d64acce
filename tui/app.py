"""The newsmark Textual app: one annotator, one database, one label schema."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from textual.app import App

from annotations.labels import LabelSchema, default_schema
from annotations.storage import Store
from tui.commands import ActionCommands
from tui.screens.annotate import AnnotateScreen

ANNOTATOR_ENV = "NEWSMARK_ANNOTATOR"
THEME_ENV = "NEWSMARK_THEME"
THEMES = {"dark": "textual-dark", "light": "textual-light"}


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


class NewsmarkApp(App[None]):
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
    ) -> None:
        """``review``: open the review screen over these annotators' work (empty: everyone
        but ``annotator``, who is the reviewer); None: the annotator's screen."""
        super().__init__()
        self.db_path = Path(db)
        self.annotator = annotator
        self.schema = schema or default_schema()
        self.user_keymap = dict(keymap or {})
        self._theme_name = THEMES.get(theme or os.environ.get(THEME_ENV, ""), theme)
        self.store: Store | None = None
        self.review = review

    def on_mount(self) -> None:
        if self._theme_name:
            self.theme = self._theme_name
        if self.user_keymap:
            self.set_keymap(self.user_keymap)
        # Annotations must be on disk once drawn: synchronous=FULL (see Store).
        self.store = Store(self.db_path, durable=True)
        if self.review is not None:
            from tui.screens.review import ReviewScreen

            self.push_screen(ReviewScreen(self.store, self.annotator, self.review))
        else:
            self.push_screen(AnnotateScreen(self.store, self.annotator))

    def on_unmount(self) -> None:
        if self.store is not None:
            self.store.close()
