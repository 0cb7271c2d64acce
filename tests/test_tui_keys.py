"""Every key of the annotator, driven with Pilot on a real SQLite file.

Each test copies a database built once from ``sample_corpus/`` and runs the real
app (``NewsmarkApp.run_test``); what a key saved is checked in the database
itself, and the ``Saved`` messages are captured with ``message_hook`` (as in
Harlequin's functional tests).
"""

from __future__ import annotations

from pathlib import Path

from tui_fixtures import Run, running

from annotations.model import Span, Status
from annotations.storage import Store
from tests.test_session_annotate import refuse
from tui.screens.annotate import AnnotateScreen

WHO = "ana"


def start(db: Path, **kwargs):
    """``async with start(db) as run:`` — the app, started, on ``db``, as ana."""
    return running(db, WHO, **kwargs)


def spans(run: Run, article_id: int | None = None) -> list[Span]:
    """ana's spans in the database, on the open article unless told."""
    return run.stored_spans(article_id or run.screen.article_id, WHO)


async def open_first(run: Run) -> None:
    await run.press("g", "enter")
    assert run.text.has_focus
    assert run.screen.article_id == run.list.model.id_at(0)


def word_at_cursor(run: Run) -> str:
    s, e = run.text.tokens.word_at(run.text.cursor)
    return run.text.text[s:e]


# -- list ----------------------------------------------------------------------------


async def test_list_moves_with_j_k_and_arrows_and_enter_opens(db):
    async with start(db) as run:
        assert run.list.has_focus
        await run.press("g")
        assert run.list.cursor == 0
        await run.press("j", "j", "down")
        assert run.list.cursor == 3
        await run.press("k", "up")
        assert run.list.cursor == 1
        await run.press("enter")
        assert run.screen.article_id == run.list.model.id_at(1)
        assert run.text.has_focus
        assert run.text.article.id == run.screen.article_id


async def test_start_opens_first_article_to_do_and_shows_progress(db):
    with Store(db) as store:
        store.set_status(1, WHO, Status.DONE)
    async with start(db) as run:
        assert run.screen.article_id == 2
        bar = run.screen.status_bar
        assert (bar.done, bar.total) == (1, len(run.list.model))


async def test_tab_switches_panes(db):
    async with start(db) as run:
        assert run.list.has_focus
        await run.press("tab")
        assert run.text.has_focus
        await run.press("tab")
        assert run.list.has_focus


async def test_slash_in_list_searches_the_corpus_and_puts_cursor_on_first_hit(db):
    async with start(db) as run:
        await run.press("slash", *"Idlib", "enter")
        await run.app.workers.wait_for_complete()
        await run.pilot.pause()
        model = run.list.model
        assert model.query == "Idlib" and 0 < len(model) < 26
        assert run.list.has_focus and run.list.cursor == 0
        with Store(db) as store:
            assert model.id_at(0) == store.search("Idlib", 1)[0].id
        await run.press("escape")  # back to the whole list
        await run.app.workers.wait_for_complete()
        await run.pilot.pause()
        assert model.query is None and len(model) == 26


async def test_search_with_fts_syntax_errors_is_searched_as_words(db):
    async with start(db) as run:
        await run.press("slash", *'Idlib AND ("', "enter")
        await run.app.workers.wait_for_complete()
        await run.pilot.pause()
        assert run.list.model.query == 'Idlib AND ("'
        assert len(run.list.model) > 0


async def test_t_cycles_the_status_views(db):
    with Store(db) as store:
        store.set_status(1, WHO, Status.DONE)
        store.set_status(2, WHO, Status.FLAGGED)
    async with start(db) as run:
        views = []
        for _ in range(4):
            await run.press("t")
            await run.app.workers.wait_for_complete()
            await run.pilot.pause()
            views.append((run.list.model.view, len(run.list.model)))
        assert views == [("todo", 24), ("done", 1), ("flagged", 1), ("all", 26)]


async def test_assigned_annotator_starts_on_their_queue_and_to_do_shows_it(db):
    """newsmark assign: articles 3 and 5 are ana's, 1 and 2 went to others only."""
    with Store(db) as store:
        store.assign({WHO: [3, 5], "ben": [1, 2, 3], "cy": [1, 2, 5]})
    async with start(db) as run:
        assert run.screen.article_id == 3  # her own queue first, not article 1
        await run.press("t")
        await run.app.workers.wait_for_complete()
        await run.pilot.pause()
        ids = run.list.model.ids
        assert 3 in ids and 5 in ids and 1 not in ids and 2 not in ids and 4 in ids
        assert "to do: yours" in str(run.screen.query_one("#list-title").render())
        await run.press("tab", "d")  # done with 3: on to 5, her next one
        assert run.screen.article_id == 5


# -- text: moving and selecting ------------------------------------------------------


async def test_h_l_w_b_j_k_move_the_text_cursor(db):
    async with start(db) as run:
        await open_first(run)
        text = run.text
        assert text.cursor == 0
        await run.press("l", "l", "right")
        assert text.cursor == 3
        await run.press("h", "left")
        assert text.cursor == 1
        await run.press("b")
        assert text.cursor == 0
        await run.press("w")
        first_word_end = text.tokens.word_at(0)[1]
        assert text.cursor > first_word_end - 1 and not text.text[text.cursor].isspace()
        await run.press("w", "b")
        assert text.tokens.word_at(text.cursor)[0] == text.cursor
        row = text.layout_rows.row_of(text.cursor)
        await run.press("j")
        assert text.layout_rows.row_of(text.cursor) == row + 1
        await run.press("k")
        assert text.layout_rows.row_of(text.cursor) == row


async def test_v_starts_a_selection_that_movement_extends_and_shift_arrows_too(db):
    async with start(db) as run:
        await open_first(run)
        await run.press("v", "w")
        sel = run.text.selection()
        assert sel is not None and sel[0] == 0 and sel[1] == run.text.cursor + 1
        await run.press("escape")
        assert run.text.selection() is None
        await run.press("shift+right", "shift+right")
        a, b = run.text.selection()
        assert b - a == 3


# -- tagging and the snap rule --------------------------------------------------------


async def test_1_2_3_tag_the_word_under_the_cursor_and_save_at_once(db):
    async with start(db) as run:
        await open_first(run)
        for key, label in (("1", "ACTOR"), ("2", "CASUALTY"), ("3", "LOCATION")):
            await run.press("w", key)
            span = next(s for s in spans(run) if s.label == label)
            assert span.text == word_at_cursor(run)
        assert [m.what for m in run.saved] == ["tag", "tag", "tag"]
        # the list row shows the span count, the article is in progress
        row = run.list.model.row(run.list.model.index_of(run.screen.article_id))
        assert row.spans == 3 and row.status is Status.IN_PROGRESS


async def test_selection_snaps_to_tokens_never_whitespace_or_trailing_punctuation(db):
    async with start(db) as run:
        await open_first(run)
        text = run.text.text
        # "Idlib," somewhere in the first seed: select from inside the word before to the comma
        i = text.index("Idlib,")
        run.text.cursor = i - 3  # inside the preceding words / spaces
        await run.press("v")
        run.text.cursor = i + len("Idlib,")  # the space after the comma
        await run.pilot.pause()
        await run.press("3")
        span = spans(run)[-1]
        assert span.text.endswith("Idlib") and not span.text.endswith(",")
        assert not span.text[0].isspace() and not span.text[-1].isspace()
        # a start inside a word moves to the word's start
        before = text[: span.start]
        assert span.start == 0 or not (before[-1].isalnum())


async def test_selection_of_nothing_but_punctuation_tags_nothing(db):
    async with start(db) as run:
        await open_first(run)
        text = run.text.text
        i = text.index(", ")
        run.text.cursor = i
        await run.press("v", "l", "2")
        assert spans(run) == []
        assert run.saved == []


async def test_a_tag_the_database_refuses_is_said_in_the_status_bar_and_not_drawn(db):
    refuse(db, "INSERT")
    async with start(db) as run:
        await open_first(run)
        await run.press("1")
        assert "NOT SAVED: disk full" in str(run.screen.status_bar.render())
        assert spans(run) == [] and run.text.spans == [] and run.saved == []


async def test_not_saved_stays_in_the_status_bar_until_a_save_succeeds(db):
    async with start(db) as run:
        await open_first(run)
        await run.press("1")  # saved: "✓ saved ... ACTOR “Turkey”"
        assert "✓ saved" in str(run.screen.status_bar.render())
        refuse(db, "INSERT")
        await run.press("w", "2")
        line = str(run.screen.status_bar.render())
        assert "NOT SAVED: disk full" in line and "✓ saved" not in line
        assert "Turkey" not in line  # the last save's note would read as if this one were saved
        await run.press("w", "l", "b", "j", "k", "0")  # moving about
        await run.press("g", "1")  # already tagged: a refusal, not a save
        assert "NOT SAVED: disk full" in str(run.screen.status_bar.render())
        with Store(db) as store:
            store.conn.execute("DROP TRIGGER refuse")
        await run.press("w", "w", "3")
        line = str(run.screen.status_bar.render())
        assert "✓ saved" in line and "NOT SAVED" not in line


# -- deleting, editing, jumping ----------------------------------------------------------


async def test_x_deletes_the_span_under_the_cursor(db):
    async with start(db) as run:
        await open_first(run)
        await run.press("1")
        assert len(spans(run)) == 1
        await run.press("x")
        assert spans(run) == []
        assert [m.what for m in run.saved] == ["tag", "delete"]


async def test_e_edits_the_label_and_attributes(db):
    async with start(db) as run:
        await open_first(run)
        await run.press("1", "e")
        await run.press("2")  # the CASUALTY key picks the label in the dialog
        await run.press("tab")
        for attr, value in (("kind", "killed"), ("count", "2")):
            run.app.screen.query_one(f"#attr-{attr}").value = value
        await run.press("ctrl+s")
        (span,) = spans(run)
        assert span.label == "CASUALTY"
        assert span.attributes == {"kind": "killed", "count": 2}


async def test_e_rejects_a_bad_attribute_and_keeps_the_dialog_open(db):
    async with start(db) as run:
        await open_first(run)
        await run.press("2")
        (tagged,) = spans(run)  # the CASUALTY filler read kind and count from the words
        await run.press("e")
        run.app.screen.query_one("#attr-count").value = "many"
        await run.press("ctrl+s")
        assert not isinstance(run.app.screen, AnnotateScreen)
        await run.press("escape")
        (span,) = spans(run)
        assert span.attributes == tagged.attributes


async def test_braces_jump_between_spans(db):
    async with start(db) as run:
        await open_first(run)
        await run.press("1", "w", "w", "2", "w", "w", "3", "g")
        starts = sorted(s.start for s in spans(run))
        await run.press("right_curly_bracket")
        assert run.text.cursor == starts[1]  # the span at 0 is under the cursor already
        await run.press("right_curly_bracket")
        assert run.text.cursor == starts[2]
        await run.press("left_curly_bracket")
        assert run.text.cursor == starts[1]
        await run.press("right_curly_bracket", "right_curly_bracket")
        assert run.text.cursor == starts[0]  # wraps round


async def test_overlapping_spans_are_both_kept_and_x_takes_the_picked_one(db):
    async with start(db) as run:
        await open_first(run)
        await run.press("v", "w", "w", "2", "1")  # CASUALTY over three words, ACTOR on the first
        labels = sorted(s.label for s in spans(run))
        assert labels == ["ACTOR", "CASUALTY"]
        await run.press("x")  # the innermost (ACTOR) goes first
        assert [s.label for s in spans(run)] == ["CASUALTY"]


# -- undo / redo, also after a restart ------------------------------------------------


async def test_u_undoes_and_ctrl_r_redoes(db):
    async with start(db) as run:
        await open_first(run)
        await run.press("1", "w", "3")
        assert len(spans(run)) == 2
        await run.press("u")
        assert [s.label for s in spans(run)] == ["ACTOR"]
        await run.press("u")
        assert spans(run) == []
        await run.press("ctrl+r")
        assert [s.label for s in spans(run)] == ["ACTOR"]


async def test_undo_and_redo_survive_a_restart(db):
    async with start(db) as run:
        await open_first(run)
        article = run.screen.article_id
        await run.press("1", "x")  # tag, then delete
        assert spans(run) == []
    async with start(db) as run:
        await run.press("u")  # undo the delete: the span is back, its article open
        assert run.screen.article_id == article
        assert [s.label for s in spans(run, article)] == ["ACTOR"]
        await run.press("u")
        assert spans(run, article) == []
    async with start(db) as run:
        await run.press("ctrl+r")
        assert [s.label for s in spans(run, article)] == ["ACTOR"]


async def test_undo_reverts_a_status_change(db):
    async with start(db) as run:
        await open_first(run)
        article = run.screen.article_id
        await run.press("d")
        with Store(db) as store:
            assert store.status(article, WHO) is Status.DONE
        await run.press("u")
        with Store(db) as store:
            assert store.status(article, WHO) is Status.NEW
        assert run.screen.article_id == article


# -- statuses and moving between articles -------------------------------------------------


async def test_d_marks_done_and_opens_the_next_to_do(db):
    with Store(db) as store:
        store.set_status(2, WHO, Status.DONE)
    async with start(db) as run:
        await open_first(run)
        assert run.screen.article_id == 1
        await run.press("d")
        assert run.screen.article_id == 3  # 2 is done already
        assert run.screen.status_bar.done == 2
        row = run.list.model.row(run.list.model.index_of(1))
        assert row.status is Status.DONE


async def test_s_skips_and_f_flags(db):
    async with start(db) as run:
        await open_first(run)
        await run.press("s")
        await run.press("f")
        with Store(db) as store:
            assert store.status(1, WHO) is Status.SKIPPED
            assert store.status(2, WHO) is Status.FLAGGED
        assert run.screen.article_id == 3


async def test_brackets_open_next_and_previous_article(db):
    async with start(db) as run:
        await open_first(run)
        await run.press("right_square_bracket", "right_square_bracket")
        assert run.screen.article_id == run.list.model.id_at(2)
        await run.press("left_square_bracket")
        assert run.screen.article_id == run.list.model.id_at(1)
        assert run.list.cursor == 1


# -- find in the article ---------------------------------------------------------------


async def test_slash_in_text_finds_and_n_goes_to_the_next_match(db):
    async with start(db) as run:
        await open_first(run)
        text = run.text.text
        await run.press("slash", *"idlib", "enter")
        assert run.text.has_focus
        first = text.lower().index("idlib")
        assert run.text.selection() == (first, first + 5)
        await run.press("n")
        second = text.lower().index("idlib", first + 1)
        assert run.text.selection() == (second, second + 5)
        await run.press("1")  # tags the match
        assert spans(run)[-1].text == text[second : second + 5]


# -- help, palette, keymap, labels, quit ----------------------------------------------


async def test_question_mark_shows_every_action_with_its_keys(db):
    from tui.screens.help import HelpScreen

    async with start(db) as run:
        await run.press("question_mark")
        assert isinstance(run.app.screen, HelpScreen)
        await run.press("escape")
        assert isinstance(run.app.screen, AnnotateScreen)


async def test_command_palette_runs_an_action(db):
    async with start(db) as run:
        await open_first(run)
        article = run.screen.article_id
        await run.press("ctrl+p")
        await run.press(*"mark the article done")
        await run.pilot.pause(0.3)
        await run.press("enter")
        await run.pilot.pause(0.1)
        with Store(db) as store:
            assert store.status(article, WHO) is Status.DONE


async def test_keymap_rebinds_by_id_and_help_shows_the_new_key(db):
    from tui.keymap import binding_rows

    async with start(db, keymap={"text.select": "space", "tag.actor": "a"}) as run:
        await open_first(run)
        await run.press("space", "w", "a")
        (span,) = spans(run)
        assert span.label == "ACTOR" and len(span.text.split()) == 2
        keys = {r.id: r.keys for r in binding_rows(run.app)}
        assert keys["text.select"] == "space" and keys["tag.actor"] == "a"


async def test_label_schema_file_sets_labels_and_keys(db, tmp_path):
    from annotations.labels import load_schema

    path = tmp_path / "labels.toml"
    path.write_text('[[labels]]\nname = "WEAPON"\nkey = "4"\ncolour = "yellow"\n')
    async with start(db, schema=load_schema(path)) as run:
        await open_first(run)
        await run.press("1", "4")
        assert [s.label for s in spans(run)] == ["WEAPON"]


async def test_q_quits(db):
    async with start(db) as run:
        await run.press("q")
        assert run.app.return_code == 0 or not run.app.is_running


# -- mouse -------------------------------------------------------------------------------


async def test_drag_selects_and_click_picks_a_span(db):
    async with start(db) as run:
        await open_first(run)
        text_widget = run.text
        # drag from column 0 to column 8 on the first text row, then tag
        await run.pilot.mouse_down(text_widget, offset=(0, 0))
        await run.pilot.hover(text_widget, offset=(8, 0))
        await run.pilot.mouse_up(text_widget, offset=(8, 0))
        await run.pilot.pause()
        assert text_widget.selection() is not None
        await run.press("3")
        (span,) = spans(run)
        assert span.start == 0 and span.label == "LOCATION"
        await run.pilot.click(text_widget, offset=(1, 0))
        await run.pilot.pause()
        assert text_widget.picked == span.id
