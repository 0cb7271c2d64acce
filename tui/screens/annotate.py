"""The annotator's screen: article list | article text, status bar, footer.

All of it is the shared :class:`~tui.screens.session_screen.SessionScreen`
drawing an :class:`~annotations.session.AnnotateSession`: the session holds the
open article and makes every change through the store; the screen draws it.
"""

from __future__ import annotations

from annotations.session import AnnotateSession
from annotations.storage import Store
from tui.screens.session_screen import SessionScreen


class AnnotateScreen(SessionScreen):
    """One annotator's list of articles and the open article."""

    def __init__(self, store: Store, annotator: str) -> None:
        super().__init__(AnnotateSession(store, annotator))
