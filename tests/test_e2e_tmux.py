"""End to end in a real terminal: the ``newsmark`` command inside tmux, keys sent
with ``send-keys``, the screen read with ``capture-pane``, the result read back
from the SQLite file.

Each test has its own tmux server (``tmux -L <unique socket>``, no user config)
that is killed on teardown, so parallel runs do not clash.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from conftest import stored_articles
from tui_fixtures import build_db

from annotations.storage import Store

TMUX = shutil.which("tmux")
NEWSMARK = shutil.which("newsmark")

pytestmark = [
    pytest.mark.skipif(TMUX is None, reason="tmux is not installed (needed to drive a real terminal)"),
    pytest.mark.skipif(
        NEWSMARK is None, reason="the newsmark command is not on PATH (pip install -e . first)"
    ),
]

READY_TIMEOUT = 15.0  # a cold start on a loaded 2-core machine
STEP_TIMEOUT = 10.0


class Terminal:
    """One tmux server on a private socket, with one 120x40 session running a command."""

    def __init__(self, tmp_path: Path) -> None:
        self.name = f"newsmark-e2e-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.conf = tmp_path / "tmux.conf"
        # remain-on-exit: the pane (and what the app printed last) stays after it exits.
        self.conf.write_text("set -g remain-on-exit on\nset -g status off\n")
        home = tmp_path / "home"
        (home / ".config").mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "HOME": str(home),  # no user keymap.toml
            "XDG_CONFIG_HOME": str(home / ".config"),
        }
        for var in ("NO_COLOR", "NEWSMARK_THEME", "NEWSMARK_KEYMAP", "NEWSMARK_ANNOTATOR", "TMUX"):
            self.env.pop(var, None)
        self.started = False
        self.tmp_path = tmp_path
        self.runs = 0
        self.status_file: Path | None = None

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [TMUX, "-u", "-L", self.name, "-f", str(self.conf), *args],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=10,
            check=check,
        )

    def start(self, command: str) -> None:
        """Run ``command`` (a shell command line) in a new 120x40 session."""
        self.runs += 1
        self.status_file = self.tmp_path / f"exit-status-{self.runs}"
        status = shlex.quote(str(self.status_file))
        line = f"{command}; echo $? > {status}.tmp && mv {status}.tmp {status}"
        self.tmux("new-session", "-d", "-s", self.name, "-x", "120", "-y", "40", line)
        self.started = True

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.name).stdout

    def keys(self, *keys: str) -> None:
        for key in keys:  # one at a time: a key name must not be read as literal text
            self.tmux("send-keys", "-t", self.name, key)

    def wait_for(self, *needles: str, timeout: float = STEP_TIMEOUT) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if all(n in screen for n in needles):
                return screen
            if self.dead():
                break
            time.sleep(0.1)
        raise AssertionError(f"the screen never showed {needles!r}; last screen:\n{screen}")

    def wait_until(self, predicate, what: str, timeout: float = STEP_TIMEOUT) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if predicate(screen):
                return screen
            if self.dead():
                break
            time.sleep(0.1)
        raise AssertionError(f"the screen never showed {what}; last screen:\n{screen}")

    def dead(self) -> bool:
        """Whether the command has ended (its exit status is written to a file)."""
        return self.status_file is not None and self.status_file.exists()

    def wait_exit(self, timeout: float = STEP_TIMEOUT) -> int:
        """The command's exit status, once it has ended.

        Read from a file the shell writes after the command, not from tmux's
        #{pane_dead_status}: tmux sometimes marks the pane dead (pty closed)
        long before it reaps the process and records its status.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.dead():
                text = self.status_file.read_text().strip()
                if text:
                    return int(text)
            time.sleep(0.05)
        raise AssertionError(f"newsmark did not exit; last screen:\n{self.screen()}")

    def kill_session(self) -> None:
        self.tmux("kill-session", "-t", self.name, check=False)

    def close(self) -> None:
        if self.started:
            self.tmux("kill-server", check=False)


@pytest.fixture
def term(tmp_path: Path):
    terminal = Terminal(tmp_path)
    try:
        yield terminal
    finally:
        terminal.close()


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
    # ("v select" alone is not enough: the span info line says it too.) Keys typed
    # before that go to the list: see test_type_ahead_after_enter.
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
