"""Suggestions on the annotate screen (a, r, A, u; { } stop at them) and the in-place
CASUALTY edits (c, #), driven with Pilot on a real SQLite file, checked in the database."""

from __future__ import annotations

from pathlib import Path

from tui_fixtures import Run, add_suggestions, running

from annotations.storage import Store

WHO = "ana"
PHRASES = [("Idlib", "LOCATION"), ("Turkey", "ACTOR"), ("Turkish", "ACTOR")]


def own(run: Run) -> list[tuple[int, int, str, str | None]]:
    with Store(run.app.db_path) as store:
        return [(s.start, s.end, s.label, s.origin) for s in store.spans(1, WHO)]


def open_count(db: Path) -> int:
    with Store(db) as store:
        return len(store.suggestions(1, WHO))


async def at_first_article_text(run: Run) -> None:
    await run.press("g", "enter")
    assert run.screen.article_id == 1 and run.text.has_focus


async def test_a_accepts_r_rejects_A_accepts_all_and_u_undoes_each(db):
    where = add_suggestions(db, PHRASES)
    first = min(where)
    async with running(db, WHO) as run:
        await at_first_article_text(run)
        assert len(run.text.ghosts) == 3
        run.text.move_to(first[0])
        await run.pilot.pause()
        assert run.info().startswith("suggested ") and "a accept" in run.info()
        await run.press("a")
        assert [s[:2] for s in own(run)] == [first] and own(run)[0][3] == "test.rule"
        assert len(run.text.ghosts) == 2 and open_count(db) == 2
        await run.press("u")
        assert own(run) == [] and len(run.text.ghosts) == 3
        run.text.move_to(first[0])
        await run.press("r")
        assert own(run) == [] and open_count(db) == 2 and len(run.text.ghosts) == 2
        await run.press("u")
        assert open_count(db) == 3
        await run.press("A")
        assert len(own(run)) == 3 and open_count(db) == 0 and run.text.ghosts == []
        await run.press("u")
        assert own(run) == [] and open_count(db) == 3 and len(run.text.ghosts) == 3


async def test_curly_brackets_stop_at_suggestions(db):
    where = sorted(add_suggestions(db, PHRASES))
    async with running(db, WHO) as run:
        await at_first_article_text(run)
        run.text.move_to(0)
        stops = []
        for _ in where:
            await run.press("right_curly_bracket")
            stops.append(run.text.cursor)
        starts = [s for s, _ in where]
        assert starts[0] == 0  # "Turkey" opens the text: } goes on from it, then wraps round
        assert stops == [*starts[1:], starts[0]]


async def test_off_for_the_run_draws_none_and_a_says_so(db):
    add_suggestions(db, PHRASES)
    async with running(db, WHO, suggest=False) as run:
        await at_first_article_text(run)
        assert run.text.ghosts == []
        await run.press("a", "A")
        assert own(run) == [] and open_count(db) == 3
        assert "suggestions are off" in str(run.screen.status_bar.render())


async def test_c_cycles_the_kind_and_hash_types_the_count_of_a_casualty(db):
    async with running(db, WHO) as run:
        await at_first_article_text(run)
        text = run.text.text
        start = text.index("two of its soldiers")
        end = start + len("two of its soldiers")
        span = run.screen.tag(start, end, "CASUALTY")
        assert span is not None
        run.text.move_to(start)
        await run.pilot.pause()
        before = span.attributes.get("kind")
        await run.press("c")
        with Store(db) as store:
            after = store.span(span.id).attributes.get("kind")  # type: ignore[union-attr]
        assert after != before
        await run.press("number_sign")
        run.screen.query_one("#count").value = ""  # type: ignore[attr-defined]
        await run.press("1", "2", "backspace", "3", "enter")
        with Store(db) as store:
            saved = store.span(span.id)
        assert saved is not None and saved.attributes.get("count") == 13
        assert saved.attributes.get("kind") == after
        assert run.text.has_focus
        await run.press("number_sign", "9", "escape")
        with Store(db) as store:
            assert store.span(span.id).attributes.get("count") == 13  # type: ignore[union-attr]
        assert "count=13" in run.info()


def test_the_environment_and_the_flag_turn_suggestions_off():
    from click.testing import CliRunner

    from tui.app import suggestions_wanted
    from tui.cli import main

    assert suggestions_wanted({}) and suggestions_wanted({"NEWSMARK_SUGGESTIONS": "on"})
    assert not any(suggestions_wanted({"NEWSMARK_SUGGESTIONS": v}) for v in ("off", "OFF", "0", "no"))
    assert "--no-suggestions" in CliRunner().invoke(main, ["annotate", "--help"]).output


async def test_the_stored_switch_for_the_annotator_turns_them_off(db):
    add_suggestions(db, PHRASES)
    with Store(db) as store:
        store.set_suggestions_enabled([WHO], False)
    async with running(db, WHO) as run:
        await at_first_article_text(run)
        assert run.text.ghosts == []
        await run.press("r")
        assert open_count(db) == 3


async def test_suggestions_stored_meanwhile_by_another_process_are_drawn(db):
    """``newsmark suggest`` runs while the article is open: its suggestions appear at the next
    look at the database (the 0.5 s poll), without reopening the article."""
    async with running(db, WHO) as run:
        await at_first_article_text(run)
        assert run.text.ghosts == []
        add_suggestions(db, PHRASES)  # another connection, as another process would
        run.screen.poll_changes()
        await run.pilot.pause()
        assert sorted(g.text for g in run.text.ghosts) == ["Idlib", "Turkey", "Turkish"]
        run.screen.poll_changes()  # nothing new: the same ghosts, not drawn again
        assert len(run.text.ghosts) == 3
