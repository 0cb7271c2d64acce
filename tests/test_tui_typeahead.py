"""Keys typed ahead (Pilot): a burst of keys acts as the same keys typed slowly.

``pilot.press`` waits for the app to be idle after each key: that is typing slowly.
:func:`burst` posts all the keys to the app at once, as the terminal driver does with
the keys of one read (over SSH, a fast typist's keys arrive in one packet). Each case
runs the same keys both ways, on copies of one database, and compares what was saved
(read back through the Store) and where the focus ended.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from conftest import stored_articles
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual import events
from textual.keys import _character_to_key
from tui_fixtures import Run, add_review_work, build_db, running

from annotations.storage import Store
from tui.screens.annotate import AnnotateScreen
from tui.widgets.find_bar import LineBar

WHO = "ana"
SETTLE_TIMEOUT = 30.0  # seconds: a loaded 2-core machine

# Key names whose character is not the name (the rest: a one-character name is its character).
CHARACTERS = {"enter": "\r", "escape": "\x1b", "tab": "\t", "space": " ", "backspace": "\x7f"}


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return build_db(tmp_path_factory.mktemp("typeahead") / "sample.db")


def key_event(key: str) -> events.Key:
    """The event the driver makes for ``key`` (a character, or a key name such as ``enter``)."""
    if len(key) == 1:
        return events.Key(key if key.isalnum() else _character_to_key(key), key)
    return events.Key(key, CHARACTERS.get(key))


async def burst(run: Run, keys: list[str]) -> None:
    """Post every key to the app in one go (one read from the terminal), then wait until handled."""
    for key in keys:
        event = key_event(key)
        event.set_sender(run.app)
        run.app.post_message(event)
    await settle(run)


async def slowly(run: Run, keys: list[str]) -> None:
    """One key at a time, each handled (the app idle) before the next."""
    for key in keys:
        await run.press(key if len(key) > 1 or key.isalnum() else _character_to_key(key))
    await settle(run)


async def settle(run: Run) -> None:
    """Until no key waits and no worker runs (a search), the screen redrawn."""
    app = run.app
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while time.monotonic() < deadline:
        await run.pilot.pause(0.05)
        await app.workers.wait_for_complete()
        if not app.keys_pending:
            await run.pilot.pause(0.05)
            return
    raise AssertionError(f"keys still waiting after {SETTLE_TIMEOUT} s")


def outcome(run: Run, who: str) -> tuple:
    """What the keys left: ``who``'s spans and statuses (from the database), the screen, the focus,
    the open article, the text cursor and selection, the find bar."""
    with Store(run.app.db_path) as store:
        articles = stored_articles(store)
        spans = sorted(
            (s.article_id, s.start, s.end, s.label, tuple(sorted(s.attributes.items())))
            for art in articles
            for s in store.spans(art.id, who)
        )
        statuses = [store.status(art.id, who).value for art in articles]
    focused = run.app.focused
    bar = run.screen.query_one("#find", LineBar)
    where = (run.screen.article_id, run.text.cursor, run.text.selection(), bar.shown, bar.value)
    return spans, type(run.app.screen).__name__, focused.id if focused is not None else None, statuses, where


async def run_keys(
    template: Path, folder: Path, keys: list[str], *, at_once: bool, who: str, **app: object
) -> tuple:
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "newsmark.db"
    shutil.copy(template, db)
    async with running(db, who, **app) as run:
        await (burst if at_once else slowly)(run, keys)
        return outcome(run, who)


async def same_both_ways(
    template: Path, tmp_path: Path, keys: list[str], who: str = WHO, **app: object
) -> tuple:
    slow = await run_keys(template, tmp_path / "slow", keys, at_once=False, who=who, **app)
    fast = await run_keys(template, tmp_path / "burst", keys, at_once=True, who=who, **app)
    assert fast == slow, f"{keys}: in one burst {fast}, typed slowly {slow}"
    return slow


def labels(result: tuple) -> list[tuple[int, str]]:
    return [(article_id, label) for article_id, _, _, label, _ in result[0]]


async def test_find_bar_gets_the_letters_and_enter_then_a_tag_key_tags(template, tmp_path):
    # enter (open, text pane), / two of, enter (find, select), 2: CASUALTY "two of"
    result = await same_both_ways(template, tmp_path, ["enter", "/", *"two of", "enter", "2"])
    with Store(template) as store:
        text = store.article(1).clean_text
    ((article_id, start, end, label, _),) = result[0]
    assert (article_id, label, text[start:end]) == (1, "CASUALTY", "two of")
    assert result[1:3] == ("AnnotateScreen", "text")


async def test_escape_in_the_find_bar_then_keys_move_in_the_text(template, tmp_path):
    result = await same_both_ways(template, tmp_path, ["enter", "/", *"xyz", "escape", "w", "w", "1"])
    assert labels(result) == [(1, "ACTOR")]


async def test_enter_in_the_list_then_keys_go_to_the_text(template, tmp_path):
    result = await same_both_ways(template, tmp_path, ["j", "enter", "w", "1"])
    assert labels(result) == [(2, "ACTOR")]


async def test_search_then_enter_opens_the_first_hit(template, tmp_path):
    """The keys after the search's enter wait for its hits (a worker), as a slow typist does."""
    result = await same_both_ways(template, tmp_path, ["/", *"Harzen", "enter", "enter", "1"])
    with Store(template) as store:
        first_hit = store.search("Harzen", 1)[0].id
    assert first_hit != 1
    assert labels(result) == [(first_hit, "ACTOR")]


async def test_help_screen_then_escape_then_keys_reach_the_list(template, tmp_path):
    result = await same_both_ways(template, tmp_path, ["?", "escape", "j", "enter", "1"])
    assert labels(result) == [(2, "ACTOR")]
    assert result[1] == "AnnotateScreen"


async def test_edit_dialog_takes_the_keys_typed_after_e(template, tmp_path):
    result = await same_both_ways(template, tmp_path, ["enter", "1", "e", "3", "enter"])
    assert labels(result) == [(1, "LOCATION")]
    assert result[1] == AnnotateScreen.__name__


async def test_edit_dialog_label_then_attributes_in_one_burst(template, tmp_path):
    keys = ["enter", "1", "e", "2", "tab", *"killed", "tab", "2", "ctrl+s"]
    result = await same_both_ways(template, tmp_path, keys)
    assert [(label, attrs) for *_, label, attrs in result[0]] == [
        ("CASUALTY", (("count", 2), ("kind", "killed")))
    ]


async def test_a_burst_of_tags_and_undo_keeps_its_order(template, tmp_path):
    result = await same_both_ways(template, tmp_path, ["enter", "1", "w", "w", "2", "u", "w", "3"])
    assert sorted(label for _, label in labels(result)) == ["ACTOR", "LOCATION"]


async def test_review_keys_in_one_burst(tmp_path):
    """Reviewing: tab to the text, > to the disagreement, a to take it, twice, d done."""
    template = build_db(tmp_path / "review.db")
    add_review_work(template)
    keys = ["tab", ">", "a", ">", "a", "d"]
    result = await same_both_ways(template, tmp_path, keys, who="rita", review=())
    assert result[3][0] == "reviewed"
    assert len(result[0]) >= 3  # the agreed spans and the ones taken


# Pieces of typing in the text pane and the find bar; each sequence starts by opening
# the first article. Finds are whole pieces, so that most sequences open the bar and type on.
PIECES = st.sampled_from(
    [
        ["w"], ["b"], ["j"], ["v", "w"], ["1"], ["2"], ["x"], ["u"], ["n"], ["escape"],
        ["/", "t", "w", "o"], ["/", "o", "f", "enter"], ["/", "s", "a", "i", "d", "enter"], ["enter"],
    ]
)  # fmt: skip


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(pieces=st.lists(PIECES, min_size=1, max_size=5))
async def test_any_sequence_acts_the_same_in_one_burst(template, tmp_path_factory, pieces):
    folder = tmp_path_factory.mktemp("seq")
    await same_both_ways(template, folder, ["enter", *(key for piece in pieces for key in piece)])
