"""The annotate screen's suggestions (ghosts: accept, reject, accept all) and its
in-place attribute edits (``c`` cycles a choice, ``#`` types a count).

A mixin, so that :class:`~tui.screens.session_screen.SessionScreen` stays small;
every change is the session's (:class:`~annotations.session.AnnotateSession`),
this only draws and routes keys. Ghost spans carry negative ids: ``-1 - i`` is
the i-th open suggestion, so ``{``/``}`` stop at them and they never pass for
the annotator's own spans.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from annotations.model import Span, Suggestion
from annotations.printable import printable
from tui.widgets.find_bar import LineBar

if TYPE_CHECKING:
    from annotations.session import AnnotateSession
    from tui.screens.session_screen import SessionScreen

    _Base = SessionScreen
else:
    _Base = object


def ghost(index: int, suggestion: Suggestion) -> Span:
    """The suggestion drawn as a span apart from the annotator's: a negative id."""
    return Span(
        id=-1 - index,
        article_id=suggestion.article_id,
        annotator="",
        start=suggestion.start,
        end=suggestion.end,
        label=suggestion.label,
        text=suggestion.text,
        attributes=dict(suggestion.attributes),
        created_at="",
        updated_at="",
        origin=suggestion.origin,
    )


class SuggestionsMixin(_Base):
    """Suggestions as ghosts, the a/r/A keys, ``c`` and ``#`` on the span under the cursor."""

    annotate_session: AnnotateSession
    _by_ghost: dict[int, Suggestion]
    _count_span: Span | None
    _shown: list[Suggestion] | None  # what the ghosts show (None: not drawn on this article yet)

    def on_mount(self) -> None:
        self._by_ghost = {}
        self._shown = None
        self._count_span = None
        info = self.query_one("#spaninfo", Static)
        bar = LineBar(
            "count (digits; enter saves, escape cancels)",
            covers=info,
            on_submit=self._save_count,
            on_cancel=self._cancel_count,
            id="count",
        )
        info.parent.mount(bar, after=info)  # type: ignore[union-attr]
        super().on_mount()

    # -- drawing -------------------------------------------------------------------

    def redraw_extras(self) -> None:
        """The open suggestions as ghosts, after every change of the annotator's spans."""
        super().redraw_extras()
        if self.article_id is None:
            return
        suggestions = self.attempt(self.annotate_session.suggestions) or []
        if suggestions == self._shown:  # a tag or an edit elsewhere: repaint only its range
            return
        self._shown = suggestions
        ghosts = [ghost(i, s) for i, s in enumerate(suggestions)]
        self._by_ghost = {g.id: s for g, s in zip(ghosts, suggestions, strict=True)}
        self.text.set_ghosts(ghosts)

    def database_changed(self) -> None:
        """Suggestions stored meanwhile (``newsmark suggest``, an import) are drawn; the same
        ones as shown: nothing is repainted."""
        self.redraw_extras()

    def article_opened(self) -> None:
        super().article_opened()
        self._by_ghost, self._shown = {}, None

    def show_spans_at_cursor(self, spans: Sequence[Span]) -> None:
        """A suggestion at the cursor is named with its keys; otherwise the spans as always."""
        found = next((self._by_ghost[s.id] for s in spans if s.id in self._by_ghost), None)
        own = [s for s in spans if s.id >= 0]
        if found is None:
            super().show_spans_at_cursor(own)
            return
        info = Text(no_wrap=True, overflow="ellipsis")
        info.append(f"suggested {printable(found.label)} ", Style(bold=True))
        info.append(f"“{printable(found.text)}” ({printable(found.origin)})")
        info.append(" · a accept · r reject · A accept all", Style(dim=True))
        self.query_one("#spaninfo", Static).update(info, layout=False)

    def _suggestion_here(self) -> Suggestion | None:
        at = [s for s in self.text.spans_at(self.text.cursor) if s.id in self._by_ghost]
        return self._by_ghost[at[0].id] if at else None

    def _own_span_here(self) -> Span | None:
        at = [s for s in self.text.spans_at(self.text.cursor) if s.id >= 0]
        return at[0] if at else None

    # -- the keys --------------------------------------------------------------------

    def _answer(self, accept: bool) -> None:
        session = self.annotate_session
        if not session.suggestions_on():
            self.status_bar.set_note("suggestions are off")
            return
        found = self._suggestion_here()
        if found is None:
            self.status_bar.set_note("no suggestion under the cursor")
            return
        change = self.attempt(lambda: session.accept(found) if accept else session.reject(found))
        if change is not None:
            self.draw_change(change)

    def action_accept_suggestion(self) -> None:
        self._answer(True)

    def action_reject_suggestion(self) -> None:
        self._answer(False)

    def action_accept_all_suggestions(self) -> None:
        change = self.attempt(self.annotate_session.accept_all)
        if change is not None:
            self.draw_change(change)

    def action_cycle_kind(self) -> None:
        """The span under the cursor: its label's first choice attribute to the next value."""
        span = self._own_span_here()
        if span is None:
            self.status_bar.set_note("no span under the cursor")
            return
        change = self.attempt(lambda: self.annotate_session.cycle_choice(span))
        if change is not None:
            self.draw_change(change)

    def action_type_count(self) -> None:
        """Start typing the count of the span under the cursor, in the span line's place."""
        span = self._own_span_here()
        label = self.schema.get(span.label) if span else None
        if span is None or label is None or label.attribute("count") is None:
            self.status_bar.set_note("no span with a count under the cursor")
            return
        self._count_span = span
        bar = self.query_one("#count", LineBar)
        bar.value = "" if span.attributes.get("count") is None else str(span.attributes["count"])
        bar.open()

    def _save_count(self, typed: str) -> None:
        self.set_focus(self.text)
        span, self._count_span = self._count_span, None
        typed = typed.strip()
        if span is None:
            return
        if typed and not typed.isdigit():
            self.status_bar.set_note(f"not a count: {printable(typed)}")
            return
        value = int(typed) if typed else None
        change = self.attempt(lambda: self.annotate_session.set_attribute(span, "count", value))
        if change is not None:
            self.draw_change(replace(change))

    def _cancel_count(self) -> None:
        self._count_span = None
        self.set_focus(self.text)
