"""SVG snapshots of the annotator at 80x24 (pytest-textual-snapshot).

Regenerate with ``python -m pytest tests/test_tui_snapshots.py --snapshot-update``
and look at the report / the SVGs in tests/__snapshots__/ before committing them.

Every snapshot waits for the app's thread workers (the view id list and the
progress counts, corpus search) so what is drawn does not depend on timing, and
the "✓ saved HH:MM:SS" clock is frozen at 12:00:00.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_fixtures import MARKUP_TITLE, add_demo_spans, add_suggestions, build_db, screen_output

from tui.app import NewsmarkApp
from tui.screens.annotate import AnnotateScreen
from tui.screens.edit_span import EditSpanScreen
from tui.screens.help import HelpScreen
from tui.widgets.article_text import ArticleText

SIZE = (80, 24)
ANNOTATOR = "snap"


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    """The status bar shows the time of the last save: freeze it."""
    monkeypatch.setattr("tui.screens.session_screen.clock", lambda: "12:00:00")


@pytest.fixture
def corpus_db(tmp_path: Path) -> Path:
    return build_db(tmp_path / "snap.db")


@pytest.fixture
def annotated_db(corpus_db: Path) -> Path:
    add_demo_spans(corpus_db, ANNOTATOR)
    return corpus_db


async def settle(pilot) -> None:
    """Let thread workers finish and their messages be handled."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def keys_then_settle(*keys: str, until=None):
    """A run_before that presses ``keys``, settling (workers done) before and after.

    ``until(app)``: the state the screenshot is meant to show; waited for (up to
    5 s), so a slow machine gives a clear failure instead of a half-drawn screen.
    """

    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        if until is not None:
            for _ in range(100):
                if until(pilot.app):
                    break
                await pilot.pause(0.05)
            assert until(pilot.app), "the app did not reach the state to snapshot"
        # One more full refresh of the top screen before the screenshot.
        pilot.app.screen.refresh(layout=True)
        await settle(pilot)

    return run_before


def on_screen(kind):
    """until: ``kind`` is the top screen and has been laid out."""
    return lambda app: (
        isinstance(app.screen, kind)
        and app.screen.size.area > 0
        and all(w.size.area > 0 for w in app.screen.query("OptionList, VerticalScroll"))
    )


def search_shown(query: str):
    """until: the list shows the hits of ``query`` and has the focus again."""
    return lambda app: (
        isinstance(app.screen, AnnotateScreen)
        and app.screen.model.query == query
        and len(app.screen.model) > 0
        and app.focused is app.screen.list
    )


def text_focused(app) -> bool:
    return isinstance(app.focused, ArticleText) and app.focused.article is not None


# 13 ``w`` from the article start put the cursor on "Syrian" (of "Syrian government").
TO_SYRIAN = ["w"] * 13


def test_main_screen_at_start(snap_compare, corpus_db):
    """(a) List focused, first article open, status bar with progress 0/26."""
    assert snap_compare(
        NewsmarkApp(corpus_db, ANNOTATOR),
        terminal_size=SIZE,
        run_before=keys_then_settle(until=on_screen(AnnotateScreen)),
    )


def test_article_with_spans_and_selection(snap_compare, annotated_db):
    """(b) Spans of the three labels (one nested in another), one more tagged with
    the keys (v, w, 1 over "Syrian government"), then a selection in progress."""
    keys = ["enter", *TO_SYRIAN, "v", "w", "1", "w", "v", "w", "w"]
    assert snap_compare(
        NewsmarkApp(annotated_db, ANNOTATOR),
        terminal_size=SIZE,
        run_before=keys_then_settle(*keys, until=text_focused),
    )


def test_help_screen(snap_compare, corpus_db):
    """(c) ``?``."""
    assert snap_compare(
        NewsmarkApp(corpus_db, ANNOTATOR),
        terminal_size=SIZE,
        run_before=keys_then_settle("question_mark", until=on_screen(HelpScreen)),
    )


def test_edit_span_dialog(snap_compare, annotated_db):
    """(d) ``e`` on the CASUALTY span "two of its soldiers were killed" (kind, count)."""
    assert snap_compare(
        NewsmarkApp(annotated_db, ANNOTATOR),
        terminal_size=SIZE,
        run_before=keys_then_settle("enter", "w", "w", "e", until=on_screen(EditSpanScreen)),
    )


def test_search_results(snap_compare, corpus_db):
    """(e) ``/ Idlib enter``: ranked hits in the list."""
    keys = ["slash", *"Idlib", "enter"]
    assert snap_compare(
        NewsmarkApp(corpus_db, ANNOTATOR),
        terminal_size=SIZE,
        run_before=keys_then_settle(*keys, until=search_shown("Idlib")),
    )


def test_light_theme(snap_compare, annotated_db):
    """(f) ``theme="light"`` with the spans showing."""
    assert snap_compare(
        NewsmarkApp(annotated_db, ANNOTATOR, theme="light"),
        terminal_size=SIZE,
        run_before=keys_then_settle("enter", "w", "w", until=text_focused),
    )


def test_no_color(snap_compare, annotated_db, monkeypatch):
    """(g) NO_COLOR: spans must still be told apart (underline; overlaps bold italic)."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = NewsmarkApp(annotated_db, ANNOTATOR)
    assert app.no_color
    assert snap_compare(
        app, terminal_size=SIZE, run_before=keys_then_settle("enter", "w", "w", until=text_focused)
    )


@pytest.fixture
def markup_db(tmp_path: Path) -> Path:
    return build_db(tmp_path / "markup.db", markup_first=True)


def test_markup_article(snap_compare, markup_db):
    """(h) Markup in the title, source and text is drawn literally; escapes never sent."""
    assert snap_compare(
        NewsmarkApp(markup_db, ANNOTATOR),
        terminal_size=SIZE,
        run_before=keys_then_settle("enter", until=text_focused),
    )


async def test_markup_is_literal_and_escape_not_sent(markup_db):
    """Pilot: the screen text holds the markup literally; ESC / BEL never reach the terminal."""
    app = NewsmarkApp(markup_db, ANNOTATOR)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        text, raw = screen_output(app)
        # Title in the head line (and in the list row, cut to fit the column).
        assert MARKUP_TITLE in text
        assert "[bold red]Alert[/]" in text
        # Article text: markup as typed; control characters drawn as visible pictures, offsets kept.
        assert "[bold red]Alert[/] Rebels said [/] they took the town." in text
        assert "Before␛[31mAFTER" in text
        assert "[@click=app.quit]not a link[/]" in text
        assert "[dim]wire[/dim]" in text
        # What would go to the terminal: the article's own ESC/BEL bytes are not there.
        assert "\x1b[31mAFTER" not in raw
        assert "\x1b]0;pwned" not in raw
        assert "\x07" not in raw
        widget = app.screen.query_one(ArticleText)
        rendered = "".join(seg.text for y in range(widget.size.height) for seg in widget.render_line(y))
        assert "\x1b" not in rendered and "\x07" not in rendered
        assert "[i]not italic[/i]" in rendered


def test_review_screen_on_a_disagreement(snap_compare, corpus_db):
    """(f) ``newsmark review``: alice's and bob's spans not agreed are drawn underlined without
    a background; ``>`` goes to the first disagreement, whose versions show under the text."""
    from tui_fixtures import add_review_work

    from tui.screens.review import ReviewScreen

    add_review_work(corpus_db)
    app = NewsmarkApp(corpus_db, "rita", review=())
    assert snap_compare(
        app,
        terminal_size=SIZE,
        run_before=keys_then_settle("tab", "greater_than_sign", until=on_screen(ReviewScreen)),
    )


def test_suggestions_drawn_as_ghosts(snap_compare, annotated_db):
    """Suggestions underlined in their label's colour, apart from the annotator's spans;
    ``}`` twice from "Turkey" stops at the suggested "five others wounded": the span line
    names it, its rule and its keys."""
    add_suggestions(
        annotated_db,
        [("five others wounded", "CASUALTY"), ("Syrian government", "ACTOR")],
        origin="casualty.verb",
    )
    assert snap_compare(
        NewsmarkApp(annotated_db, ANNOTATOR),
        terminal_size=SIZE,
        run_before=keys_then_settle(
            "enter", "right_curly_bracket", "right_curly_bracket", until=text_focused
        ),
    )
