"""What the store hands back: named results instead of bare tuples.

NamedTuples, so that callers that unpack them (``outcome, article_id = ...``)
or compare them with plain tuples keep working, while new code reads fields by
name. Backend-neutral: every storage backend returns these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Generic, NamedTuple, TypeVar

from annotations.model import Edit, RawFormat

# What happened to an article handed to Store.add_article.
ADDED, DUPLICATE, RECLEANED, KEPT_ANNOTATED = "added", "duplicate", "recleaned", "kept"

REVIEW_VIEWS = ("review", "reviewed", "all")  # a reviewer's list: to review, reviewed, all


def stamp(moment: datetime) -> str:
    """A time as the store keeps it: ISO 8601 in UTC, milliseconds, ``Z`` (sorts as text)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now() -> str:
    return stamp(datetime.now(UTC))


class UndoConflict(Exception):
    """An undo or redo refused: another session has changed what ``edit`` changed, since.

    The entry has left the undo log (it can no longer be stepped over safely).
    """

    def __init__(self, edit: Edit, *, undo: bool) -> None:
        verb = "undo" if undo else "redo"
        super().__init__(f"cannot {verb} edit {edit.id}: changed in another session since")
        self.edit = edit
        self.undo = undo


class AddResult(NamedTuple):
    """What :meth:`Store.add_article` did (one of ADDED, DUPLICATE, ...) and to which article."""

    outcome: str
    article_id: int


T = TypeVar("T")
R = TypeVar("R")


class Batch(NamedTuple, Generic[T, R]):
    """One short transaction of a long write (see :meth:`Store.add_articles`).

    ``results``: what writing each item gave, committed. On a database error
    the whole transaction is rolled back: ``results`` is empty, ``failed`` holds
    the items it held (none of them saved) and ``error`` the error.
    """

    results: list[R]
    failed: list[T]
    error: Exception | None = None


class RecleanRow(NamedTuple):
    """An article cleaned by another cleaner version, with what it takes to clean it again."""

    id: int
    raw_format: RawFormat
    raw_text: str
    source: str | None


class SourceLineCounts(NamedTuple):
    """Articles seen from a source, and line -> how many of them contain it."""

    articles: int
    lines: dict[str, int]


class ExportKey(NamedTuple):
    """One annotator's work on one article, as export chooses it before reading it."""

    article_id: int
    annotator_id: int
    annotator: str
    status: str
    time: str  # the status time ('' without a status)


class ReviewedKeys(NamedTuple):
    """The keys of a reviewed export, and how many articles were left out, and why."""

    keys: list[ExportKey]
    disagree: int  # several annotators finished the article and differ
    unfinished: int  # several annotators' unfinished work differs


class Extent(NamedTuple):
    """A stretch of an article's text: where a settled disagreement lies."""

    start: int
    end: int


class ImportResult(NamedTuple):
    """What :meth:`Store.import_annotation` did."""

    article_id: int
    added: int  # spans added
    present: int  # spans already there


class Progress(NamedTuple):
    done: int  # articles this annotator marked done
    total: int  # all articles


class AssignmentCount(NamedTuple):
    assigned: int  # articles assigned to the annotator
    finished: int  # of those, finished by them


@dataclass(frozen=True, slots=True)
class Stats:
    articles: int
    sources: int
    statuses: dict[str, dict[str, int]]  # annotator -> status -> count
    labels: dict[str, dict[str, int]]  # annotator -> label -> count
    clitic_ends: dict[str, int] = field(default_factory=dict)  # annotator -> spans ending in "'s"
    # Priming: annotator -> label -> their spans accepted from suggestions (spans.origin set)
    from_suggestions: dict[str, dict[str, int]] = field(default_factory=dict)
    rejected: dict[str, int] = field(default_factory=dict)  # annotator -> suggestions they rejected
    suggestions: dict[str, int] = field(default_factory=dict)  # label -> suggestions in the corpus
