"""Hostile text in the data never reaches the terminal as control: the app (issue 14).

One article carries, in its file name, title, text, source, byline, url and external
id, a screen clear (``ESC[2J``), an OSC window title, an OSC 52 clipboard write, a
one-character CSI (U+009B), a NUL and a bidi override; so do an annotator's name and
span attributes. The database is built through the Store (import strips such
controls), and the app is checked three ways: the rendered screen (Pilot), a real
terminal (tmux: what it shows, its title, its clipboard) and the raw bytes the app
writes to a pseudo-terminal, compared with the same database without the payload.
"""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from conftest import ROOT
from textual import events
from textual.widgets import Input
from tmux_terminal import NEEDS_TMUX, NEWSMARK, READY_TIMEOUT, STEP_TIMEOUT, Terminal
from tui_fixtures import running, screen_output

from annotations.cleaning import CLEANER_VERSION
from annotations.model import NewArticle, Status
from annotations.storage import Store

sys.path.insert(0, str(ROOT / "bench"))
from ptyterm import PtyApp  # noqa: E402  (bench/ is not a package: the script's own helper)

# Everything a terminal would obey: clear the screen, set the title, write the clipboard,
# the 8-bit CSI, and the right-to-left override. The NUL is kept apart: it cannot be
# in a command-line argument (the annotator's name), and after a NUL in an article's
# text SQLite's length() ends, so spans are made before it.
PAYLOAD = "\x1b[2J\x1b]0;PWNED\x07\x1b]52;c;cHduZWQ=\x07\x9b2J\u202e"
NUL = "\x00"
# The payload as the screen shows it (annotations.printable).
SHOWN = "␛[2J␛]0;PWNED␇␛]52;c;cHduZWQ=␇\\x9b2J<RLO>"
# Every character printable() makes visible that SQLite can store (not lone surrogates).
EVERY = "".join(
    map(chr, [*range(0x20), *range(0x7F, 0xA0), 0x61C, *range(0x200B, 0x2010), *range(0x2028, 0x202F)])
) + "".join(map(chr, [*range(0x2060, 0x206A), 0xFEFF]))
READER = "ana"  # annotates the hostile article (plain name: it is typed on the command line)
REVIEWER = "rev"


def evil(payload: str) -> str:
    """The hostile annotator's name."""
    return "evil" + payload


def hostile_text(payload: str, nul: str) -> str:
    return (
        f"Rebels{payload} attacked Idlib on Monday.\n\n"
        f"Two{payload} soldiers were killed near the border.\n\n"
        f"The army answered{nul}{payload} at last."
    )


def _article(title: str, text: str, **meta: str) -> NewArticle:
    return NewArticle(
        content_hash=hashlib.sha256((title + text).encode("utf-8")).hexdigest(),
        raw_format="text",
        raw_text=text,
        clean_text=text,
        cleaner_version=CLEANER_VERSION,
        title=title,
        **meta,
    )


def build_hostile_db(path: Path, payload: str = PAYLOAD, nul: str = NUL) -> Path:
    """Article 1: every field hostile, spans of ``ana`` (attributes), of the hostile
    annotator and of bob, who both finished it and disagree on one span. Article 2: no
    metadata, so the header shows its (hostile) file name. Article 3: every character a
    terminal would obey, in its title, source and text. ``payload=""``: the same
    database, harmless."""
    text = hostile_text(payload, nul)
    with Store(path) as store:
        first = store.add_article(
            _article(
                f"Title{payload}{nul}end",
                text,
                source=f"wire{payload}",
                byline=f"by{payload}{nul}",
                url=f"http://example.org/{payload}",
                published="2026-01-02",
                external_id=f"id{payload}",
                origin=f"/data/file{payload}.txt",
            )
        ).article_id
        store.add_article(
            _article(f"Second{payload}", "Plain words here.", origin=f"/data/only{payload}name.txt")
        )
        every = EVERY if payload else ""
        third = store.add_article(
            _article(f"Every{every}control", f"Every control: {every} end.", source=every)
        )
        assert third.article_id is not None  # a label not in the schema (an imported file can hold one)
        store.add_span(third.article_id, READER, 0, 5, f"LABEL{payload}")
        assert first is not None
        store.add_span(first, READER, 0, 6, "ACTOR", {"actor_type": f"x{payload}", f"key{payload}": "v"})
        soldiers = text.index("soldiers")
        store.add_span(
            first, evil(payload), text.index("Two"), soldiers + 8, "CASUALTY", {"kind": f"k{payload}"}
        )
        store.add_span(first, "bob", soldiers, soldiers + 8, "CASUALTY")
        idlib = text.index("Idlib")
        for who in (evil(payload), "bob"):
            store.add_span(first, who, idlib, idlib + 5, "LOCATION")
            store.set_status(first, who, Status.DONE)
    return path


@pytest.fixture
def hostile_db(tmp_path: Path) -> Path:
    return build_hostile_db(tmp_path / "hostile.db")


@pytest.fixture
def plain_db(tmp_path: Path) -> Path:
    return build_hostile_db(tmp_path / "plain.db", payload="", nul="")


# -- what a terminal would obey in some output -------------------------------------------

# CSI (7-bit), OSC (ended by BEL or ST, or not ended), any other ESC sequence.
_SEQUENCE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[^\[\]]")
# Characters obeyed rather than shown (as in tests/test_printable.py); \r and \n aside.
_OBEYED = re.compile(
    "[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"
)


def controls(output: str) -> set[str]:
    """The control sequences and characters in terminal ``output``; colours (SGR) and
    cursor moves (CUP) as ``CSI…m`` and ``CSI…H``, since their parameters vary."""
    found: set[str] = set()
    for match in _SEQUENCE.finditer(output):
        sequence = match.group()
        if sequence.startswith("\x1b[") and sequence[-1] in "mH":
            sequence = "CSI…" + sequence[-1]
        found.add(sequence)
    rest = _SEQUENCE.sub("", output)
    found |= {f"U+{ord(ch):04X}" for ch in _OBEYED.findall(rest)}
    return found


def test_controls_finds_what_the_payload_holds():
    """The checker itself: each part of the payload, sent raw, is found."""
    found = controls("a" + PAYLOAD + NUL + "\x1b[1;2H\x1b[38;2;1;2;3mb")
    assert {"\x1b[2J", "\x1b]0;PWNED\x07", "\x1b]52;c;cHduZWQ=\x07", "U+009B", "U+0000", "U+202E"} <= found
    assert "CSI…m" in found and "CSI…H" in found
    assert controls("plain ␛[2J \\x9b <RLO> text\r\n") == set()


# -- Pilot: the rendered screen -------------------------------------------------------------


async def wait_until(run, predicate, what: str, timeout: float = STEP_TIMEOUT) -> str:
    """The screen's text once ``predicate(text)`` holds (polled: a loaded machine is slow)."""
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        await run.pilot.pause()
        text, _ = screen_output(run.app)
        if predicate(text):
            return text
        await run.pilot.pause(0.05)
    raise AssertionError(f"the screen never showed {what}; last screen:\n{text}")


def assert_inert(app) -> str:
    """The screen's output holds no control but colours and cursor moves; returns its text."""
    text, raw = screen_output(app)
    assert controls(raw) <= {"CSI…m", "CSI…H"}, controls(raw)
    assert not _OBEYED.search(text.replace("\r", "").replace("\n", "")), text
    return text


async def test_annotate_screen_shows_the_payload_and_obeys_none_of_it(hostile_db):
    async with running(hostile_db, READER, size=(240, 30)) as run:
        await wait_until(run, lambda t: "Rebels" in t, "the hostile article")
        text = assert_inert(run.app)
        for shown in ("Title" + SHOWN + "␀end", "wire" + SHOWN, "by" + SHOWN + "␀"):  # header, list
            assert shown in text, shown
        assert "actor_type=x" + SHOWN in text and "key" + SHOWN in text  # the span at the cursor
        # The text pane keeps offsets: one picture per character (the C1 and RLO as �).
        assert "Two␛[2J␛]0;PWNED␇␛]52;c;cHduZWQ=␇�2J� soldiers" in text
        assert "answered␀␛[2J" in text

        await run.press("tab", "e")  # the edit dialog: the span's text and attribute values
        await wait_until(run, lambda t: "Edit span" in t, "the edit dialog")
        assert "x" + SHOWN in assert_inert(run.app)
        field = run.app.screen.query_one("#attr-actor_type", Input)
        field.value = ""
        field.post_message(events.Paste("pasted" + PAYLOAD))  # text copied from anywhere
        await wait_until(run, lambda t: "pasted" in t, "the pasted text")
        assert "pasted␛[2J" in assert_inert(run.app)
        await run.press("escape")

        await run.press("right_square_bracket")  # article 2: no metadata, the header shows its file
        await wait_until(run, lambda t: "name.txt" in t, "the file name")
        assert "only" + SHOWN + "name.txt" in assert_inert(run.app)

        await run.press("right_square_bracket")  # article 3: every control character
        await wait_until(run, lambda t: "Every control:" in t, "article 3")
        text = assert_inert(run.app)
        assert "␀␁␂" in text and "LABEL" + SHOWN in text


async def test_toasts_and_status_notes_are_inert(hostile_db):
    """Whoever calls them: a toast or status note may quote a title, a path, a name."""
    async with running(hostile_db, READER, size=(240, 30), notifications=True) as run:
        run.app.notify(f"a toast naming {PAYLOAD} [b]not bold[/b]")
        run.screen.notify(f"screen toast {PAYLOAD[:4]}", severity="error")  # ESC[2J
        run.screen.status_bar.set_note(f"a note naming {PAYLOAD}")
        run.screen.status_bar.set_error(f"an error naming {PAYLOAD}")
        await wait_until(run, lambda t: "screen toast" in t and "a toast" in t, "the toasts")
        text = assert_inert(run.app)
        assert "a toast naming " + SHOWN in text and "[b]not bold[/b]" in text  # wrapped
        assert "screen toast ␛[2J" in text
        assert "NOT SAVED: an error naming ␛[2J" in text


async def test_search_query_is_shown_inert(hostile_db):
    """The list title echoes the search query (pasted text can hold anything)."""
    async with running(hostile_db, READER, size=(240, 30)) as run:
        run.screen.model.set_ids([1], query=f"rebels{PAYLOAD}", ranked=True)
        run.screen._update_list_title()
        text = await wait_until(run, lambda t: "search: rebels" in t, "the search title")
        text = assert_inert(run.app)
        assert "search: rebels␛[2J" in text


async def test_review_screen_shows_annotator_names_inert(hostile_db):
    async with running(hostile_db, REVIEWER, size=(240, 30), review=()) as run:
        name = evil(PAYLOAD)
        text = await wait_until(run, lambda t: "evil" in t, "the annotators in the header")
        assert "bob, evil" + SHOWN in assert_inert(run.app)
        await run.press("tab", "greater_than_sign")  # the text pane; the first disagreement
        text = await wait_until(run, lambda t: "· evil" + SHOWN + ":" in t, "the versions")
        text = assert_inert(run.app)
        assert "kind=k" + SHOWN in text
        await run.press("a")  # take the version under the cursor: evil's
        text = await wait_until(run, lambda t: "took evil" in t, "the note")
        text = assert_inert(run.app)
        assert "took evil" + SHOWN[:10] in text
        assert f"settled (evil{SHOWN}" in text
        assert name not in text


# -- tmux: a real terminal ---------------------------------------------------------------


def needs_tmux(test):
    """Skipped, with the reason, where tmux or the newsmark command is missing."""
    for mark in NEEDS_TMUX:
        test = mark(test)
    return test


def _sgr_only(term: Terminal) -> str:
    """The screen with its attributes (capture-pane -e): nothing but SGR; its plain text."""
    styled = term.tmux("capture-pane", "-e", "-p", "-t", term.name).stdout
    assert controls(styled) <= {"CSI…m"}, controls(styled)
    return term.screen()


def _untouched(term: Terminal) -> None:
    """The window title is not PWNED and nothing reached tmux's clipboard (OSC 52)."""
    title = term.tmux("display-message", "-p", "-t", term.name, "#{pane_title}").stdout
    assert "PWNED" not in title, title
    assert term.tmux("list-buffers").stdout == ""


def _start(term: Terminal, command: str) -> None:
    # set-clipboard on: tmux takes an OSC 52 from the app into a paste buffer (checked empty).
    term.conf.write_text(term.conf.read_text() + "set -g set-clipboard on\nset -g allow-rename on\n")
    term.start(command)


@needs_tmux
def test_real_terminal_annotate(term, hostile_db):
    _start(term, f"{shlex.quote(NEWSMARK)} annotate --db {shlex.quote(str(hostile_db))} --annotator {READER}")
    term.wait_for("Title␛[2J", "done ", timeout=READY_TIMEOUT)
    screen = _sgr_only(term)
    assert "wire␛[2J␛]0;PWNED␇" in screen and "actor_type=x␛[2J" in screen
    _untouched(term)
    term.keys("]")
    term.wait_for("only␛[2J␛]0;PWNED␇␛]52;c;cHduZWQ=␇\\x9b2J<RLO>name.txt")
    _sgr_only(term)
    _untouched(term)
    term.keys("q")
    assert term.wait_exit() == 0


@needs_tmux
def test_real_terminal_review(term, hostile_db):
    _start(term, f"{shlex.quote(NEWSMARK)} review --db {shlex.quote(str(hostile_db))} --reviewer {REVIEWER}")
    term.wait_for("bob, evil␛[2J", "reviewed ", timeout=READY_TIMEOUT)
    term.keys("Tab", ">")
    term.wait_for("· evil␛[2J")
    _sgr_only(term)
    _untouched(term)
    term.keys("a")
    term.wait_for("settled (evil␛[2J␛]0;PWNED␇␛]52;c;cHduZWQ=␇\\x9b2J<RLO>)", "took")
    _sgr_only(term)
    _untouched(term)
    term.keys("q")
    assert term.wait_exit() == 0


# -- the raw bytes on a pty ----------------------------------------------------------------

# (command, then per key: the key's bytes and what the screen shows once it is handled)
RUNS = {
    "annotate": ((f"annotate --annotator {READER}", b"done "), ((b"]", b"name.txt"),)),
    "review": (
        (f"review --reviewer {REVIEWER}", b"reviewed "),
        ((b"\t>", b"1/1 "), (b"a", b"settled (evil")),
    ),
}


def pty_output(db: Path, args: str, ready: bytes, steps: Sequence[tuple[bytes, bytes]], home: Path) -> str:
    """Every byte ``newsmark ARGS --db DB`` writes to its terminal, from start to quit."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSMARK_", "TMUX", "NO_COLOR"))}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), LANG="C.UTF-8", LC_ALL="C.UTF-8")
    argv = [str(NEWSMARK), *shlex.split(args), "--db", str(db)]
    app = PtyApp(argv, env=env)
    out = b""
    try:
        for key, shows in ((b"", ready), *steps):
            if key:
                app.write(key)
            took, seen = app.wait_for([shows], READY_TIMEOUT)
            out += seen
            assert took is not None, f"{shows!r} never shown after {key!r}: {out[-2000:]!r}"
            out += app.read_until_quiet(0.3, STEP_TIMEOUT).data
    finally:
        app.close(b"q")
    return out.decode("utf-8", "surrogateescape")  # a raw 0x9b byte: a lone surrogate, found below


@pytest.mark.skipif(NEWSMARK is None, reason="the newsmark command is not on PATH (pip install -e . first)")
@pytest.mark.parametrize("mode", sorted(RUNS))
def test_pty_bytes_hold_no_control_from_the_data(mode, hostile_db, plain_db, tmp_path):
    (command, ready), steps = RUNS[mode]
    home = tmp_path / "home"
    (home / ".config").mkdir(parents=True)
    hostile = pty_output(hostile_db, command, ready, steps, home)
    plain = pty_output(plain_db, command, ready, steps, home)
    assert SHOWN in hostile  # the payload was drawn, as text
    # Nothing but what the app sends for the harmless database (Textual's modes, its
    # start-up OSC 22 with fixed content, colours and cursor moves).
    assert controls(hostile) <= controls(plain), controls(hostile) - controls(plain)
    for sent in ("\x1b]0;", "\x1b]52;", "\x9b", "\udc9b", "\x00", "\u202e", "\x1b[2J"):
        assert sent not in hostile, sent
    osc = {m.group() for m in re.finditer(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?", hostile)}
    assert all("PWNED" not in o and "cHduZWQ" not in o for o in osc), osc
