"""Review mode: the annotate screen over the articles two or more annotators finished.

What the reviewer edits is their own annotation (spans under the reviewer's
name), begun with the spans every annotator agrees on (attributes included).
The annotators' other spans are drawn as *ghosts* (the label's colour,
underlined, no background); where they overlap, or differ only in attributes,
they form a disagreement (:class:`annotations.review.Region`). The reviewer
walks the disagreements (``>``/``<``), takes the version of the annotator whose
span is under the cursor (``a``: those spans, with their attributes) or none
(``r``), or tags, deletes and relabels as anywhere else; each of these settles
the disagreement, in one undo step. ``d`` marks the article reviewed.

The comparing and the saving live in :mod:`annotations.review`; this screen
draws their results and routes keys to them.
"""

from __future__ import annotations

from array import array
from typing import Any

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static

from annotations import review
from annotations.model import Span, Status
from annotations.review import Comparison, Region
from annotations.storage import Store
from tui.screens.annotate import AnnotateScreen, describe, describe_attributes


class ReviewScreen(AnnotateScreen):
    """The reviewer's screen: list of articles to review | article with everyone's spans."""

    START_VIEW = "review"
    VIEW_TITLES = {"review": "to review", "reviewed": "reviewed", "all": "all for review"}
    LIST_VIEWS = ("review", "reviewed", "all")

    BINDINGS = [
        Binding(
            "greater_than_sign",
            "disagreement(1)",
            "next disagreement",
            tooltip="go to the next disagreement still open (then any)",
            id="review.next",
        ),
        Binding("less_than_sign", "disagreement(-1)", "previous disagreement", show=False, id="review.prev"),
        Binding(
            "a",
            "accept",
            "accept",
            tooltip="take the version of the annotator whose span is under the cursor ({ } pick a span)",
            id="review.accept",
        ),
        Binding(
            "r",
            "reject",
            "none",
            show=False,
            tooltip="settle the disagreement under the cursor with none of the versions",
            id="review.reject",
        ),
        # The annotator's d, named for what it does here (same id: one rebinding serves both).
        Binding(
            "d",
            "set_status('done')",
            "reviewed",
            tooltip="mark the article reviewed, open the next to review",
            id="article.done",
        ),
    ]

    def __init__(self, store: Store, reviewer: str, annotators: tuple[str, ...] = ()) -> None:
        super().__init__(store, reviewer)
        self.annotators = annotators  # empty: everyone but the reviewer
        self.comparison = Comparison((), (), (), {}, {})
        self.decisions: dict[tuple[int, int], str] = {}

    def on_mount(self) -> None:
        self.status_bar.progress_word = "reviewed"
        super().on_mount()

    # -- the list: articles for review -------------------------------------------

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

    # -- opening an article: compare, start the review, draw the ghosts ----------

    def open_article(self, article_id: int, *, focus: bool = True, cursor: int = 0) -> None:
        work = self.store.review_work(article_id, self.annotator, self.annotators)
        self.comparison = review.compare(work)
        try:
            review.start(self.store, article_id, self.annotator, self.comparison)
        except Exception as exc:
            self._failed(exc)
        self.decisions = self.store.decisions(article_id, self.annotator)
        # A line for the disagreement, one per annotator's version (set per article,
        # so moving the cursor never re-lays out the screen).
        self.query_one("#spaninfo").styles.height = 1 + min(max(len(self.comparison.annotators), 2), 4)
        super().open_article(article_id, focus=focus, cursor=cursor)
        self.text.set_ghosts(self._ghosts())

    def _ghosts(self) -> list[Span]:
        """The annotators' spans in disagreements that the reviewer's annotation lacks."""
        article_id = self.article_id or 0
        mine = {review.key(s) for s in self.text.spans}
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

    def _refresh_review(self) -> None:
        """After any change: decisions, ghosts, header."""
        if self.article_id is None:
            return
        self.decisions = self.store.decisions(self.article_id, self.annotator)
        self.text.set_ghosts(self._ghosts())
        self._update_head()

    def _reload_spans(self) -> None:
        super()._reload_spans()
        self._refresh_review()

    def head_note(self) -> Text | None:
        regions = self.comparison.regions
        open_ = len(review.open_regions(self.comparison, self.decisions))
        note = Text(", ".join(self.comparison.annotators) or "no annotators", Style(dim=True))
        word = "disagreement" if len(regions) == 1 else "disagreements"
        note.append(f" · {len(regions)} {word}, {open_} open", Style(bold=True) if open_ else Style(dim=True))
        return note

    # -- the span line: who made what --------------------------------------------

    def show_spans_at_cursor(self, spans: list[Span]) -> None:
        """Under the text: the disagreement at the cursor, one line per annotator's version
        (``✓``: the one the review holds now); elsewhere the spans there and who made them."""
        info = Text(no_wrap=True, overflow="ellipsis")
        region = self.comparison.region_at(self.text.cursor) if self.text.article else None
        if region is not None:
            regions = self.comparison.regions
            choice = self.decisions.get((region.start, region.end))
            info.append(f"{regions.index(region) + 1}/{len(regions)} ", Style(bold=True))
            info.append(
                f"settled ({choice})" if choice else "OPEN",
                Style(dim=True) if choice else Style(bold=True, reverse=True),
            )
            info.append("  a take the version under the cursor · r none · > next", Style(dim=True))
            mine = {review.key(s) for s in self.text.spans}
            current = set(region.matching(mine))
            for name, keys in region.versions.items():
                info.append(f"\n {'✓' if name in current else '·'} {name}: ", Style(bold=True))
                if not keys:
                    info.append("—")
                for j, k in enumerate(sorted(keys)):
                    data = self.comparison.spans[k]
                    info.append(("; " if j else "") + describe({"label": data.label, "text": data.text}))
                    if attributes := describe_attributes(data.attributes):
                        info.append(" " + attributes, Style(dim=True))
        else:
            for i, span in enumerate(spans):
                who = self.comparison.made_by.get(review.key(span), ())
                info.append(("  " if i else "") + describe(span))
                if attributes := describe_attributes(span.attributes):
                    info.append(" " + attributes, Style(dim=True))
                everyone = len(who) == len(self.comparison.annotators) and who
                info.append(f" ({'all' if everyone else ', '.join(who) or 'reviewer'})", Style(dim=True))
            if not spans:
                info.append(
                    "> next disagreement · a take a version · r none · d reviewed · u undo", Style(dim=True)
                )
        self.query_one("#spaninfo", Static).update(info, layout=False)  # its height is fixed

    # -- settling disagreements ---------------------------------------------------

    def action_disagreement(self, step: int) -> None:
        """Move to the next (previous) open disagreement; once all are settled, to any."""
        regions = list(self.comparison.regions)
        if not regions or self.article_id is None:
            self.app.bell()
            self.status_bar.set_note("no disagreements in this article")
            return
        open_ = review.open_regions(self.comparison, self.decisions)
        pool = open_ or regions
        here = self.text.cursor
        if step > 0:
            target = next((r for r in pool if r.start > here), pool[0])
        else:
            current = self.comparison.region_at(here)
            before = [r for r in pool if r.start < here and r is not current]
            target = before[-1] if before else pool[-1]
        first = min(
            (s for s in self.text.all_spans() if target.covers(s.start, s.end)),
            key=lambda s: (s.start, -s.end, s.id),
            default=None,
        )
        self.text.move_to(target.start)
        self.text.pick(first)
        if not open_:
            self.status_bar.set_note(f"all {len(regions)} disagreements settled: d marks it reviewed")

    def _region_and_maker(self) -> tuple[Region | None, str | None]:
        """The disagreement at the cursor, and the annotator whose span is under it."""
        span = self.text.span_under_cursor()
        if span is not None:
            k = review.key(span)
            for region in self.comparison.regions:
                if k in region.keys:
                    makers = [a for a, keys in region.versions.items() if k in keys]
                    return region, makers[0] if makers else None
        return self.comparison.region_at(self.text.cursor), None

    def action_accept(self) -> None:
        region, maker = self._region_and_maker()
        if region is None or maker is None or self.article_id is None:
            self.app.bell()
            self.status_bar.set_note(
                "put the cursor on an annotator's span in a disagreement "
                "({ } walk the spans, > the disagreements)"
            )
            return
        self._settle(
            lambda: review.accept(
                self.store, self.article_id, self.annotator, self.comparison, region, maker
            ),
            region,
            f"took {maker}'s version",
        )

    def action_reject(self) -> None:
        region, _ = self._region_and_maker()
        if region is None or self.article_id is None:
            self.app.bell()
            self.status_bar.set_note("no disagreement under the cursor")
            return
        self._settle(
            lambda: review.reject(self.store, self.article_id, self.annotator, self.comparison, region),
            region,
            "took none of the versions",
        )

    def _settle(self, apply, region: Region, note: str) -> None:
        article_id = self.article_id
        assert article_id is not None
        try:
            apply()
        except Exception as exc:
            self._failed(exc)
            self._reload_spans()
            return
        self.text.set_spans(self.store.spans(article_id, self.annotator), changed=(region.start, region.end))
        self._refresh_review()
        self._saved("settle", article_id, f"{note} (u undoes)")

    # -- hand edits settle the disagreement they touch ------------------------------

    def _by_hand(self, change, start: int, end: int) -> Any:
        article_id = self.article_id
        assert article_id is not None
        try:
            with self.store.edit_group():
                result = change()
                if result is not None:
                    review.settle_by_hand(self.store, article_id, self.annotator, self.comparison, start, end)
        except Exception as exc:
            self._failed(exc)
            self._reload_spans()
            return None
        self._refresh_review()
        return result

    def tag(self, article_id: int, start: int, end: int, label: str) -> Span | None:
        return self._by_hand(lambda: AnnotateScreen.tag(self, article_id, start, end, label), start, end)

    def _not_yours(self, span: Span) -> bool:
        if span.id >= 0:
            return False
        self.app.bell()
        self.status_bar.set_note(f"that is {span.annotator}'s span: a takes that version")
        return True

    def delete_span(self, span: Span) -> None:
        if not self._not_yours(span):

            def change() -> bool:
                AnnotateScreen.delete_span(self, span)
                return True

            self._by_hand(change, span.start, span.end)

    def edit_span(self, span: Span) -> None:
        if not self._not_yours(span):
            super().edit_span(span)

    def save_span_edit(self, span: Span, label: str, attributes: dict[str, Any]) -> None:
        def change() -> bool:
            AnnotateScreen.save_span_edit(self, span, label, attributes)
            return True

        self._by_hand(change, span.start, span.end)

    # -- status and undo ------------------------------------------------------------

    def action_set_status(self, status: str) -> None:
        """``d`` marks the article reviewed (skip and flag are as for annotators)."""
        if status == Status.DONE.value:
            left = len(review.open_regions(self.comparison, self.decisions))
            status = Status.REVIEWED.value
            if left:
                self.notify(
                    f"{left} disagreement{'s' if left != 1 else ''} left open: kept as the review had them",
                    timeout=4,
                    markup=False,
                )
        super().action_set_status(status)

    def _apply_edit(self, edit, verb: str) -> None:
        super()._apply_edit(edit, verb)
        if edit is not None and edit.article_id == self.article_id:
            self._refresh_review()
