"""One annotator on one database: the open article, its spans, and every change to them.

Textual-free, so it is tested without a terminal (tests/test_session_annotate.py);
the annotate screen holds one and draws what its methods return. Every write
goes to the store at once (a span is on disk before it is drawn); a write the
store refuses raises :class:`NotSaved`, a request with nothing to act on
raises a :class:`Refused`, and the store keeps what it had.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from annotations.labels import LabelSchema, default_schema
from annotations.model import Article, Edit, Span, Status, Suggestion
from annotations.session.describe import describe, describe_edit
from annotations.session.errors import AlreadyTagged, ArticleGone, NotSaved, Refused
from annotations.storage import Store, UndoConflict
from annotations.suggest import fill_attributes

OFF = "suggestions are off"
FILL_WINDOW = 1000  # characters of context either side of a new span that its filler reads

GONE = "that span is gone: deleted in another session"


@dataclass(frozen=True, slots=True)
class Change:
    """A change that reached the database, and what to say about it."""

    what: str  # "tag", "delete", "edit", "settle", or the status set
    article_id: int
    note: str = ""  # for the status bar
    changed: tuple[int, int] | None = None  # the text range to repaint (None: all of it)
    span: Span | None = None  # the span a tag made
    status_changed: bool = False  # the header shows the article's status: redraw it


@dataclass(frozen=True, slots=True)
class Opened:
    """An article opened; ``failed``: a write that opening makes (review's start) was not saved."""

    article: Article
    failed: NotSaved | None = None


@dataclass(frozen=True, slots=True)
class StatusChange:
    """The status is saved; ``following`` is the article to open next (None: nothing left)."""

    article_id: int
    status: Status
    following: int | None
    warning: str | None = None  # said before moving on (review: disagreements left open)


@dataclass(frozen=True, slots=True)
class Synced:
    """What another session changed of the open article (see :meth:`AnnotateSession.sync`)."""

    spans: bool = False  # the spans shown (and, in review, the versions or decisions)
    status: bool = False  # its status

    def __bool__(self) -> bool:
        return self.spans or self.status


@dataclass(frozen=True, slots=True)
class Replay:
    """An undo or redo: the edit taken back (or done again), and where to show it."""

    edit: Edit
    verb: str  # "undo" or "redo"
    note: str  # ``undo: adding ACTOR “Turkey”``
    cursor: int  # where the change was (0 for a status)
    changed: tuple[int, int] | None  # its range, for a span edit
    same_article: bool  # on the open article (else the screen opens ``edit.article_id``)


@contextmanager
def saving() -> Iterator[None]:
    """Any failure of the store becomes :class:`NotSaved`, its message kept."""
    try:
        yield
    except (NotSaved, Refused, UndoConflict):  # refusals, not failed writes
        raise
    except Exception as exc:  # the database said no: say so, keep what is saved
        raise NotSaved(str(exc)) from exc


class AnnotateSession:
    """The annotator's work on the open article, through the one store."""

    START_VIEW = "all"
    VIEW_TITLES: Mapping[str, str] = {
        "all": "all",
        "todo": "to do",
        "done": "done",
        "flagged": "flagged",
        "skipped": "skipped",
    }
    LIST_VIEWS: Sequence[str] = ("all", "todo", "done", "flagged")  # what `t` cycles through
    PROGRESS_WORD = "done"

    def __init__(
        self,
        store: Store,
        annotator: str,
        *,
        suggest: bool = True,
        schema: LabelSchema | None = None,
    ) -> None:
        self.store = store
        self.annotator = annotator
        self.suggest = suggest  # the run's switch (--no-suggestions, $NEWSMARK_SUGGESTIONS=off)
        self.schema = schema if schema is not None else default_schema()
        self.article: Article | None = None
        self.spans: list[Span] = []
        self._status: Status | None = None  # the open article's, as last read

    @property
    def session_id(self) -> int:
        """The undo session: the store's (one Store, one session: see ``Store.session_id``)."""
        return self.store.session_id

    @property
    def article_id(self) -> int | None:
        return self.article.id if self.article is not None else None

    # -- what the list holds --------------------------------------------------------

    def first_ids(self, view: str, limit: int) -> list[int]:
        """The first ids of ``view``, for the first screen (UI thread, must be quick)."""
        return self.store.ids_after(self.annotator, view, 0, limit)

    def all_ids(self, store: Store, view: str) -> Sequence[int]:
        """Every id of ``view`` (in a worker thread, on the worker's own ``store``)."""
        return store.list_ids(self.annotator, view)

    def progress_of(self, store: Store) -> tuple[int, int]:
        """(finished, all) for the status bar, on the given connection."""
        return store.progress(self.annotator)

    def done_count(self) -> int:
        """Finished articles: an index read, cheap enough after every ``d``."""
        return self.store.view_count(self.annotator, "done")

    def next_to_do(self, after_id: int) -> int | None:
        """The article to open after ``after_id`` is finished (None: nothing left)."""
        return self.store.next_todo(self.annotator, after_id)

    def status(self) -> Status | None:
        """The open article's status for this annotator (None: nothing open)."""
        return None if self.article is None else self.store.status(self.article.id, self.annotator)

    # -- opening --------------------------------------------------------------------

    def open(self, article_id: int) -> Opened:
        """Make ``article_id`` the open article, with this annotator's spans."""
        article = self.store.article(article_id)
        if article is None:
            raise ArticleGone(f"article {article_id} is gone")
        self.article = article
        self.spans = self.store.spans(article_id, self.annotator)
        self._status = self.store.status(article_id, self.annotator)
        return Opened(article)

    def sync(self) -> Synced:
        """Read the open article's spans and status again (another session may have changed
        them: the screen asks when the database says it changed); what differs."""
        if self.article is None:
            return Synced()
        spans = self.store.spans(self.article.id, self.annotator)
        status = self.store.status(self.article.id, self.annotator)
        synced = Synced(spans != self.spans, status is not self._status)
        self.spans, self._status = spans, status
        return synced

    def reload(self) -> list[Span]:
        """The open article's spans again from the store (after a failure, an undo)."""
        if self.article is not None:
            self.spans = self.store.spans(self.article.id, self.annotator)
        return self.spans

    def _open_id(self) -> int:
        if self.article is None:
            raise Refused("no article open")
        return self.article.id

    # -- changes ----------------------------------------------------------------------

    def check_editable(self, span: Span) -> Span:
        """``span`` if this session may delete or edit it (an annotator: any of theirs)."""
        return span

    def tag(self, start: int, end: int, label: str) -> Change:
        """Save a span over ``start:end`` (already snapped to tokens) on the open article.

        The same offsets and label twice is refused; the first span of an
        article marks it in progress (no undo entry: undo takes back the span).
        """
        article_id = self._open_id()
        if any((s.start, s.end, s.label) == (start, end, label) for s in self.spans):
            raise AlreadyTagged(f"already tagged as {label}")
        with saving():
            new_article = self.store.status(article_id, self.annotator) is Status.NEW
            if new_article:
                self.store.set_status(article_id, self.annotator, Status.IN_PROGRESS, record=False)
            attributes = self._filled(label, start, end)  # the filler's (CASUALTY: kind, count)
            span = self.store.add_span(article_id, self.annotator, start, end, label, attributes)
        self.spans = [*self.spans, span]
        return Change("tag", article_id, describe(span), (span.start, span.end), span, new_article)

    def delete(self, span: Span) -> Change:
        """Delete one of the open article's spans (``u`` brings it back)."""
        with saving():
            deleted = self.store.delete_span(span.id)
        if deleted is None:  # deleted elsewhere since it was drawn
            self.reload()
            raise Refused(GONE, redraw=True)
        self.spans = [s for s in self.spans if s.id != span.id]
        return Change(
            "delete", span.article_id, f"deleted {describe(span)} (u undoes)", (span.start, span.end)
        )

    def edit(self, span: Span, label: str, attributes: dict[str, Any]) -> Change:
        """Relabel ``span`` and replace its attributes (what the edit dialog gave back)."""
        with saving():
            try:
                self.store.update_span(span.id, label=label, attributes=attributes)
            except KeyError:  # deleted elsewhere while the edit dialog was open
                self.reload()
                raise Refused(GONE, redraw=True) from None
        self.reload()
        note = f"{label} {' '.join(f'{k}={v}' for k, v in attributes.items())}"
        return Change("edit", span.article_id, note)

    def _filled(self, label: str, start: int, end: int) -> dict[str, Any]:
        """What the label's filler reads from the span (no filler, or it fails: nothing)."""
        if self.article is None:
            return {}
        text = self.article.clean_text
        # The filler reads the span's sentence: give it the span's paragraph (at most
        # FILL_WINDOW either side), not a 20,000-word article (200 ms for CASUALTY).
        lo = max(text.rfind("\n", 0, start) + 1, start - FILL_WINDOW)
        hi = text.find("\n", end)
        hi = min(len(text) if hi < 0 else hi, end + FILL_WINDOW)
        try:
            return fill_attributes(label, text[lo:hi], start - lo, end - lo)
        except Exception:  # a filler's bug must never cost the annotator the span
            return {}

    # -- attributes in place --------------------------------------------------------------

    def cycle_choice(self, span: Span, name: str | None = None) -> Change:
        """Set ``name`` (default: the label's first choice attribute) to its next value,
        wrapping through unset; one undoable edit."""
        label = self.schema.get(span.label)
        choices = [a for a in (label.attributes if label else ()) if a.type == "choice"]
        attribute = next((a for a in choices if name is None or a.name == name), None)
        if attribute is None:
            raise Refused(f"{span.label} has no choice to cycle")
        order: list[str | None] = [*attribute.values, None]
        current = span.attributes.get(attribute.name)
        at = order.index(current) if current in order else len(order) - 1
        return self.set_attribute(span, attribute.name, order[(at + 1) % len(order)])

    def set_attribute(self, span: Span, name: str, value: Any) -> Change:
        """Set (None: unset) one attribute of ``span``, the others kept; undoable."""
        attributes = {k: v for k, v in span.attributes.items() if k != name}
        if value is not None:
            attributes[name] = value
        with saving():
            try:
                self.store.update_span(span.id, attributes=attributes)
            except KeyError:
                self.reload()
                raise Refused(GONE, redraw=True) from None
        self.reload()
        shown = "unset" if value is None else str(value)
        return Change("edit", span.article_id, f"{span.label} {name}={shown}", (span.start, span.end))

    # -- suggestions ------------------------------------------------------------------------

    def suggestions_on(self) -> bool:
        """The run's switch and the annotator's stored one (``newsmark suggest --off-for``)."""
        return self.suggest and self.store.suggestions_enabled(self.annotator)

    def suggestions(self) -> list[Suggestion]:
        """The open suggestions for this annotator on the open article ([] when off)."""
        if self.article is None or not self.suggestions_on():
            return []
        return self.store.suggestions(self.article.id, self.annotator)

    def _check_on(self) -> int:
        article_id = self._open_id()
        if not self.suggestions_on():
            raise Refused(OFF)
        return article_id

    def _after_accept(
        self, article_id: int, was_new: bool, note: str, changed: tuple[int, int] | None, span: Span | None
    ) -> Change:
        self.reload()
        return Change("tag", article_id, note, changed, span, was_new)

    def accept(self, suggestion: Suggestion) -> Change:
        """Make ``suggestion`` this annotator's span (its attributes, or the filler's when it
        has none); ``u`` takes it back."""
        article_id = self._check_on()
        was_new = self.store.status(article_id, self.annotator) is Status.NEW
        attributes = dict(suggestion.attributes) or self._filled(
            suggestion.label, suggestion.start, suggestion.end
        )
        with saving():
            try:
                span = self.store.accept_suggestion(suggestion.id, self.annotator, attributes or None)
            except (KeyError, ValueError):
                self.reload()
                raise Refused("that suggestion is already answered", redraw=True) from None
        return self._after_accept(
            article_id, was_new, f"accepted {describe(span)}", (span.start, span.end), span
        )

    def reject(self, suggestion: Suggestion) -> Change:
        """Answer ``suggestion`` no; it is no longer drawn (``u`` brings it back)."""
        article_id = self._check_on()
        with saving():
            try:
                self.store.reject_suggestion(suggestion.id, self.annotator)
            except (KeyError, ValueError):
                self.reload()
                raise Refused("that suggestion is already answered", redraw=True) from None
        note = f"rejected suggestion {suggestion.label} “{suggestion.text}” (u undoes)"
        return Change("reject", article_id, note, (suggestion.start, suggestion.end))

    def accept_all(self) -> Change:
        """Accept every open suggestion of the open article: one undo step."""
        article_id = self._check_on()
        was_new = self.store.status(article_id, self.annotator) is Status.NEW
        with saving():
            spans = self.store.accept_suggestions(article_id, self.annotator)
        if not spans:
            raise Refused("no suggestions here")
        return self._after_accept(
            article_id, was_new, f"accepted {len(spans)} suggestions (u undoes)", None, None
        )

    def set_status(self, article_id: int, status: Status) -> StatusChange:
        """Mark ``article_id`` done / skipped / flagged; say which article comes next."""
        self.save_status(article_id, status)
        return StatusChange(article_id, status, self.next_to_do(article_id))

    def save_status(self, article_id: int, status: Status) -> None:
        """Only the write of :meth:`set_status` (the review session picks its own next)."""
        with saving():
            self.store.set_status(article_id, self.annotator, status)

    # -- undo -------------------------------------------------------------------------------

    def undo(self) -> Replay:
        """Take back this session's last change; none left, the annotator's last one that no
        other running session made (so also one made before a restart)."""
        return self._replay(lambda: self.store.undo(self.annotator), "undo")

    def redo(self) -> Replay:
        """Do again what was last undone."""
        return self._replay(lambda: self.store.redo(self.annotator), "redo")

    def _replay(self, step: Callable[[], Edit | None], verb: str) -> Replay:
        try:
            with saving():
                edit = step()
        except UndoConflict as exc:  # saving() passes it on: refused, not a failed write
            self.reload()
            raise Refused(
                f"cannot {verb} {describe_edit(exc.edit)}: changed in another session", redraw=True
            ) from exc
        if edit is None:
            raise Refused(f"nothing to {verb}")
        # A span edit never moves a span (update_span changes label and attributes
        # only), so either side of it gives the span's place.
        span = None if edit.kind == "set_status" else (edit.before or edit.after)
        if span and "start" not in span:  # an answer without offsets: no place to show
            span = None
        changed = (int(span["start"]), int(span["end"])) if span else None
        same = edit.article_id == self.article_id
        if same and span:
            self.reload()
        return Replay(
            edit, verb, f"{verb}: {describe_edit(edit)}", changed[0] if changed else 0, changed, same
        )
