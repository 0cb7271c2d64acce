"""The SQLite :class:`Store`: one facade over the repositories that hold the SQL.

Everything that reads or writes the database goes through :class:`Store`: the
CLI, the importer and the Textual app alike. It opens the file (see
:mod:`.connection`), and hands each call to the repository that owns that part
of the schema: articles, annotations with their undo log, review,
assignments, the list, export. Callers never see the repositories, so they can
be split further, or a second backend put behind the same methods, without a
change outside ``annotations/storage``.

Why raw SQL for writes, not sqlite-utils' ``insert``: sqlite-utils wraps each
call in ``with conn:``, which commits whatever transaction is open. An import
must put a whole file in *one* transaction, so writes go through
:meth:`Store.transaction`. sqlite-utils (``Store.db``) is still the handle for
introspection and ad-hoc queries.
"""

from __future__ import annotations

import os
import sqlite3
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotations.model import (
    Annotation,
    Article,
    ArticleRow,
    Edit,
    ListRow,
    NewArticle,
    Span,
    SpanData,
    Status,
    Suggestion,
)
from annotations.storage.sqlite.annotations import Annotations
from annotations.storage.sqlite.annotators import Annotators
from annotations.storage.sqlite.articles import Articles
from annotations.storage.sqlite.assignments import Assignments
from annotations.storage.sqlite.connection import Database, resolve_db_path
from annotations.storage.sqlite.exporting import Exporting, SpanVersions
from annotations.storage.sqlite.listing import Listing
from annotations.storage.sqlite.review import Reviews
from annotations.storage.sqlite.stats import stats
from annotations.storage.sqlite.suggestions import Suggestions
from annotations.storage.sqlite.undo import EditLog
from annotations.storage.types import (
    RECLEANED,
    AddResult,
    AssignmentCount,
    Batch,
    ExportKey,
    Extent,
    ImportResult,
    Progress,
    RecleanRow,
    SourceLineCounts,
    Stats,
)

if TYPE_CHECKING:
    import sqlite_utils


class Store:
    """A newsmark database: open it, and it is migrated and ready.

    Each method hands the call to the repository of its part of the schema (the
    private attributes), whose method of the same name holds the SQL and says
    what it does. The delegation is written out, not generated, so that this
    class is the contract a second backend implements method by method, and the
    type checker sees every signature callers use.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        check_same_thread: bool = True,
        durable: bool = False,
        read_only: bool = False,
    ) -> None:
        """Open (creating and migrating) the database at ``path`` (``durable``, ``read_only``:
        see :class:`Database`)."""
        self._database = Database(
            path, check_same_thread=check_same_thread, durable=durable, read_only=read_only
        )
        self.path: Path = self._database.path
        self.conn: sqlite3.Connection = self._database.conn  # for tests and benches of the file itself
        self._annotators = Annotators(self._database)
        self._log = EditLog(self._database, self._annotators)
        self._articles = Articles(self._database)
        self._annotations = Annotations(self._database, self._annotators, self._log)
        self._reviews = Reviews(self._database, self._annotators, self._log, self._annotations)
        self._assignments = Assignments(self._database, self._annotators)
        self._listing = Listing(self._database, self._annotators, self._articles, self._assignments)
        self._exporting = Exporting(self._database, self._annotators, self._articles)
        self._suggestions = Suggestions(self._database, self._annotators, self._log)

    @cached_property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils on the same connection, for introspection and ad-hoc reads.

        Imported on first use: sqlite-utils pulls in numpy (about 90 ms), which
        the annotator's start-up does not need.
        """
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    # Knobs that tests turn down (monkeypatch) to reach a bound with a few rows.

    @property
    def search_window(self) -> int:
        """Search ranks only this many of the newest matches (see :meth:`Articles.search`)."""
        return self._articles.search_window

    @search_window.setter
    def search_window(self, value: int) -> None:
        self._articles.search_window = value

    @property
    def in_chunk(self) -> int:
        """Ids per ``IN (...)`` list (see :meth:`Database.chunks`)."""
        return self._database.in_chunk

    @in_chunk.setter
    def in_chunk(self, value: int) -> None:
        self._database.in_chunk = value

    @property
    def batch_items(self) -> int:
        """Items per transaction of :meth:`add_articles` at most (see :meth:`Database.in_batches`)."""
        return self._database.batch_items

    @batch_items.setter
    def batch_items(self, value: int) -> None:
        self._database.batch_items = value

    @property
    def batch_seconds(self) -> float:
        """A transaction of :meth:`add_articles` ends once it has run this long."""
        return self._database.batch_seconds

    @batch_seconds.setter
    def batch_seconds(self, value: float) -> None:
        self._database.batch_seconds = value

    # -- lifecycle -------------------------------------------------------------

    def close(self) -> None:
        self._log.end_session()
        self._database.close()

    @property
    def session_id(self) -> int:
        """This Store's undo session (one per open Store): ``undo`` takes back its own edits
        first, and never one another running session owns (see ``sqlite/undo.py``)."""
        return self._log.session

    def data_version(self) -> int:
        """A number that changes when another connection commits (``PRAGMA data_version``):
        one cheap read tells a screen whether to look again at what it shows."""
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """One write transaction; nested, a savepoint (see :meth:`Database.transaction`)."""
        return self._database.transaction()

    def edit_group(self) -> AbstractContextManager[None]:
        """Everything logged inside is one undo step, in one transaction.

        Accepting a reviewer's choice deletes some spans, adds others and
        records the decision; one ``u`` must take all of it back.
        """
        return self._log.group()

    # -- articles ---------------------------------------------------------------

    def add_article(self, art: NewArticle) -> AddResult:
        return self._articles.add_article(art)

    def add_articles(self, arts: Sequence[NewArticle]) -> Iterator[Batch[NewArticle, AddResult]]:
        """:meth:`add_article` each, in short transactions that let annotators write
        between them (see :meth:`Database.in_batches`): one :class:`Batch` per transaction."""
        return self._database.in_batches(arts, self._articles.add_article)

    def is_stored(self, content_hash: str, cleaner_version: str) -> bool:
        return self._articles.is_stored(content_hash, cleaner_version)

    def reclean(self, article_id: int, clean_text: str, cleaner_version: str) -> str:
        """Replace the clean text (see :meth:`Articles.reclean`); a changed text drops the
        article's unanswered suggestions (their offsets point into the old one)."""
        with self._database.transaction():
            outcome = self._articles.reclean(article_id, clean_text, cleaner_version)
            if outcome == RECLEANED:
                self._suggestions.drop_unanswered(article_id)
        return outcome

    def article(self, article_id: int) -> Article | None:
        return self._articles.article(article_id)

    def article_title_text(self, article_id: int) -> tuple[str | None, str]:
        return self._articles.article_title_text(article_id)

    def article_count(self) -> int:
        return self._articles.article_count()

    def page(self, after_id: int = 0, limit: int = 50) -> list[ArticleRow]:
        return self._articles.page(after_id, limit)

    def page_at(self, offset: int, limit: int = 50) -> list[ArticleRow]:
        return self._articles.page_at(offset, limit)

    def search(self, query: str, limit: int = 50) -> list[ArticleRow]:
        return self._articles.search(query, limit)

    def articles_to_reclean(self, cleaner_version: str) -> Iterator[RecleanRow]:
        return self._articles.articles_to_reclean(cleaner_version)

    def source_line_counts(self, source: str) -> SourceLineCounts:
        return self._articles.source_line_counts(source)

    def add_source_line_counts(self, source: str, articles: int, lines: Mapping[str, int]) -> None:
        self._articles.add_source_line_counts(source, articles, lines)

    # -- annotators, spans, statuses, undo ---------------------------------------

    def annotator_id(self, name: str) -> int:
        return self._annotators.id(name)

    def add_span(
        self,
        article_id: int,
        annotator: str,
        start: int,
        end: int,
        label: str,
        attributes: Mapping[str, Any] | None = None,
    ) -> Span:
        return self._annotations.add_span(article_id, annotator, start, end, label, attributes)

    def span(self, span_id: int) -> Span | None:
        return self._annotations.span(span_id)

    def spans(self, article_id: int, annotator: str | None = None) -> list[Span]:
        return self._annotations.spans(article_id, annotator)

    def delete_span(self, span_id: int) -> Span | None:
        return self._annotations.delete_span(span_id)

    def update_span(
        self, span_id: int, *, label: str | None = None, attributes: Mapping[str, Any] | None = None
    ) -> Span:
        return self._annotations.update_span(span_id, label=label, attributes=attributes)

    def set_status(
        self, article_id: int, annotator: str, status: Status | str, *, record: bool = True
    ) -> None:
        self._annotations.set_status(article_id, annotator, status, record=record)

    def status(self, article_id: int, annotator: str) -> Status:
        return self._annotations.status(article_id, annotator)

    def undo(self, annotator: str) -> Edit | None:
        """This session's last action taken back (UndoConflict: changed since elsewhere)."""
        return self._log.undo(annotator)

    def redo(self, annotator: str) -> Edit | None:
        return self._log.redo(annotator)

    def edits(self, annotator: str) -> list[Edit]:
        return self._log.edits(annotator)

    # -- suggestions ----------------------------------------------------------------

    def set_suggestions(self, article_id: int, suggestions: Sequence[Suggestion], version: str) -> int:
        return self._suggestions.set_suggestions(article_id, suggestions, version)

    def suggestions(self, article_id: int, annotator: str | None = None) -> list[Suggestion]:
        return self._suggestions.suggestions(article_id, annotator)

    def suggestion(self, suggestion_id: int) -> Suggestion | None:
        return self._suggestions.suggestion(suggestion_id)

    def accept_suggestion(
        self, suggestion_id: int, annotator: str, attributes: Mapping[str, Any] | None = None
    ) -> Span:
        return self._suggestions.accept_suggestion(suggestion_id, annotator, attributes)

    def reject_suggestion(self, suggestion_id: int, annotator: str) -> None:
        self._suggestions.reject_suggestion(suggestion_id, annotator)

    def accept_suggestions(self, article_id: int, annotator: str) -> list[Span]:
        return self._suggestions.accept_suggestions(article_id, annotator)

    def suggestions_enabled(self, annotator: str) -> bool:
        return self._suggestions.suggestions_enabled(annotator)

    def set_suggestions_enabled(self, annotators: Sequence[str], enabled: bool) -> None:
        self._suggestions.set_suggestions_enabled(annotators, enabled)

    def article_ids_to_suggest(self, version: str) -> list[int]:
        return self._suggestions.article_ids_to_suggest(version)

    def suggestions_of(self, article_ids: Sequence[int]) -> dict[int, list[Suggestion]]:
        return self._suggestions.suggestions_of(article_ids)

    def suggestion_attribute_names(self) -> list[str]:
        return self._suggestions.suggestion_attribute_names()

    def set_many_suggestions(
        self, work: Sequence[tuple[int, Sequence[Suggestion]]], version: str
    ) -> Iterator[Batch[tuple[int, Sequence[Suggestion]], int]]:
        """:meth:`set_suggestions` for each (article id, suggestions), in short transactions
        that let annotators write between them (as :meth:`add_articles`)."""
        return self._database.in_batches(work, lambda item: self.set_suggestions(item[0], item[1], version))

    # -- review ------------------------------------------------------------------

    def review_ids(
        self,
        reviewer: str,
        annotators: Sequence[str] = (),
        view: str = "review",
        after_id: int = 0,
        limit: int = -1,
    ) -> list[int]:
        return self._reviews.review_ids(reviewer, annotators, view, after_id, limit)

    def reviewed_count(self, reviewer: str, annotators: Sequence[str] = ()) -> int:
        return self._reviews.reviewed_count(reviewer, annotators)

    def review_work(
        self, article_id: int, reviewer: str, annotators: Sequence[str] = ()
    ) -> dict[str, list[Span]]:
        return self._reviews.review_work(article_id, reviewer, annotators)

    def start_review(self, article_id: int, reviewer: str, spans: Sequence[SpanData]) -> bool:
        return self._reviews.start_review(article_id, reviewer, spans)

    def decisions(self, article_id: int, reviewer: str) -> dict[Extent, str]:
        return self._reviews.decisions(article_id, reviewer)

    def decide(self, article_id: int, reviewer: str, start: int, end: int, choice: str) -> None:
        self._reviews.decide(article_id, reviewer, start, end, choice)

    # -- the article list, per annotator ----------------------------------------

    def list_ids(self, annotator: str, view: str = "all") -> array[int]:
        return self._listing.list_ids(annotator, view)

    def ids_after(self, annotator: str, view: str, after_id: int, limit: int) -> list[int]:
        return self._listing.ids_after(annotator, view, after_id, limit)

    def ids_before(self, annotator: str, view: str, before_id: int, limit: int) -> list[int]:
        return self._listing.ids_before(annotator, view, before_id, limit)

    def list_rows(self, annotator: str, ids: Sequence[int]) -> list[ListRow]:
        return self._listing.list_rows(annotator, ids)

    def progress(self, annotator: str) -> Progress:
        return self._listing.progress(annotator)

    def view_count(self, annotator: str, view: str) -> int:
        return self._listing.view_count(annotator, view)

    def next_todo(self, annotator: str, after_id: int) -> int | None:
        return self._listing.next_todo(annotator, after_id)

    # -- export and import of annotations -------------------------------------

    def export_keys(
        self,
        *,
        annotators: Sequence[str] = (),
        statuses: Sequence[str] | None = ("done",),
        since: str | None = None,
    ) -> list[ExportKey]:
        return self._exporting.export_keys(annotators=annotators, statuses=statuses, since=since)

    def attribute_names(self) -> list[str]:
        return self._exporting.attribute_names()

    def export_annotations(
        self, keys: Sequence[tuple[int, int, str, str, str]], *, labels: Sequence[str] = ()
    ) -> list[Annotation]:
        return self._exporting.export_annotations(keys, labels=labels)

    def span_versions(
        self, article_ids: Sequence[int], *, labels: Sequence[str] = ()
    ) -> Iterator[tuple[list[int], SpanVersions]]:
        return self._exporting.span_versions(article_ids, labels=labels)

    def changed_since(
        self, keys: Sequence[tuple[int, int, str, str, str]], since: str
    ) -> set[tuple[int, int]]:
        return self._exporting.changed_since(keys, since)

    def finished_work(self, annotators: Sequence[str] = ()) -> dict[int, dict[str, list[SpanData]]]:
        return self._exporting.finished_work(annotators)

    def import_annotation(self, ann: Annotation) -> ImportResult:
        return self._exporting.import_annotation(ann)

    def import_annotations(self, anns: Sequence[Annotation]) -> Iterator[Batch[Annotation, ImportResult]]:
        """:meth:`import_annotation` each, in short transactions (as :meth:`add_articles`)."""
        return self._database.in_batches(anns, self._exporting.import_annotation)

    # -- assignments ------------------------------------------------------------

    def assign(self, plan: Mapping[str, Iterable[int]]) -> dict[str, int]:
        return self._assignments.assign(plan)

    def clear_assignments(self, annotators: Sequence[str] | None = None) -> int:
        return self._assignments.clear_assignments(annotators)

    def unassigned_todo_ids(self, annotators: Sequence[str]) -> list[int]:
        return self._assignments.unassigned_todo_ids(annotators)

    def assignment_counts(self) -> dict[str, AssignmentCount]:
        return self._assignments.assignment_counts()

    def has_assignments(self, annotator: str) -> bool:
        return self._assignments.has_assignments(annotator)

    # -- stats ------------------------------------------------------------------

    def stats(self) -> Stats:
        return stats(self._database, self.article_count())

    def integrity_check(self) -> list[str]:
        """SQLite's ``PRAGMA integrity_check``: ``["ok"]`` for a sound file, else what is wrong."""
        return [row[0] for row in self.conn.execute("PRAGMA integrity_check")]


def open_store(db: str | os.PathLike[str] | None = None) -> Store:
    """Open the database named by ``--db``/``$NEWSMARK_DB``/default."""
    return Store(resolve_db_path(db))
