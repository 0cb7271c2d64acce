"""Review mode, driven with Pilot on a real SQLite file.

alice and bob finished article 1 and disagree on it (see ``REVIEW_PLAN`` in
tui_fixtures); they agree on all of article 2; only alice finished article 3.
The reviewer is rita. Every check of what a key did reads the database.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from tui_fixtures import Run, add_review_work, build_db, running, span_at

from annotations.model import Status
from annotations.storage import Store
from tests.test_session_annotate import refuse
from tui.cli import main
from tui.screens.review import ReviewScreen

REVIEWER = "rita"
AGREED = [("Turkey", "ACTOR"), ("northwest Syria", "LOCATION")]


@pytest.fixture(scope="session")
def review_template(tmp_path_factory) -> Path:
    path = build_db(tmp_path_factory.mktemp("review") / "review.db")
    add_review_work(path)
    with Store(path) as store:
        text2 = store.article(2).clean_text
    agreed = {"alice": [("Turkish soldiers", "CASUALTY")], "bob": [("Turkish soldiers", "CASUALTY")]}
    assert "Turkish soldiers" in text2
    add_review_work(path, 2, agreed)
    add_review_work(path, 3, {"alice": [("Miras", "LOCATION")]})
    return path


@pytest.fixture
def db(review_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "newsmark.db"
    shutil.copy(review_template, path)
    return path


def start(db: Path, annotators: tuple[str, ...] = ()):
    """``async with start(db) as run:`` the app in review mode, as rita."""
    return running(db, REVIEWER, review=annotators)


def spans(run: Run, article_id: int = 1) -> list[tuple[str, str]]:
    """rita's spans in the database, as (text, label)."""
    return sorted((s.text, s.label) for s in run.stored_spans(article_id, REVIEWER))


def decisions(run: Run, article_id: int = 1) -> dict:
    with Store(run.app.db_path) as store:
        return store.decisions(article_id, REVIEWER)


def review_screen(run: Run) -> ReviewScreen:
    screen = run.screen
    assert isinstance(screen, ReviewScreen)
    return screen


async def test_review_opens_on_the_queue_with_agreed_spans_accepted(db):
    async with start(db) as run:
        screen = run.screen
        assert screen.model.ids == [1, 2]  # article 3: only alice finished it
        assert screen.article_id == 1
        assert spans(run) == sorted(AGREED)  # the consensus, as rita's annotation
        with Store(db) as store:
            assert store.status(1, REVIEWER) is Status.IN_PROGRESS
            assert store.edits(REVIEWER) == []  # starting a review is not an undoable action
        ghosts = sorted((g.text, g.annotator) for g in run.text.ghosts)
        assert ghosts == [
            ("Syrian government", "bob"),
            ("Syrian government air strikes", "alice"),
            ("Turkish military fatalities", "bob"),
        ]
        head = str(screen.query_one("#head").render())
        assert "alice, bob" in head and "2 disagreements, 2 open" in head
        assert screen.status_bar.progress_word == "reviewed"


async def test_next_disagreement_then_accept_takes_that_version_in_one_undo_step(db):
    async with start(db) as run:
        await run.press("tab", "greater_than_sign")
        text = run.text.text
        first = span_at(text, "Syrian government air strikes")
        assert run.text.cursor == first[0]
        assert "1/2 OPEN" in run.info() and "alice" in run.info() and "bob" in run.info()
        await run.press("right_curly_bracket")  # from alice's span to bob's, same start
        assert run.text.span_under_cursor().annotator == "bob"
        await run.press("a")
        assert spans(run) == sorted([*AGREED, ("Syrian government", "ACTOR")])
        assert decisions(run) == {(first[0], first[1]): "bob"}
        assert [m.what for m in run.saved] == ["settle"]
        assert "settled (bob)" in run.info()
        # changing one's mind: alice's version replaces bob's
        await run.press("left_curly_bracket")
        while run.text.span_under_cursor().annotator != "alice":
            await run.press("right_curly_bracket")
        await run.press("a")
        assert spans(run) == sorted([*AGREED, ("Syrian government air strikes", "ACTOR")])
        assert decisions(run) == {(first[0], first[1]): "alice"}
        # one u takes back the whole second choice: delete + add + decision
        await run.press("u")
        assert spans(run) == sorted([*AGREED, ("Syrian government", "ACTOR")])
        assert decisions(run) == {(first[0], first[1]): "bob"}
        await run.press("u")
        assert spans(run) == sorted(AGREED)
        assert decisions(run) == {}
        await run.press("ctrl+r")
        assert spans(run) == sorted([*AGREED, ("Syrian government", "ACTOR")])
        assert "1 open" in str(run.screen.query_one("#head").render())


async def test_none_settles_with_no_span_and_previous_wraps(db):
    async with start(db) as run:
        await run.press("tab", "less_than_sign")  # from the top, back round to the last
        region = span_at(run.text.text, "Turkish military fatalities")
        assert run.text.cursor == region[0]
        await run.press("r")
        assert decisions(run) == {region: "none"}
        assert ("Turkish military fatalities", "CASUALTY") not in spans(run)
        # r again on a settled region changes nothing and logs nothing new
        with Store(db) as store:
            before = len(store.edits(REVIEWER))
        await run.press("r")
        with Store(db) as store:
            assert len(store.edits(REVIEWER)) == before


async def test_tagging_by_hand_in_a_disagreement_settles_it_as_edited(db):
    async with start(db) as run:
        await run.press("tab", "less_than_sign")
        start_, _ = span_at(run.text.text, "Turkish military fatalities")
        await run.press("w")  # "military"
        await run.press("2")  # CASUALTY: the word under the cursor
        assert ("military", "CASUALTY") in spans(run)
        region = span_at(run.text.text, "Turkish military fatalities")
        assert decisions(run) == {region: "edited"}
        await run.press("u")  # the tag and the decision go together
        assert ("military", "CASUALTY") not in spans(run)
        assert decisions(run) == {}


async def test_ghost_spans_cannot_be_deleted_or_edited_from_here(db):
    async with start(db) as run:
        await run.press("tab", "greater_than_sign")
        assert run.text.span_under_cursor().id < 0
        await run.press("x")
        await run.press("e")
        assert run.app.screen is run.screen  # no edit dialog for someone else's span
        assert "a takes that version" in str(run.screen.status_bar.render())
        assert spans(run) == sorted(AGREED)


async def test_accept_needs_a_span_under_the_cursor(db):
    async with start(db) as run:
        await run.press("tab", "g", "a")  # "Turkey": agreed, in no disagreement
        assert decisions(run) == {}
        assert "put the cursor on an annotator's span" in str(run.screen.status_bar.render())


async def test_a_refused_accept_is_said_and_the_review_drawn_as_saved(db):
    async with start(db) as run:
        await run.press("tab", "greater_than_sign")
        refuse(db, "INSERT")
        await run.press("a")
        assert "NOT SAVED: disk full" in str(run.screen.status_bar.render())
        assert spans(run) == sorted(AGREED) and decisions(run) == {}
        assert sorted((s.text, s.label) for s in run.text.spans) == sorted(AGREED)
        assert len(run.text.ghosts) == 3


async def test_done_marks_reviewed_and_opens_the_next_to_review(db):
    async with start(db) as run:
        await run.press("tab", "greater_than_sign", "a", "greater_than_sign", "a")
        assert decisions(run) and len(decisions(run)) == 2
        await run.press("d")
        with Store(db) as store:
            assert store.status(1, REVIEWER) is Status.REVIEWED
            assert store.review_ids(REVIEWER) == [2]
        assert run.screen.article_id == 2
        assert spans(run, 2) == [("Turkish soldiers", "CASUALTY")]  # all agreed: nothing to settle
        await run.pilot.app.workers.wait_for_complete()
        await run.press("greater_than_sign")
        assert "no disagreements" in str(run.screen.status_bar.render())
        await run.press("d")
        assert run.screen.session.done_count() == 2


async def test_list_views_cycle_to_review_reviewed_all(db):
    async with start(db) as run:
        assert run.screen.model.view == "review"
        await run.press("t")
        await run.app.workers.wait_for_complete()
        await run.pilot.pause()
        assert run.screen.model.view == "reviewed" and len(run.screen.model) == 0
        await run.press("t")
        await run.app.workers.wait_for_complete()
        await run.pilot.pause()
        assert run.screen.model.view == "all" and len(run.screen.model) == 2


async def test_annotators_option_limits_the_review(db):
    with Store(db) as store:  # carol finished article 3 too: alice+carol makes it reviewable
        store.add_span(3, "carol", 0, 3, "ACTOR")
        store.set_status(3, "carol", Status.DONE)
    async with start(db, annotators=("alice", "carol")) as run:
        assert run.screen.model.ids == [3]
        assert review_screen(run).comparison.annotators == ("alice", "carol")


def test_cli_review_refuses_a_reviewer_under_review_and_an_empty_queue(db, tmp_path):
    runner = CliRunner()
    result = runner.invoke(
        main, ["review", "--db", str(db), "--annotators", "alice,bob", "--reviewer", "bob"]
    )
    assert result.exit_code == 2 and "bob is one of the annotators" in result.output
    empty = build_db(tmp_path / "empty.db")
    result = runner.invoke(main, ["review", "--db", str(empty), "--reviewer", "rita"])
    assert result.exit_code == 0 and "nothing to review" in result.output


async def test_a_count_disagreement_is_shown_and_a_takes_that_annotators_attributes(db):
    """alice and bob both tagged "Turkish soldiers" (article 2) as CASUALTY, with other counts."""
    mine = {
        "alice": {"kind": "killed", "count": 2},
        "bob": {"kind": "killed", "count": 3, "qualifier": "[bold]approx\x1b[31m"},
    }
    with Store(db) as store:
        for span in store.spans(2):
            store.update_span(span.id, attributes=mine[span.annotator])
        store.set_status(1, REVIEWER, Status.REVIEWED)  # the queue starts at article 2
    async with start(db) as run:
        assert run.screen.article_id == 2
        assert spans(run, 2) == []  # same offsets and label, other attributes: not consensus
        assert "1 disagreement, 1 open" in str(run.screen.query_one("#head").render())
        await run.press("tab", "greater_than_sign")
        where = span_at(run.text.text, "Turkish soldiers")
        assert run.text.cursor == where[0]
        info = run.info()
        assert "1/1 OPEN" in info
        assert "alice: CASUALTY “Turkish soldiers” kind=killed count=2" in info
        # outside text is drawn as text: the markup stays, the escape character does not
        assert "bob: CASUALTY “Turkish soldiers” kind=killed count=3 qualifier=[bold]approx" in info
        assert "\x1b" not in info

        def attributes() -> list[dict]:
            with Store(db) as store:
                return [s.attributes for s in store.spans(2, REVIEWER)]

        for _ in range(4):  # the two ghosts start at the same place: walk to bob's
            if run.text.span_under_cursor().annotator == "bob":
                break
            await run.press("right_curly_bracket")
        await run.press("a")
        assert attributes() == [mine["bob"]]
        assert decisions(run, 2) == {where: "bob"}
        assert "✓ bob" in run.info() and "settled (bob)" in run.info()
        for _ in range(4):
            if run.text.span_under_cursor().annotator == "alice":
                break
            await run.press("right_curly_bracket")
        await run.press("a")
        assert attributes() == [mine["alice"]]  # one span, alice's count
        assert decisions(run, 2) == {where: "alice"} and "✓ alice" in run.info()
        await run.press("u")
        assert attributes() == [mine["bob"]] and decisions(run, 2) == {where: "bob"}
        await run.press("u")
        assert attributes() == [] and decisions(run, 2) == {}
