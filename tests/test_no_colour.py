"""``NO_COLOR`` and ``TERM=dumb`` get no colour at all; no terminal gets 24-bit colour unasked.

The real app on a pseudo-terminal (``bench/ptyterm.py`` answers its start-up queries), the
bytes it sends read back: under ``NO_COLOR`` or ``TERM=dumb`` no colour SGR of any kind
(24-bit ``38;2``/``48;2``, 256-colour ``38;5``, the 16 colours), yet the cursor row still
shows (reverse video) and spans still differ (underline, bold). Textual alone sent grey
24-bit colour under NO_COLOR and full 24-bit colour to a dumb terminal. The CLI commands
under NO_COLOR: Rich's styles without colour.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from tmux_terminal import NEWSMARK, READY_TIMEOUT, STEP_TIMEOUT
from tui_fixtures import add_demo_spans, build_db

sys.path.insert(0, str(ROOT / "bench"))
from ptyterm import PtyApp  # noqa: E402  (bench/ is not a package: the script's own helper)

pytestmark = pytest.mark.skipif(NEWSMARK is None, reason="the newsmark command is not on PATH")

_SGR = re.compile(rb"\x1b\[([0-9;:]*)m")


def colours(data: bytes) -> dict[str, int]:
    """How many SGR sequences of ``data`` set a colour, by kind, and how many reverse video."""
    counts = {"24-bit": 0, "256": 0, "16": 0, "reverse": 0, "underline": 0}
    for match in _SGR.finditer(data):
        params = match.group(1).replace(b":", b";").split(b";")
        i = 0
        while i < len(params):
            p = params[i]
            if p in (b"38", b"48", b"58") and i + 1 < len(params):
                counts["24-bit" if params[i + 1] == b"2" else "256"] += 1
                i += 5 if params[i + 1] == b"2" else 3
                continue
            if p.isdigit() and (30 <= int(p) <= 37 or 40 <= int(p) <= 47 or 90 <= int(p) <= 107):
                counts["16"] += 1
            counts["reverse"] += p == b"7"
            counts["underline"] += p == b"4"
            i += 1
    return counts


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = build_db(tmp_path_factory.mktemp("colour") / "news.db")
    add_demo_spans(path, "alice")  # spans of all three labels: their colours would be drawn
    return path


def screen_bytes(db: Path, tmp_path: Path, **env: str) -> bytes:
    """What the annotator sends to a 120x40 terminal up to its first full screen."""
    home = tmp_path / "home"
    (home / ".config").mkdir(parents=True, exist_ok=True)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSMARK_", "TMUX", "NO_COLOR"))}
    base.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), LANG="C.UTF-8", LC_ALL="C.UTF-8")
    base.update(env)
    app = PtyApp([str(NEWSMARK), "annotate", "--db", str(db), "--annotator", "alice"], env=base)
    try:
        took, seen = app.wait_for([b"Turkey"], READY_TIMEOUT * 2)
        assert took is not None, f"the article never showed: {seen[-2000:]!r}"
        return seen + app.read_until_quiet(0.5, STEP_TIMEOUT).data
    finally:
        app.close(b"q")


@pytest.mark.parametrize(
    "env",
    [
        {"NO_COLOR": "1", "TERM": "xterm-256color", "COLORTERM": "truecolor"},
        {"TERM": "dumb", "COLORTERM": ""},
        {"TERM": "dumb", "COLORTERM": "truecolor"},
    ],
    ids=["NO_COLOR", "TERM=dumb", "TERM=dumb COLORTERM=truecolor"],
)
def test_no_colour_at_all(db: Path, tmp_path: Path, env: dict[str, str]) -> None:
    counts = colours(screen_bytes(db, tmp_path, **env))
    assert (counts["24-bit"], counts["256"], counts["16"]) == (0, 0, 0), counts
    assert counts["reverse"] > 0 and counts["underline"] > 0, counts  # cursor row and spans still show


def test_without_colorterm_no_24_bit_colour(db: Path, tmp_path: Path) -> None:
    """Over SSH COLORTERM is not forwarded: TERM=xterm-256color gets 256 colours."""
    counts = colours(screen_bytes(db, tmp_path, TERM="xterm-256color", COLORTERM=""))
    assert counts["24-bit"] == 0 and counts["256"] > 0, counts


def test_truecolor_terminals_get_24_bit_colour(db: Path, tmp_path: Path) -> None:
    """The check above is real: where the terminal says it has 24-bit colour, it is sent."""
    counts = colours(screen_bytes(db, tmp_path, TERM="xterm-256color", COLORTERM="truecolor"))
    assert counts["24-bit"] > 0, counts


@pytest.mark.parametrize("args", [["list"], ["stats"]])
def test_cli_commands_under_no_color(db: Path, args: list[str]) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NEWSMARK_DB"}
    env.update(FORCE_COLOR="1", NO_COLOR="1", TERM="xterm-256color", COLORTERM="truecolor", COLUMNS="200")
    done = subprocess.run(
        [sys.executable, "-m", "tui", *args, "--db", str(db)], capture_output=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    counts = colours(done.stdout + done.stderr)
    assert (counts["24-bit"], counts["256"], counts["16"]) == (0, 0, 0), counts
    assert _SGR.search(done.stdout), "FORCE_COLOR: styles (bold) are still sent, only colour is not"
