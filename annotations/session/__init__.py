"""Annotating and reviewing as plain objects: what the screens draw, tested without a terminal.

:class:`AnnotateSession` (one annotator) and :class:`ReviewSession` (a reviewer
over the annotators' work) hold the open article and its spans and make every
change through the store; they return what changed and raise a
:class:`SessionError` with the words to show when nothing was done.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from annotations.session.annotate import AnnotateSession, Change, Opened, Replay, StatusChange, Synced
from annotations.session.errors import (
    AlreadyTagged,
    ArticleGone,
    NotSaved,
    NotYours,
    Refused,
    SessionError,
)

if TYPE_CHECKING:
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
    "Synced",
]


def __getattr__(name: str) -> Any:
    """``Jump`` and ``ReviewSession`` on first use: the annotator's start-up needs no review code."""
    if name in ("Jump", "ReviewSession"):
        from annotations.session import review

        return getattr(review, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
