"""What a session says when it does not do what was asked.

Every session method either returns a result or raises one of these; the
screen catches :class:`SessionError` in one place and puts the message in the
status bar, so no refusal or failure passes unseen.
"""

from __future__ import annotations


class SessionError(Exception):
    """A change that did not happen; ``str(error)`` is the message to show.

    ``redraw``: the session reloaded its spans from the store after the failure,
    so the screen should draw them again.
    """

    def __init__(self, message: str, *, redraw: bool = False) -> None:
        super().__init__(message)
        self.redraw = redraw


class Refused(SessionError):
    """Nothing to act on (nothing to undo, no span under the cursor): a bell and a note."""


class AlreadyTagged(Refused):
    """The same span (offsets and label) is already there: nothing to save."""


class NotYours(Refused):
    """In review: the span is an annotator's, not the reviewer's own."""


class ArticleGone(SessionError):
    """The article asked for is no longer in the database."""


class NotSaved(SessionError):
    """The store refused or failed a write: what is saved stays as it was."""
