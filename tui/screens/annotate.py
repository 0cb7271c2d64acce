"""The annotator's screen: article list | article text, status bar, footer.

All of it is the shared :class:`~tui.screens.session_screen.SessionScreen`
drawing an :class:`~annotations.session.AnnotateSession`: the session holds the
open article and makes every change through the store; the screen draws it.
The suggestion keys and the in-place attribute edits live in
:class:`~tui.screens.suggestions.SuggestionsMixin` (the annotate screen only:
review keeps its own ``a``/``r``).
"""

from __future__ import annotations

from annotations.session import AnnotateSession
from annotations.storage import Store
from tui.keymap import bindings
from tui.screens.session_screen import SessionScreen
from tui.screens.suggestions import SuggestionsMixin


class AnnotateScreen(SuggestionsMixin, SessionScreen):
    """One annotator's list of articles and the open article."""

    # The shared keys too, so the class lists every key it has (tests/test_keymap.py reads it).
    BINDINGS = [*SessionScreen.BINDINGS, *bindings("suggest")]

    def __init__(self, store: Store, annotator: str, *, suggest: bool = True) -> None:
        self.annotate_session = AnnotateSession(store, annotator, suggest=suggest)
        super().__init__(self.annotate_session)
