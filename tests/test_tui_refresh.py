"""The screen notices changes made elsewhere to the open article, and undo is the session's own:
the real app (Pilot) on a real SQLite file, with a second Store on the same file as the
other session (the same annotator in another terminal).

Waits poll the screen (the app looks every CHANGES_POLL_SECONDS) up to a generous
deadline, never sleep a fixed time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from tui_fixtures import FIRST_TITLE, Run, add_review_work, running, span_at

from annotations.model import Status
from annotations.storage import Store
from tui.screens.session_screen import CHANGES_POLL_SECONDS

WHO = "ana"
DEADLINE = 30.0  # seconds: a loaded machine may be slow, a working app is well under one


async def until(run: Run, done: Callable[[], bool], what: str) -> None:
    """Let the app run until ``done()`` holds (it polls the database on a timer)."""
    deadline = time.monotonic() + DEADLINE
    while not done():
        assert time.monotonic() < deadline, f"not within {DEADLINE} s: {what}"
        await run.pilot.pause(0.05)


def drawn(run: Run) -> list[tuple[str, str]]:
    """The spans the text pane draws, as (text, label)."""
    return [(s.text, s.label) for s in run.text.spans]


def status_line(run: Run) -> str:
    return str(run.screen.status_bar.render())


def where(store: Store, phrase: str) -> tuple[int, int]:
    article = store.article(1)
    assert article is not None and article.title == FIRST_TITLE
    return span_at(article.clean_text, phrase)


async def test_a_span_added_and_deleted_in_another_session_is_drawn_and_the_cursor_stays(db):
    async with running(db, WHO) as run:
        assert run.screen.article_id == 1
        await run.press("enter", "w", "w", "v", "l")  # the cursor two words in, a selection open
        cursor, selection = run.text.cursor, run.text.selection
        with Store(db) as other:
            span = other.add_span(1, WHO, *where(other, "Turkey"), "ACTOR")
            await until(run, lambda: drawn(run) == [("Turkey", "ACTOR")], "the other session's span")
            assert run.screen.session.spans == [span]
            assert (run.text.cursor, run.text.selection) == (cursor, selection)
            other.delete_span(span.id)
            await until(run, lambda: drawn(run) == [], "the other session's delete")
        assert (run.text.cursor, run.text.selection) == (cursor, selection)


async def test_a_status_set_in_another_session_shows_in_the_header_and_progress(db):
    async with running(db, WHO) as run:
        head = run.screen.query_one("#head")
        assert "[new]" in str(head.render())
        with Store(db) as other:
            other.set_status(1, WHO, Status.FLAGGED)
        await until(run, lambda: "[flagged]" in str(head.render()), "the new status in the header")
        with Store(db) as other:
            other.set_status(1, WHO, Status.DONE)
        await until(run, lambda: "done 1/" in status_line(run), "the progress")
        with Store(db) as other:
            other.set_status(5, WHO, Status.DONE)  # another article than the open one
        await until(run, lambda: "done 2/" in status_line(run), "the progress of another article")


async def test_nothing_changed_means_one_pragma_a_tick_and_no_redraw(db):
    async with running(db, WHO) as run:
        statements: list[str] = []
        run.screen.store.conn.set_trace_callback(statements.append)
        version = run.text._version  # bumped by every set_spans
        await until(run, lambda: len(statements) >= 4, "the screen looking for changes, four times")
        run.screen.store.conn.set_trace_callback(None)
        assert set(statements) == {"PRAGMA data_version"}
        assert run.text._version == version


async def test_u_never_undoes_the_span_the_other_session_just_made(db):
    async with running(db, WHO) as run:
        await run.press("enter", "1")  # "Turkey" ACTOR, in this session
        with Store(db) as other:
            theirs = other.add_span(1, WHO, *where(other, "Idlib"), "LOCATION")
            await until(run, lambda: len(drawn(run)) == 2, "the other session's span")
            await run.press("u")
            assert drawn(run) == [("Idlib", "LOCATION")]
            assert other.spans(1, WHO) == [theirs]
            await run.press("u")  # nothing of this session's left; the other is running
            assert "nothing to undo" in status_line(run)
            assert other.spans(1, WHO) == [theirs]


async def test_undo_of_a_span_relabelled_elsewhere_is_refused_in_the_status_bar(db):
    async with running(db, WHO) as run:
        await run.press("enter", "1")
        (mine,) = run.stored_spans(1, WHO)
        with Store(db) as other:
            other.update_span(mine.id, label="LOCATION")
        await run.press("u")
        line = status_line(run)
        assert "cannot undo adding ACTOR “Turkey”: changed in another session" in line, line
        assert "NOT SAVED" not in line
        assert drawn(run) == [("Turkey", "LOCATION")]  # drawn as it is now, not as it was
        assert [s.label for s in run.stored_spans(1, WHO)] == ["LOCATION"]


async def test_saving_the_edit_dialog_of_a_span_deleted_meanwhile_is_refused(db):
    async with running(db, WHO) as run:
        await run.press("enter", "1", "e")
        assert run.app.screen is not run.screen  # the dialog is open
        (mine,) = run.stored_spans(1, WHO)
        with Store(db) as other:
            other.delete_span(mine.id)
        await asyncio.sleep(CHANGES_POLL_SECONDS * 2)  # the screen must not redraw under the dialog
        await run.pilot.pause()
        assert drawn(run) == [("Turkey", "ACTOR")]
        await run.press("2", "ctrl+s")  # relabel, save
        assert run.app.screen is run.screen
        await until(run, lambda: "deleted in another session" in status_line(run), "the refusal")
        assert drawn(run) == [] and run.stored_spans(1, WHO) == []  # not written back
        assert "NOT SAVED" not in status_line(run)


async def test_the_review_screen_draws_an_annotators_change_made_meanwhile(db):
    add_review_work(db)  # alice and bob finished article 1, and disagree
    async with running(db, "rita", review=()) as run:
        assert run.screen.article_id == 1
        ghosts = {(s.text, s.label) for s in run.text.ghosts}
        with Store(db) as bob:
            bob.add_span(1, "bob", *where(bob, "Idlib"), "LOCATION")  # bob was not done after all
        await until(
            run, lambda: ("Idlib", "LOCATION") in {(s.text, s.label) for s in run.text.ghosts}, "ghost"
        )
        assert ghosts < {(s.text, s.label) for s in run.text.ghosts}
