"""The data model in one place: what readers produce, what the store keeps.

Every other module speaks in these types; the SQL schema that stores them is in
:mod:`annotations.storage.sqlite.migrations`.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

RawFormat = Literal["text", "html"]


class Status(str, enum.Enum):
    """Where one annotator stands with one article."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    SKIPPED = "skipped"
    FLAGGED = "flagged"
    REVIEWED = "reviewed"  # a reviewer's settled annotation (newsmark review)


@dataclass(slots=True)
class Document:
    """One article as a reader found it, before cleaning.

    ``content`` is the raw page (plain text or HTML, per ``format``); the other
    fields are metadata the input itself gave (JSONL keys, feed fields). The
    cleaner may fill in what is missing (title, byline, date, site name).
    """

    content: str
    format: RawFormat
    origin: str  # where it came from: a path, "path:line" for JSONL, a feed entry link
    group: str  # the corpus it belongs to, for repeated-line boilerplate (a source or a folder)
    title: str | None = None
    byline: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None
    external_id: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NewArticle:
    """An article ready to store: cleaned, hashed, with its metadata."""

    content_hash: str
    raw_format: RawFormat
    raw_text: str
    clean_text: str
    cleaner_version: str
    title: str | None = None
    byline: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None
    external_id: str | None = None
    origin: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Article:
    """A stored article: raw and cleaned text plus metadata."""

    id: int
    content_hash: str
    title: str | None
    byline: str | None
    source: str | None
    url: str | None
    published: str | None
    external_id: str | None
    raw_format: RawFormat
    origin: str | None
    cleaner_version: str
    imported_at: str
    meta: dict[str, Any]
    clean_text: str
    raw_text: str


@dataclass(frozen=True, slots=True)
class ArticleRow:
    """The few columns the article list shows: cheap to page through."""

    id: int
    title: str | None
    source: str | None
    published: str | None


@dataclass(frozen=True, slots=True)
class Span:
    """A labelled span: ``clean_text[start:end]`` of one article, by one annotator."""

    id: int
    article_id: int
    annotator: str
    start: int
    end: int
    label: str
    text: str
    attributes: dict[str, Any]
    created_at: str
    updated_at: str
    origin: str | None = None  # the suggestion rule it was accepted from (None: made by hand)


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A span the rules expect (``newsmark suggest``): stored apart from everyone's spans,
    and nobody's work until an annotator accepts it (which makes a :class:`Span`).

    ``origin`` names the rule that made it (``"location.gazetteer"``), so that a
    reviewer, ``stats`` and the benchmark can tell the rules apart.
    """

    start: int
    end: int
    label: str
    text: str
    origin: str
    attributes: Mapping[str, Any] = field(default_factory=dict)
    id: int = 0  # its row in the store (0: not stored)
    article_id: int = 0


EditKind = Literal["add_span", "delete_span", "update_span", "set_status", "decide", "answer"]


@dataclass(frozen=True, slots=True)
class Edit:
    """One entry of an annotator's undo log.

    ``before``/``after`` hold the span as a dict (``id``, ``article_id``,
    ``start``, ``end``, ``label``, ``text``, ``attributes``, ``created_at``,
    ``updated_at``) or, for ``set_status``, ``{"status": ...}`` (``None`` status:
    the article had no status row). ``article_id`` and the span ``start`` let
    the app show the article and place the cursor where an undo happened.
    """

    id: int
    annotator: str
    article_id: int
    kind: EditKind
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    undone: bool
    created_at: str


@dataclass(frozen=True, slots=True)
class SpanData:
    """A span as it travels in and out of files: no ids, no timestamps."""

    start: int
    end: int
    label: str
    text: str
    attributes: Mapping[str, Any] = field(default_factory=dict)


# Attributes in a form that compares, hashes and sorts: (name, value as JSON) pairs by name.
AttributeKey = tuple[tuple[str, str], ...]


def attribute_key(attributes: Mapping[str, Any]) -> AttributeKey:
    """The attributes that are set, as an :data:`AttributeKey`, for comparing spans.

    ``None`` counts as unset (exports write every key, ``null`` where unset), so
    ``{"kind": None}`` and ``{}`` are the same. Values go through JSON so that any
    value (from an imported file too) compares and sorts: ``2`` and ``"2"`` differ.
    """
    return tuple(
        sorted(
            (name, json.dumps(value, ensure_ascii=False, sort_keys=True))
            for name, value in attributes.items()
            if value is not None
        )
    )


@dataclass(slots=True)
class Annotation:
    """One annotator's work on one article: what export writes and import reads back.

    ``updated_at`` is the newest change among the status and the spans (ISO
    8601, UTC). ``article_id`` is the article's id in the database it came
    from; import keeps it when that id is free.
    """

    article_id: int | None
    text: str
    annotator: str
    status: Status
    updated_at: str
    spans: list[SpanData]
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None
    # The file is newsmark's own export, which writes every attribute, unset ones too: the
    # import keeps them as written (never fills in a CASUALTY's), so export -> import ->
    # export gives the same bytes.
    attributes_as_written: bool = False


# The article list's filters, per annotator. "todo": no status yet, new or in progress.
VIEWS = ("all", "todo", "done", "flagged", "skipped", "reviewed")


@dataclass(frozen=True, slots=True)
class ListRow:
    """One line of the article list for one annotator: metadata, status, span count."""

    id: int
    title: str | None
    source: str | None
    published: str | None
    status: Status
    spans: int


@dataclass(frozen=True, slots=True)
class Problem:
    """Bad input that was skipped: names the file (and line) and says why."""

    origin: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.origin}:{self.line}" if self.line is not None else self.origin
        return f"{where}: {self.reason}"
