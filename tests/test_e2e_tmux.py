"""End to end in a real terminal: the ``newsmark`` command inside tmux, keys sent
with ``send-keys``, the screen read with ``capture-pane``, the result read back
from the SQLite file.

Each test has its own tmux server (``tmux -L <unique socket>``, no user config)
that is killed on teardown, so parallel runs do not clash.
"""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path

import pytest
from conftest import stored_articles
from tmux_terminal import NEEDS_TMUX, NEWSMARK, READY_TIMEOUT, Terminal
from tui_fixtures import build_db

from annotations.storage import Store

pytestmark = NEEDS_TMUX


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return build_db(tmp_path / "e2e.db")


def annotate_command(db: Path) -> str:
    return f"{shlex.quote(NEWSMARK)} annotate --db {shlex.quote(str(db))} --annotator e2e"


def spans_of(db: Path, annotator: str) -> list[tuple]:
    """(article id, start, end, label, text, the article's text) of each span, in the order made."""
    with Store(db) as store:
        made = [
            (span.id, (span.article_id, span.start, span.end, span.label, span.text, art.clean_text))
            for art in stored_articles(store)
            for span in store.spans(art.id, annotator)
        ]
    return [row for _, row in sorted(made)]


def start_app(term: Terminal, db: Path) -> str:
    term.start(annotate_command(db))
    # The status bar ("done 0/26"), and the first article open in the text pane.
    return term.wait_for("done ", "Turkey Says Syrian", timeout=READY_TIMEOUT)


def tag_second_word_after_start(term: Terminal) -> str:
    """enter (open, focus the text), w w (cursor on "two"), 1 (ACTOR); returns the screen."""
    term.keys("Enter")
    # Wait until the text pane has the focus: the footer (the last line) shows its keys.
    # ("v select" alone is not enough: the span info line says it too.) This is typing
    # slowly; keys typed ahead act the same (test_type_ahead_after_enter).
    term.wait_until(lambda screen: footer(screen).startswith("v select"), "the text pane's footer")
    term.keys("w", "w", "1")
    return term.wait_for("saved", "ACTOR “")


def footer(screen: str) -> str:
    lines = [line for line in screen.splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def span_info_line(screen: str) -> str:
    lines = [line for line in screen.splitlines() if "ACTOR “" in line]
    assert lines, f"no span info line on the screen:\n{screen}"
    return lines[0]


def test_tag_a_word_in_a_real_terminal(term, db):
    start_app(term, db)
    screen = tag_second_word_after_start(term)
    info = span_info_line(screen)
    assert "ACTOR “two”" in info, info
    assert "✓ saved" in screen
    term.keys("q")
    assert term.wait_exit() == 0

    rows = spans_of(db, "e2e")
    assert len(rows) == 1, rows
    article_id, start, end, label, text, clean_text = rows[0]
    assert label == "ACTOR"
    assert text == clean_text[start:end] == "two"
    assert article_id == 1


def test_undo_after_a_restart(term, db):
    start_app(term, db)
    tag_second_word_after_start(term)
    term.keys("q")
    assert term.wait_exit() == 0
    assert [r[3:5] for r in spans_of(db, "e2e")] == [("ACTOR", "two")]

    term.kill_session()  # the dead pane of the first run
    start_app(term, db)
    term.keys("u")
    # The toast covers the right end of the status bar ("✓ saved ...") while it shows.
    term.wait_for("undo: adding ACTOR “two”")
    term.keys("q")
    assert term.wait_exit() == 0
    assert spans_of(db, "e2e") == []


def test_type_ahead_after_enter(term, db):
    """Enter w w 1 in one write, as a fast typist's keys arrive over a slow SSH link."""
    start_app(term, db)
    term.tmux("send-keys", "-t", term.name, "Enter", "w", "w", "1")
    term.wait_until(lambda screen: footer(screen).startswith("v select"), "the text pane's footer")
    try:
        term.wait_for("saved", timeout=2)
    finally:
        term.keys("q")
        assert term.wait_exit() == 0
    assert [r[3:5] for r in spans_of(db, "e2e")] == [("ACTOR", "two")]


def test_two_annotators_disagree_a_reviewer_settles_it_and_export_takes_the_review(term, db):
    """alice tags "Turkey"; bob tags "Turkey" and "two"; rita takes bob's "two"; export --reviewed."""

    def annotate(who: str, *keys: str, shows: str) -> None:
        term.kill_session()
        term.start(f"{shlex.quote(NEWSMARK)} annotate --db {shlex.quote(str(db))} --annotator {who}")
        term.wait_for("done ", "Turkey Says Syrian", timeout=READY_TIMEOUT)
        term.keys("Enter")
        term.wait_until(lambda screen: footer(screen).startswith("v select"), "the text pane's footer")
        for key in keys:
            term.keys(key)
        term.wait_for("saved", shows)
        term.keys("d")
        term.wait_for("done 1/")
        term.keys("q")
        assert term.wait_exit() == 0

    annotate("alice", "1", shows="ACTOR “Turkey”")
    annotate("bob", "1", "w", "w", "2", shows="CASUALTY “two”")
    assert [r[3:5] for r in spans_of(db, "bob")] == [("ACTOR", "Turkey"), ("CASUALTY", "two")]

    term.kill_session()
    term.start(f"{shlex.quote(NEWSMARK)} review --db {shlex.quote(str(db))} --reviewer rita")
    term.wait_for("to review (1)", "alice, bob", "1 disagreement, 1 open", timeout=READY_TIMEOUT)
    term.keys("Enter")
    term.wait_until(lambda screen: "next disagreement" in footer(screen), "the review footer")
    term.keys(">")
    term.wait_for("1/1 OPEN", "bob: CASUALTY “two”")
    term.keys("a")
    term.wait_for("settled (bob)", "took bob's version")
    term.keys("d")
    term.wait_for("reviewed 1/1")
    term.keys("q")
    assert term.wait_exit() == 0

    out = subprocess.run(
        [NEWSMARK, "export", "--db", str(db), "--reviewed"],
        capture_output=True,
        text=True,
        env=term.env,
        timeout=60,
        check=True,
    ).stdout
    records = [json.loads(line) for line in out.splitlines()]
    assert [(r["_annotator_id"], r["meta"]["id"]) for r in records] == [("rita", 1)]
    assert [(s["label"], s["text"]) for s in records[0]["spans"]] == [
        ("ACTOR", "Turkey"),
        ("CASUALTY", "two"),
    ]
