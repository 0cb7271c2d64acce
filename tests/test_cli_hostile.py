"""Hostile text from the data never reaches the terminal as a control sequence through the CLI.

A database made through the Store API holds, in titles, sources, origins, published dates,
annotator names, labels and attributes: ``ESC[2J`` (clear the screen), an OSC window
title, OSC 52 (write the clipboard), U+009B (a CSI on its own), NUL, a bidi override
and Rich markup. Every command is run as a real process that believes it writes to a
colour terminal (``FORCE_COLOR``), and through click's runner; in the bytes of stdout
and stderr alike there may be no escape but SGR (``ESC[...m``, Rich's colours), no C1,
no NUL, no bidi control, and the controls must be there as their visible pictures.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import add_work

from annotations.model import NewArticle, SpanData, Status
from annotations.storage import Store
from tui.cli import main

CLEAR = "\x1b[2J"
OSC_TITLE = "\x1b]0;pwned\x07"
OSC_52 = "\x1b]52;c;cHduZWQ=\x07"
C1_CSI = "\x9b2J"
BIDI = "\u202eevil"
MARKUP = "[bold]loud[/] [link=https://evil.example]click[/link]"
# No NUL in file names (the OS refuses it); everything else a name can hold.
IN_A_NAME = CLEAR + OSC_TITLE + OSC_52 + C1_CSI + BIDI
HOSTILE = IN_A_NAME + "\x00" + MARKUP
PARAGRAPHS = (
    f"First paragraph{IN_A_NAME} of the first article, long enough for the cleaner to keep it.\n\n"
    "Second paragraph of the first article, which the cleaner keeps on a line of its own.\n"
)
TEXT = f"Rebel fighters{HOSTILE} attacked an army checkpoint outside Harzen on Sunday, killing four."

_SGR = re.compile(r"\x1b\[[0-9;]*m")
# The sequences import's own progress bar sends (hide and show the cursor, erase the line):
# fixed strings of Rich's, never made of data.
_PROGRESS = re.compile(r"\x1b\[\?25[lh]|\x1b\[2K|\r")
_BIDI_AND_INVISIBLE = re.compile("[\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
# What must show instead: ESC as its control picture, C1 as an escape, the override named.
VISIBLE = ("\u241b[2J", "\u241b]0;pwned\u2407", "\u241b]52;c;cHduZWQ=\u2407", "\\x9b2J", "<RLO>evil")


def assert_inert(data: bytes, where: str) -> str:
    """``data`` holds no control a terminal would obey; returns it as text without SGR."""
    text = data.decode("utf-8")
    plain = _PROGRESS.sub("", _SGR.sub("", text))
    bad = sorted(
        {f"U+{ord(c):04X}" for c in plain if (ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) <= 0x9F}
        | {f"U+{ord(c):04X}" for c in _BIDI_AND_INVISIBLE.findall(plain)}
    )
    assert not bad, f"{where}: controls reach the terminal: {bad}\n{plain[-1500:]!r}"
    return plain


@pytest.fixture
def hostile(tmp_path: Path) -> dict[str, Path]:
    """A database full of hostile text, and hostile files for clean, import and export."""
    db = tmp_path / "hostile.db"
    with Store(db) as store:
        store.add_article(
            NewArticle(
                "h-raw",
                "text",
                TEXT,
                TEXT,
                "v0",  # an old cleaner: reclean works on it
                title=f"Title {HOSTILE}",
                source=f"Source {HOSTILE}",
                published=f"2026 {HOSTILE}",
                origin=f"origin {HOSTILE}.txt",
            )
        )
        spans = [SpanData(0, 5, f"ACTOR{HOSTILE}", "Rebel", {f"role{HOSTILE}": f"value{HOSTILE}"})]
        for who in (f"alice{HOSTILE}", f"bob{HOSTILE}"):
            add_work(store, TEXT, spans, annotator=who, status=Status.DONE)
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / f"one {IN_A_NAME}.txt").write_text(PARAGRAPHS)
    (inputs / f"two {IN_A_NAME}.txt").write_text("Second article, one paragraph of plain words.\n")
    (inputs / f"empty {IN_A_NAME}.txt").write_text("")
    (inputs / f"other {IN_A_NAME}.bin").write_bytes(b"\x00\x01")
    out = tmp_path / f"out {IN_A_NAME}"
    out.mkdir()
    return {"db": db, "inputs": inputs, "out": out, "tmp": tmp_path}


def commands(h: dict[str, Path]) -> dict[str, list[str]]:
    db = ["--db", str(h["db"])]
    names = f"alice{HOSTILE},bob{HOSTILE}".replace("\x00", "")  # an argument cannot hold NUL
    return {
        "list": ["list", *db],
        "list --search": ["list", *db, "--search", "Rebel"],
        "stats": ["stats", *db],
        "stats --json": ["stats", *db, "--json"],
        "agree": ["agree", *db, "--annotators", names],
        "agree --json": ["agree", *db, "--annotators", names, "--format", "json"],
        "export": ["export", *db, "--status", "all", "-o", str(h["out"] / f"x {IN_A_NAME}.jsonl")],
        "export error": ["export", *db, "-o", str(h["tmp"] / f"nope {IN_A_NAME}" / "x.jsonl")],
        "assign": ["assign", *db, "--overlap", "1", "--annotators", f"carol {IN_A_NAME}"],
        "assign --clear": ["assign", *db, "--clear", "--annotators", f"carol {IN_A_NAME}"],
        "reclean": ["reclean", *db],
        "clean": ["clean", *sorted(str(p) for p in h["inputs"].iterdir())],
        "import": ["import", str(h["inputs"]), "--db", str(h["tmp"] / "imported.db"), "--no-fetch"],
        "review": ["review", *db, "--annotators", f"nobody {IN_A_NAME}", "--reviewer", "r"],
        "bad --db": ["stats", "--db", str(h["tmp"] / f"no {IN_A_NAME}" / "x.db")],
        "bad option": ["stats", *db, f"--{IN_A_NAME}"],
        "extra argument": ["stats", *db, IN_A_NAME],
    }


SHOWS = {  # commands whose output carries the hostile text (the others must merely stay inert)
    "list": VISIBLE,
    "list --search": VISIBLE,
    "stats": VISIBLE,
    "agree": VISIBLE,
    "export": VISIBLE,
    "export error": VISIBLE,
    "assign": VISIBLE,
    "clean": VISIBLE,
    "import": VISIBLE,
    "review": VISIBLE,
    "bad --db": VISIBLE,
}  # "bad option", "extra argument": click quotes them with repr(), escapes and all
NAMES = list(commands({"db": Path(), "inputs": Path(), "out": Path(), "tmp": Path()}))


def process(args: list[str]) -> tuple[bytes, bytes]:
    """``newsmark ARGS`` as a real process that believes it writes to a colour terminal."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "NEWSMARK_DB")}
    env.update(FORCE_COLOR="1", TERM="xterm-256color", COLORTERM="truecolor", COLUMNS="400")
    done = subprocess.run(
        [sys.executable, "-m", "tui", *args],
        capture_output=True,
        env=env,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    assert b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")
    return done.stdout, done.stderr


@pytest.mark.parametrize("name", NAMES)
def test_a_real_process_prints_nothing_a_terminal_obeys(name: str, hostile: dict[str, Path]) -> None:
    out, err = process(commands(hostile)[name])
    shown = assert_inert(out, f"{name} stdout") + assert_inert(err, f"{name} stderr")
    for visible in SHOWS.get(name, ()):
        assert visible in shown, f"{name}: {visible!r} not shown in\n{shown[-2000:]}"
    if name.startswith("list"):
        assert MARKUP in shown  # Rich markup in a title is text, never obeyed
        assert _SGR.search(out.decode()), "FORCE_COLOR: Rich did style the table (the SGR check is real)"


@pytest.mark.parametrize("name", NAMES)
def test_through_the_runner_too(name: str, hostile: dict[str, Path]) -> None:
    result = CliRunner().invoke(main, commands(hostile)[name], env={"COLUMNS": "400"})
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    shown = assert_inert(result.stdout_bytes, f"{name} stdout") + assert_inert(
        result.stderr_bytes, f"{name} stderr"
    )
    for visible in SHOWS.get(name, ()):
        assert visible in shown, f"{name}: {visible!r} not shown in\n{shown[-2000:]}"


def test_json_output_keeps_the_data(hostile: dict[str, Path]) -> None:
    """``--json`` escapes what a terminal would obey as ``\\uXXXX``: the data read back the same."""
    import json

    result = CliRunner().invoke(main, ["stats", "--db", str(hostile["db"]), "--json"])
    assert f"alice{HOSTILE}" in json.loads(result.stdout)["statuses"]


def test_clean_keeps_the_lines_of_the_text(hostile: dict[str, Path]) -> None:
    one = next(p for p in hostile["inputs"].iterdir() if p.name.startswith("one"))
    result = CliRunner().invoke(main, ["clean", str(one)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("First paragraph")
    assert "keep it.\n" in assert_inert(result.stdout_bytes, "clean")


@pytest.mark.parametrize("fmt", ["jsonl", "doccano", "labelstudio"])
def test_json_exports_write_no_raw_c1_and_keep_the_data(fmt: str, hostile: dict[str, Path]) -> None:
    """A JSON export shown with ``cat`` is inert: DEL and C1 are ``\\u`` escapes (JSON escapes
    C0 already), and every JSON reader gets the stored text back unchanged."""
    import json

    target = hostile["tmp"] / f"export.{'json' if fmt == 'labelstudio' else 'jsonl'}"
    args = ["export", "--db", str(hostile["db"]), "--status", "all", "--format", fmt, "-o", str(target)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    data = target.read_bytes()
    assert not re.search(rb"\x7f|\xc2[\x80-\x9f]|[\x00-\x09\x0b-\x1f]", data), "a raw control in the export"
    assert b"\\u009b" in data
    text = data.decode()
    records = json.loads(text) if fmt == "labelstudio" else [json.loads(line) for line in text.splitlines()]
    texts = {r["data"]["text"] if fmt == "labelstudio" else r["text"] for r in records}
    assert texts == {TEXT}
