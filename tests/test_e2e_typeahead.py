"""Keys typed ahead, in a real terminal: a whole key sequence sent in ONE write
(``tmux send-keys -l``, as a burst of keys arrives over SSH) saves the same spans
as the same keys typed one by one, each handled before the next.

The spans are read back from the SQLite file through the Store.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from test_e2e_tmux import annotate_command, footer, spans_of
from tmux_terminal import NEEDS_TMUX, READY_TIMEOUT, STEP_TIMEOUT, Terminal
from tui_fixtures import build_db

from annotations.storage import Store

pytestmark = NEEDS_TMUX

QUIET = 0.5  # seconds the screen must stay the same to count as settled


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return build_db(tmp_path_factory.mktemp("typeahead-e2e") / "sample.db")


def settled(term: Terminal, timeout: float = STEP_TIMEOUT) -> str:
    """The screen once it has not changed for QUIET seconds (the app has handled its keys)."""
    deadline = time.monotonic() + timeout
    last, since = term.screen(), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = term.screen()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= QUIET:
            return now
    raise AssertionError(f"the screen never settled; last screen:\n{last}")


def run(term: Terminal, db: Path, keys: str, *, in_text: bool, one_write: bool) -> list[tuple]:
    """Start the app on ``db``, send ``keys`` (literal characters, \\r for enter), quit; the spans."""
    term.kill_session()
    term.start(annotate_command(db))
    term.wait_for("done ", "Turkey Says Syrian", timeout=READY_TIMEOUT)
    settled(term)
    if in_text:
        term.keys("Enter")
        term.wait_until(lambda screen: footer(screen).startswith("v select"), "the text pane's footer")
    if one_write:
        term.tmux("send-keys", "-t", term.name, "-l", keys)
    else:
        for key in keys:
            term.tmux("send-keys", "-t", term.name, "-l", key)
            settled(term)
    settled(term)
    term.keys("q")
    assert term.wait_exit() == 0
    return [row[:5] for row in spans_of(db, "e2e")]  # (article, start, end, label, text)


@pytest.mark.parametrize(
    ("keys", "in_text", "expected"),
    [
        ("/two of\r2", True, [("CASUALTY", "two of")]),  # find, enter, tag the match
        ("/two\r1/soldiers\r3", True, [("ACTOR", "two"), ("LOCATION", "soldiers")]),
        ("\rww1", False, [("ACTOR", "two")]),  # enter in the list, then the text pane
    ],
    ids=["find-then-tag", "two-finds", "open-then-tag"],
)
def test_one_write_acts_as_typed_slowly(term, template, tmp_path, keys, in_text, expected):
    results = {}
    for one_write in (False, True):
        db = tmp_path / f"{'burst' if one_write else 'slow'}.db"
        db.write_bytes(template.read_bytes())
        results[one_write] = run(term, db, keys, in_text=in_text, one_write=one_write)
    assert results[True] == results[False], f"one write: {results[True]}; typed slowly: {results[False]}"
    assert [row[3:5] for row in results[True]] == expected


def test_search_in_one_write_opens_the_first_hit(term, template, tmp_path):
    """/Harzen enter enter 1: the keys after the search wait for its hits."""
    with Store(template) as store:
        first_hit = store.search("Harzen", 1)[0].id
    assert first_hit != 1  # not the article open at start
    results = {}
    for one_write in (False, True):
        db = tmp_path / f"{'burst' if one_write else 'slow'}.db"
        db.write_bytes(template.read_bytes())
        results[one_write] = run(term, db, "/Harzen\r\r1", in_text=False, one_write=one_write)
    assert results[True] == results[False]
    assert [(row[0], row[3]) for row in results[True]] == [(first_hit, "ACTOR")]
