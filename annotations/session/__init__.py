"""Annotating and reviewing as plain objects: what the screens draw, tested without a terminal.

:class:`AnnotateSession` (one annotator) and :class:`ReviewSession` (a reviewer
over the annotators' work) hold the open article and its spans and make every
change through the store; they return what changed and raise a
:class:`SessionError` with the words to show when nothing was done.
"""

from annotations.session.annotate import AnnotateSession, Change, Opened, Replay, StatusChange
from annotations.session.errors import (
    AlreadyTagged,
    ArticleGone,
    NotSaved,
    NotYours,
    Refused,
    SessionError,
)
from annotations.session.review import Jump, ReviewSession

__all__ = [
    "AlreadyTagged",
    "AnnotateSession",
    "ArticleGone",
    "Change",
    "Jump",
    "NotSaved",
    "NotYours",
    "Opened",
    "Refused",
    "Replay",
    "ReviewSession",
    "SessionError",
    "StatusChange",
]
