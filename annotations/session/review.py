"""The reviewer's work on one article: their own annotation, the annotators' ghosts, decisions.

Textual-free (tests/test_session_review.py drives it on a real SQLite file). It
composes an :class:`AnnotateSession` under the reviewer's name for the spans
the reviewer edits, and adds what review is: the comparison of the annotators'
work (:mod:`annotations.review`), the decisions taken, taking one version
(``accept``) or none (``reject``), and hand edits that settle the disagreement
they touch, each in one undo step.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from annotations import review
from annotations.model import Article, Span, Status
from annotations.review import Comparison, Region
from annotations.session.annotate import (
    AnnotateSession,
    Change,
    Opened,
    Replay,
    StatusChange,
    Synced,
    saving,
)
from annotations.session.errors import NotSaved, NotYours, Refused
from annotations.storage import REVIEW_VIEWS, Extent, Store

NO_SPAN_TO_TAKE = (
    "put the cursor on an annotator's span in a disagreement ({ } walk the spans, > the disagreements)"
)


@dataclass(frozen=True, slots=True)
class Jump:
    """Where ``>``/``<`` goes: the disagreement, its first span (to pick), and a note."""

    region: Region
    first: Span | None
    note: str | None = None


class ReviewSession:
    """A reviewer settling where the annotators (empty: everyone else) disagree."""

    START_VIEW = "review"
    VIEW_TITLES: Mapping[str, str] = {"review": "to review", "reviewed": "reviewed", "all": "all for review"}
    LIST_VIEWS: Sequence[str] = REVIEW_VIEWS
    PROGRESS_WORD = "reviewed"

    def __init__(self, store: Store, reviewer: str, annotators: tuple[str, ...] = ()) -> None:
        self.store = store
        self.annotator = reviewer
        self.annotators = annotators
        self.own = AnnotateSession(store, reviewer)  # the reviewer's own annotation
        self.comparison = Comparison((), (), (), {}, {})
        self.decisions: dict[Extent, str] = {}
        self._work: dict[str, list[Span]] = {}  # what the comparison was made from

    @property
    def article(self) -> Article | None:
        return self.own.article

    @property
    def article_id(self) -> int | None:
        return self.own.article_id

    @property
    def spans(self) -> list[Span]:
        return self.own.spans

    # -- what the list holds: articles for review -----------------------------------

    def first_ids(self, view: str, limit: int) -> list[int]:
        return self.store.review_ids(self.annotator, self.annotators, view, 0, limit)

    def all_ids(self, store: Store, view: str) -> array[int]:
        return array("q", store.review_ids(self.annotator, self.annotators, view))

    def progress_of(self, store: Store) -> tuple[int, int]:
        return (
            store.reviewed_count(self.annotator, self.annotators),
            len(store.review_ids(self.annotator, self.annotators, "all")),
        )

    def done_count(self) -> int:
        # The same count as progress_of (the worker's), cheap enough for the UI thread after d.
        return self.store.reviewed_count(self.annotator, self.annotators)

    def next_to_do(self, after_id: int) -> int | None:
        ids = self.store.review_ids(
            self.annotator, self.annotators, "review", after_id, 1
        ) or self.store.review_ids(self.annotator, self.annotators, "review", 0, 1)
        return ids[0] if ids else None

    def status(self) -> Status | None:
        return self.own.status()

    # -- opening: compare, start the review ---------------------------------------------

    def open(self, article_id: int) -> Opened:
        """Compare the annotators' work on ``article_id`` and open the reviewer's annotation,
        begun with the consensus the first time (not an undoable action)."""
        work = self.store.review_work(article_id, self.annotator, self.annotators)
        self._work, self.comparison = work, review.compare(work)
        failed = None
        try:
            with saving():
                review.start(self.store, article_id, self.annotator, self.comparison)
        except NotSaved as exc:
            failed = exc
        self.decisions = self.store.decisions(article_id, self.annotator)
        return Opened(self.own.open(article_id).article, failed)

    def sync(self) -> Synced:
        """Read the open article again (the reviewer's spans and status, the annotators'
        work, the decisions): another session may have changed any of them."""
        own = self.own.sync()
        if self.article_id is None:
            return own
        work = self.store.review_work(self.article_id, self.annotator, self.annotators)
        decisions = self.store.decisions(self.article_id, self.annotator)
        others = work != self._work or decisions != self.decisions
        if others:
            self._work, self.comparison, self.decisions = work, review.compare(work), decisions
        return Synced(own.spans or others, own.status)

    def refresh(self) -> None:
        """Read the decisions again (after any change)."""
        if self.article_id is not None:
            self.decisions = self.store.decisions(self.article_id, self.annotator)

    def ghosts(self) -> list[Span]:
        """The annotators' spans in disagreements that the reviewer's annotation lacks
        (negative ids, the makers' names as annotator: never saved)."""
        article_id = self.article_id or 0
        mine = {review.key(s) for s in self.spans}
        in_regions = {k for r in self.comparison.regions for k in r.keys}
        ghosts = []
        for i, (k, who) in enumerate(sorted(self.comparison.made_by.items())):
            if k in in_regions and k not in mine:
                data = self.comparison.spans[k]
                ghosts.append(
                    Span(
                        -(i + 1),
                        article_id,
                        ", ".join(who),
                        k[0],
                        k[1],
                        k[2],
                        data.text,
                        dict(data.attributes),
                        "",
                        "",
                    )
                )
        return ghosts

    def open_regions(self) -> list[Region]:
        return review.open_regions(self.comparison, self.decisions)

    def made_by(self, span: Span) -> tuple[str, ...]:
        """The annotators who made ``span`` (empty: the reviewer's own)."""
        return self.comparison.made_by.get(review.key(span), ())

    # -- disagreements ------------------------------------------------------------------

    def next_disagreement(self, cursor: int, step: int, spans: Sequence[Span]) -> Jump:
        """The next (``step`` > 0) or previous open disagreement from ``cursor``; once all
        are settled, any. ``spans``: what is drawn (own and ghosts), for the first to pick."""
        regions = list(self.comparison.regions)
        if not regions or self.article_id is None:
            raise Refused("no disagreements in this article")
        open_ = self.open_regions()
        pool = open_ or regions
        if step > 0:
            target = next((r for r in pool if r.start > cursor), pool[0])
        else:
            current = self.comparison.region_at(cursor)
            before = [r for r in pool if r.start < cursor and r is not current]
            target = before[-1] if before else pool[-1]
        first = min(
            (s for s in spans if target.covers(s.start, s.end)),
            key=lambda s: (s.start, -s.end, s.id),
            default=None,
        )
        note = None if open_ else f"all {len(regions)} disagreements settled: d marks it reviewed"
        return Jump(target, first, note)

    def region_and_maker(self, span: Span | None, cursor: int) -> tuple[Region | None, str | None]:
        """The disagreement at the cursor, and the annotator whose span (``span``) is under it."""
        if span is not None:
            k = review.key(span)
            for region in self.comparison.regions:
                if k in region.keys:
                    makers = [a for a, keys in region.versions.items() if k in keys]
                    return region, makers[0] if makers else None
        return self.comparison.region_at(cursor), None

    def accept(self, span: Span | None, cursor: int) -> Change:
        """Take the version of the annotator whose span is under the cursor (one undo step)."""
        region, maker = self.region_and_maker(span, cursor)
        article_id = self.article_id
        if region is None or maker is None or article_id is None:
            raise Refused(NO_SPAN_TO_TAKE)
        return self._settle(
            lambda: review.accept(self.store, article_id, self.annotator, self.comparison, region, maker),
            region,
            f"took {maker}'s version",
        )

    def reject(self, span: Span | None, cursor: int) -> Change:
        """Settle the disagreement under the cursor with none of the versions."""
        region, _ = self.region_and_maker(span, cursor)
        article_id = self.article_id
        if region is None or article_id is None:
            raise Refused("no disagreement under the cursor")
        return self._settle(
            lambda: review.reject(self.store, article_id, self.annotator, self.comparison, region),
            region,
            "took none of the versions",
        )

    def _settle(self, apply: Callable[[], None], region: Region, note: str) -> Change:
        article_id = self.article_id
        assert article_id is not None
        self._guarded(apply)
        self.own.reload()
        self.refresh()
        return Change("settle", article_id, f"{note} (u undoes)", (region.start, region.end))

    def _guarded(self, apply: Callable[[], Any]) -> Any:
        """``apply()``; on failure, reload what the store holds and raise (``redraw``)."""
        try:
            with saving():
                return apply()
        except NotSaved as exc:
            self.own.reload()
            self.refresh()
            raise NotSaved(str(exc), redraw=True) from exc

    # -- hand edits settle the disagreement they touch ------------------------------------

    def _by_hand(self, change: Callable[[], Change], start: int, end: int) -> Change:
        article_id = self.article_id
        assert article_id is not None

        def apply() -> Change:
            with self.store.edit_group():
                result = change()
                review.settle_by_hand(self.store, article_id, self.annotator, self.comparison, start, end)
            return result

        result: Change = self._guarded(apply)
        self.refresh()
        return result

    def check_editable(self, span: Span) -> Span:
        """``span``, unless it is a ghost: the annotators' spans are taken with ``a``, not
        deleted or edited."""
        if span.id < 0:
            raise NotYours(f"that is {span.annotator}'s span: a takes that version")
        return span

    def tag(self, start: int, end: int, label: str) -> Change:
        return self._by_hand(lambda: self.own.tag(start, end, label), start, end)

    def delete(self, span: Span) -> Change:
        self.check_editable(span)
        return self._by_hand(lambda: self.own.delete(span), span.start, span.end)

    def edit(self, span: Span, label: str, attributes: dict[str, Any]) -> Change:
        self.check_editable(span)
        return self._by_hand(lambda: self.own.edit(span, label, attributes), span.start, span.end)

    # -- status and undo ----------------------------------------------------------------------

    def set_status(self, article_id: int, status: Status) -> StatusChange:
        """``done`` marks the article reviewed (skip and flag are as for annotators)."""
        warning = None
        if status is Status.DONE:
            left = len(self.open_regions())
            status = Status.REVIEWED
            if left:
                warning = (
                    f"{left} disagreement{'s' if left != 1 else ''} left open: kept as the review had them"
                )
        self.own.save_status(article_id, status)
        return StatusChange(article_id, status, self.next_to_do(article_id), warning)

    def undo(self) -> Replay:
        return self._replayed(self.own.undo())

    def redo(self) -> Replay:
        return self._replayed(self.own.redo())

    def _replayed(self, replay: Replay) -> Replay:
        if replay.same_article:
            self.refresh()
        return replay
