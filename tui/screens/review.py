"""Review mode: the shared screen over the articles two or more annotators finished.

What the reviewer edits is their own annotation (spans under the reviewer's
name), begun with the spans every annotator agrees on (attributes included).
The annotators' other spans are drawn as *ghosts* (the label's colour,
underlined, no background); where they overlap, or differ only in attributes,
they form a disagreement (:class:`annotations.review.Region`). The reviewer
walks the disagreements (``>``/``<``), takes the version of the annotator whose
span is under the cursor (``a``: those spans, with their attributes) or none
(``r``), or tags, deletes and relabels as anywhere else; each of these settles
the disagreement, in one undo step. ``d`` marks the article reviewed.

The comparing lives in :mod:`annotations.review`, the deciding and saving in
:class:`annotations.session.ReviewSession`; this screen draws their results
and routes keys to them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from annotations import review
from annotations.model import Span
from annotations.printable import printable
from annotations.review import Comparison
from annotations.session import ReviewSession
from annotations.session.describe import describe, describe_attributes
from annotations.storage import Extent, Store
from tui.keymap import bindings
from tui.screens.session_screen import SessionScreen


class ReviewScreen(SessionScreen):
    """The reviewer's screen: list of articles to review | article with everyone's spans."""

    BINDINGS = bindings("review")

    def __init__(self, store: Store, reviewer: str, annotators: tuple[str, ...] = ()) -> None:
        self.review_session = ReviewSession(store, reviewer, annotators)  # empty annotators: everyone else
        super().__init__(self.review_session)

    @property
    def comparison(self) -> Comparison:
        return self.review_session.comparison

    @property
    def decisions(self) -> Mapping[Extent, str]:
        return self.review_session.decisions

    # -- the hooks of the shared screen ---------------------------------------------

    def article_opened(self) -> None:
        # A line for the disagreement, one per annotator's version (set per article,
        # so moving the cursor never re-lays out the screen).
        self.query_one("#spaninfo").styles.height = 1 + min(max(len(self.comparison.annotators), 2), 4)

    def redraw_extras(self) -> None:
        """Ghosts and the header's counts follow every change of the reviewer's spans."""
        if self.article_id is None:
            return
        self.text.set_ghosts(self.review_session.ghosts())
        self._update_head()

    def head_note(self) -> Text | None:
        regions = self.comparison.regions
        open_ = len(self.review_session.open_regions())
        names = ", ".join(printable(name) for name in self.comparison.annotators)  # outside input
        note = Text(names or "no annotators", Style(dim=True))
        word = "disagreement" if len(regions) == 1 else "disagreements"
        note.append(f" · {len(regions)} {word}, {open_} open", Style(bold=True) if open_ else Style(dim=True))
        return note

    # -- the span line: who made what --------------------------------------------

    def show_spans_at_cursor(self, spans: Sequence[Span]) -> None:
        """Under the text: the disagreement at the cursor, one line per annotator's version
        (``✓``: the one the review holds now); elsewhere the spans there and who made them."""
        info = Text(no_wrap=True, overflow="ellipsis")
        region = self.comparison.region_at(self.text.cursor) if self.text.article else None
        if region is not None:
            regions = self.comparison.regions
            choice = self.decisions.get(Extent(region.start, region.end))
            info.append(f"{regions.index(region) + 1}/{len(regions)} ", Style(bold=True))
            info.append(
                f"settled ({printable(choice)})" if choice else "OPEN",  # choice: an annotator's name
                Style(dim=True) if choice else Style(bold=True, reverse=True),
            )
            info.append("  a take the version under the cursor · r none · > next", Style(dim=True))
            mine = {review.key(s) for s in self.text.spans}
            current = set(region.matching(mine))
            for name, keys in region.versions.items():
                info.append(f"\n {'✓' if name in current else '·'} {printable(name)}: ", Style(bold=True))
                if not keys:
                    info.append("—")
                for j, k in enumerate(sorted(keys)):
                    data = self.comparison.spans[k]
                    info.append(("; " if j else "") + describe({"label": data.label, "text": data.text}))
                    if attributes := describe_attributes(data.attributes):
                        info.append(" " + attributes, Style(dim=True))
        else:
            for i, span in enumerate(spans):
                who = self.review_session.made_by(span)
                info.append(("  " if i else "") + describe(span))
                if attributes := describe_attributes(span.attributes):
                    info.append(" " + attributes, Style(dim=True))
                everyone = len(who) == len(self.comparison.annotators) and who
                makers = "all" if everyone else ", ".join(printable(name) for name in who) or "reviewer"
                info.append(f" ({makers})", Style(dim=True))
            if not spans:
                info.append(
                    "> next disagreement · a take a version · r none · d reviewed · u undo", Style(dim=True)
                )
        self.query_one("#spaninfo", Static).update(info, layout=False)  # its height is fixed

    # -- settling disagreements ---------------------------------------------------

    def action_disagreement(self, step: int) -> None:
        """Move to the next (previous) open disagreement; once all are settled, to any."""
        jump = self.attempt(
            lambda: self.review_session.next_disagreement(self.text.cursor, step, self.text.all_spans())
        )
        if jump is None:
            return
        self.text.move_to(jump.region.start)
        self.text.pick(jump.first)
        if jump.note:
            self.status_bar.set_note(jump.note)

    def action_accept(self) -> None:
        """Take the version of the annotator whose span is under the cursor."""
        change = self.attempt(
            lambda: self.review_session.accept(self.text.span_under_cursor(), self.text.cursor)
        )
        if change is not None:
            self.draw_change(change)

    def action_reject(self) -> None:
        """Settle the disagreement under the cursor with none of the versions."""
        change = self.attempt(
            lambda: self.review_session.reject(self.text.span_under_cursor(), self.text.cursor)
        )
        if change is not None:
            self.draw_change(change)
