#!/usr/bin/env python3
"""Time the annotator app in a real terminal: first screen, key latency, bytes per key.

Usage:
    python bench/tui_bench.py [--runs 7] [--keys 200] [--big-db PATH]
                              [--only startup|keys|all] [--workdir DIR] [--keep] [--no-sync]
                              [--no-compile]

Measures, at 120x40, against the issue's floors:

* **time to first usable screen** in tmux: ``tmux new-session -d -x 120 -y 40
  'newsmark annotate --db DB --annotator bench'``, then ``tmux capture-pane -p``
  every ~5 ms until the screen shows list rows, the status bar ("done ") and the
  open article's title in the text pane; from just before spawning tmux to that
  moment. ``--runs`` runs after one discarded warm-up run, the cases taking turns
  (baseline, 1k, 1M, baseline, ...) so that a machine's drift moves them alike. Floor: <= 0.6 s on
  1,000 articles; 1,000,000 articles (``--big-db``) <= 1.2x the 1k median. A
  trivial Textual app (one ``Static``) is timed the same way as the baseline:
  what Python + Textual start-up costs before newsmark does anything; the 1k
  median is at most 1.5x the baseline's median of the same run. Also
  shown, not floored: when the whole view is loaded (``done N/M`` with M > 0).
  The bench's tmux runs on its own socket (``-L``), one server for all runs,
  so no run pays for starting a tmux server. The app and the baseline start
  alike: ``newsmark`` is the script beside the bench's own Python (not a
  version manager's shim found on PATH), and the app's packages are
  byte-compiled first, as an install leaves them and as Textual is
  (``--no-compile``: as they are; with ``PYTHONDONTWRITEBYTECODE`` set, every
  start then compiles them from source).

* **key -> screen update latency and bytes per key**: the app runs on a
  pseudo-terminal this script holds (``bench/ptyterm.py``), 120x40,
  TERM=xterm-256color, COLORTERM=truecolor. After start-up output settles, each
  key is written and the output read until the terminal has been quiet for
  25 ms: latency is the time of the last byte of that burst minus the time the
  key was written (the first byte's is shown too: the app writes one frame per
  update, so the two differ only when a key causes more than one frame), bytes
  is the burst's size, "rows" the number of screen rows it repositions the
  cursor to (a full-screen repaint touches ~38). Cases: the list (``j``, ``k``,
  within the screen and scrolling, ``enter``) on 1,000 articles; the text pane
  (``l``, ``w``, ``j``) in one 20,000-word article; tagging (``1`` on up to
  100 words, ``w`` between, then ``u`` as many times to undo them, both
  timed; the article ends as it began); the find bar in that article (``/``
  opening it, then ``Enter`` running a find of a word typed into it, both
  timed, every frame a key causes counted to it: the burst ends after 200 ms
  quiet; the word's letters are typed untimed between). Floors: median <= 16
  ms per key, <= 1 KB per cursor move, a tag saved (fsync, the app's
  ``synchronous=FULL``) and drawn within 20 ms, <= 8 KB for opening the find
  bar and for running a find (``--only find``: these cases alone). The per-case table also gives
  the app's own CPU time per key (from /proc): on a shared machine it is
  steadier than wall time.

The terminal answers the app's start-up queries as a modern terminal does
(synchronized output, DEC mode 2026, supported: frames come wrapped in
``CSI ?2026h/l``; ``--no-sync`` answers "not supported").

Databases: 1,000 generated articles built with ``query_bench.build``, and one
20,000-word article (paragraphs of generated articles, joined) stored through
``Store.add_article``, both in the work folder (reused there when ``--keep``
kept them). The 1M database is only opened, never copied: give it with
``--big-db`` (no --big-db: that case is skipped).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import Timing, db_size, mib, workdir  # noqa: E402
from make_corpus import generate_many  # noqa: E402
from ptyterm import Burst, PtyApp  # noqa: E402
from query_bench import build  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from annotations.cleaning import CLEANER_VERSION  # noqa: E402
from annotations.importing import content_hash  # noqa: E402
from annotations.model import NewArticle  # noqa: E402
from annotations.storage import Store  # noqa: E402

COLS, ROWS = 120, 40
STARTUP_FLOOR = 0.6  # seconds, 1,000 articles
BIG_RATIO = 1.2  # 1,000,000 articles: at most this times the 1k median
BASELINE_RATIO = 1.5  # 1,000 articles: at most this times the trivial Textual app, same run
KEY_FLOOR = 0.016  # seconds, key -> screen updated
BYTES_FLOOR = 1024  # bytes per cursor move
TAG_FLOOR = 0.020  # seconds, tag saved and drawn
FIND_BYTES_FLOOR = 8 * 1024  # bytes to open the find bar, and to run a find
FIND_WORD = b"said"  # found a few times on every screen of the generated article
FIND_QUIET = 0.2  # seconds: the bar's frames (its row, the footer's keys) all counted to its key
QUIET = 0.025  # seconds of silence that end a key's burst
POLL = 0.005  # seconds between tmux captures
ANNOTATOR = "bench"
SMALL_N = 1000
LONG_WORDS = 20_000

BASELINE_CODE = (
    "from textual.app import App; from textual.widgets import Static; "
    "type('Baseline', (App,), {'compose': lambda self: [Static('baseline ready')]})().run()"
)

_CUP = re.compile(rb"\x1b\[(\d+);(\d+)H")


def newsmark_exe() -> str:
    """The ``newsmark`` script of the Python running the bench, as the baseline runs that Python.

    The one next to ``sys.executable`` first: on PATH there may be a version manager's shim
    (pyenv's is a bash script that runs ``pyenv exec``, 50 ms before Python starts), which
    the baseline, started as ``sys.executable``, does not pay.
    """
    beside = Path(sys.executable).parent / "newsmark"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    exe = shutil.which("newsmark")
    if exe is None:
        sys.exit("newsmark is not on PATH: pip install -e . first")
    return exe


def newsmark_argv(db: Path) -> list[str]:
    return [newsmark_exe(), "annotate", "--db", str(db), "--annotator", ANNOTATOR]


def baseline_argv() -> list[str]:
    return [sys.executable, "-c", BASELINE_CODE]


def compile_project() -> list[str]:
    """Byte-compile the app's packages (``__pycache__``, ignored by git), as ``pip install`` does.

    Textual, the baseline's whole code, comes compiled from site-packages; the app's own
    modules in an editable checkout are compiled by their first import, unless
    ``PYTHONDONTWRITEBYTECODE`` is set, when every start compiles them again (25 ms).
    The packages compiled, for the report.
    """
    import compileall

    import annotations
    import tui

    done = []
    for pkg in (annotations, tui):
        folder = Path(pkg.__file__ or "").parent
        if compileall.compile_dir(folder, quiet=1):
            done.append(str(folder))
    return done


# --------------------------------------------------------------------------- databases


def build_small(folder: Path) -> Path:
    db = folder / "1k.db"
    if db.exists():
        print(f"reusing {db}")
        return db
    print(f"building {db}: {SMALL_N:,} articles")
    build(db, SMALL_N, seed=1, fts="trigger")
    return db


def build_long(folder: Path, words: int = LONG_WORDS) -> Path:
    """A database of one article of ``words`` words: generated paragraphs, joined."""
    db = folder / "20k-words.db"
    if db.exists():
        print(f"reusing {db}")
        return db
    paragraphs: list[str] = []
    count = 0
    for art in generate_many(200, seed=7):
        for p in art.paragraphs:
            paragraphs.append(p)
            count += len(p.split())
            if count >= words:
                break
        if count >= words:
            break
    body = "\n\n".join(paragraphs)
    title = f"A {count:,}-word dispatch: the long article of the TUI bench"
    raw = f"{title}\n\n{body}\n"
    with Store(db) as store:
        store.add_article(
            NewArticle(
                content_hash=content_hash("text", raw),
                raw_format="text",
                raw_text=raw,
                clean_text=body,
                cleaner_version=CLEANER_VERSION,
                title=title,
                source="Bench Wire",
                published="2024-05-01",
                origin="tui_bench",
            )
        )
    print(f"built {db}: one article, {count:,} words, {len(body):,} characters, {len(paragraphs)} paragraphs")
    return db


def first_titles(db: Path) -> tuple[str, str]:
    """Titles of the first two articles (the app opens the first: the bench annotator has no statuses)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT title FROM articles ORDER BY id LIMIT 2").fetchall()
    finally:
        conn.close()
    titles = [" ".join((r[0] or "(untitled)").split()) for r in rows]
    return titles[0], titles[-1]


# --------------------------------------------------------------------------- tmux start-up


class Tmux:
    """A tmux server of our own (``-L`` socket), kept up between runs.

    Screens are read through one control-mode client (``tmux -C``): a
    ``capture-pane`` there is a round trip on a socket, where a ``tmux
    capture-pane`` process every 5 ms would take ~2 ms of CPU each, a third of
    one of the two cores the app is starting on.
    """

    def __init__(self) -> None:
        exe = shutil.which("tmux")
        if exe is None:
            sys.exit("tmux is not installed")
        self.base = [exe, "-L", f"newsmark-bench-{os.getpid()}", "-f", "/dev/null"]
        env = dict(os.environ, COLORTERM="truecolor")
        # A keeper session holds the server up; the options apply to the runs' sessions.
        self.run(
            "new-session", "-d", "-s", "keeper", "-x", str(COLS), "-y", str(ROWS), "sleep 86400", env=env
        )
        self.run("set-option", "-g", "default-terminal", "tmux-256color")
        self.run("set-option", "-g", "remain-on-exit", "on")  # keep a crashed app's screen to show
        self.run("set-option", "-g", "status", "off")  # all 40 rows are the app's
        self.control = subprocess.Popen(
            [*self.base, "-C", "attach-session", "-t", "keeper"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert self.control.stdin is not None and self.control.stdout is not None
        self._in, self._out = self.control.stdin, self.control.stdout
        self._seq = 0
        self._in.write(b"display-message -p tui-bench-sync\n")
        self._in.flush()
        while True:  # skip the attach's own reply and notifications up to our marker
            ok, lines = self._block()
            if "tui-bench-sync" in lines:
                break

    def _block(self) -> tuple[bool, list[str]]:
        """The next %begin .. %end (or %error) reply of the control client; notifications skipped."""
        lines: list[str] = []
        inside = False
        while True:
            raw = self._out.readline()
            if not raw:
                raise RuntimeError("tmux control client went away")
            line = raw.decode("utf-8", "replace").rstrip("\n")
            if not inside:
                inside = line.startswith("%begin ")
                continue
            if line.startswith(("%end ", "%error ")):
                return line.startswith("%end "), lines
            lines.append(line)

    def run(self, *args: str, env: dict[str, str] | None = None, check: bool = True) -> str:
        return subprocess.run(
            [*self.base, *args], capture_output=True, text=True, check=check, env=env
        ).stdout

    def capture(self, name: str) -> str | None:
        """The text on ``name``'s screen now (None: no such session).

        A numbered marker follows each capture, and the capture is the reply just
        before it: a reply left over from anything earlier can never pass for it.
        """
        self._seq += 1
        marker = f"tui-bench-{self._seq}"
        self._in.write(f"capture-pane -p -t {name}\ndisplay-message -p {marker}\n".encode())
        self._in.flush()
        replies: list[tuple[bool, list[str]]] = []
        while True:
            ok, lines = self._block()
            if ok and lines == [marker]:
                break
            replies.append((ok, lines))
        if not replies:
            return None
        ok, lines = replies[-1]
        return "\n".join(lines) if ok else None

    def close(self) -> None:
        try:
            self._in.close()
        except OSError:
            pass
        subprocess.run([*self.base, "kill-server"], capture_output=True)
        try:
            self.control.wait(5)
        except subprocess.TimeoutExpired:
            self.control.kill()
            self.control.wait()


@dataclass
class StartupRun:
    ready: float | None  # seconds to the first usable screen
    loaded: float | None = None  # seconds to the whole view loaded (newsmark only)
    screen: str = ""


def _pid_alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def one_startup(
    tmux: Tmux,
    name: str,
    argv: Sequence[str],
    ready: Callable[[str], bool],
    loaded: Callable[[str], bool] | None,
    limit: float = 30.0,
) -> StartupRun:
    command = shlex.join(argv)
    t0 = time.perf_counter()
    tmux.run("new-session", "-d", "-s", name, "-x", str(COLS), "-y", str(ROWS), command)
    result = StartupRun(None)
    screen = ""
    while time.perf_counter() - t0 < limit:
        screen = tmux.capture(name) or ""
        now = time.perf_counter() - t0
        if result.ready is None and ready(screen):
            result.ready = now
        if result.ready is not None and (loaded is None or loaded(screen)):
            if loaded is not None:
                result.loaded = now
            break
        time.sleep(POLL)
    result.screen = screen
    pid_text = tmux.run("display-message", "-p", "-t", name, "#{pane_pid}", check=False).strip()
    tmux.run("kill-session", "-t", name, check=False)
    if pid_text.isdigit():  # wait for the app to be gone: it must not eat CPU in the next run
        deadline = time.perf_counter() + 10
        while _pid_alive(int(pid_text)) and time.perf_counter() < deadline:
            time.sleep(0.01)
    time.sleep(0.1)
    return result


def newsmark_ready(db: Path) -> tuple[Callable[[str], bool], Callable[[str], bool]]:
    """(first usable screen, whole view loaded) tests on a captured screen."""
    first, second = first_titles(db)
    head, row = first[:20], second[:15]
    loaded_re = re.compile(r"done \d+/[1-9]")

    def ready(screen: str) -> bool:
        lines = screen.splitlines()
        return (
            "done " in screen
            and any(line.find(head) >= 40 for line in lines)  # the title in the text pane's head
            and any(0 <= line.find(row) < 10 for line in lines)
        )  # a list row

    def loaded(screen: str) -> bool:
        return ready(screen) and loaded_re.search(screen) is not None

    return ready, loaded


@dataclass
class StartupCase:
    label: str
    argv: Sequence[str]
    ready: Callable[[str], bool]
    loaded: Callable[[str], bool] | None = None


def startup_series(
    tmux: Tmux, cases: Sequence[StartupCase], runs: int
) -> dict[str, tuple[list[StartupRun], StartupRun]]:
    """Each case's runs and its warm-up run, by label.

    The runs take turns (case 1, case 2, ..., then again): a machine that gets slower or
    faster during the series (another job starting, the CPU's clock) moves every case
    alike, so the ratio of two cases in one run stays fair.
    """
    result: dict[str, tuple[list[StartupRun], StartupRun]] = {}
    live = []
    for case in cases:
        warm = one_startup(tmux, f"warm-{case.label}", case.argv, case.ready, case.loaded)
        result[case.label] = ([], warm)
        if warm.ready is None:
            print(f"[{case.label}] the screen never became usable; last screen:\n{warm.screen}")
            continue
        print(f"  {case.label}: warm-up {warm.ready:.3f} s (discarded)", flush=True)
        live.append(case)
    for i in range(runs):
        for case in live:
            r = one_startup(tmux, f"{case.label}-{i}", case.argv, case.ready, case.loaded)
            label = case.label
            if r.ready is not None and r.ready < 0.05:  # no Python program starts that fast: stale
                print(f"  {label}: run {i + 1}: {r.ready:.3f} s is not a real start-up; run discarded")
                continue
            result[label][0].append(r)
            extra = f", loaded {r.loaded:.3f} s" if r.loaded is not None else ""
            shown = "—" if r.ready is None else f"{r.ready:.3f}"
            print(f"  {label}: run {i + 1}: {shown} s{extra}", flush=True)
    return result


# --------------------------------------------------------------------------- keys in a pty


@dataclass
class KeyCase:
    db: str
    name: str
    bursts: list[Burst]
    latency_floor: float | None = KEY_FLOOR
    bytes_floor: int | None = BYTES_FLOOR
    note: str = ""
    cpu: float | None = None  # the app's CPU seconds per key (from /proc), less noisy than wall time

    def __post_init__(self) -> None:
        spent = _cpu_spent.pop(id(self.bursts), None)
        if self.cpu is None and spent is not None and self.bursts:
            self.cpu = spent / len(self.bursts)

    @property
    def answered(self) -> list[Burst]:
        return [b for b in self.bursts if b.nbytes]

    def last(self) -> Timing | None:
        got = [b.last_latency for b in self.answered]
        return Timing(got) if got else None  # type: ignore[arg-type]

    def first(self) -> Timing | None:
        got = [b.first_latency for b in self.answered]
        return Timing(got) if got else None  # type: ignore[arg-type]

    def nbytes(self) -> Timing:
        return Timing([float(b.nbytes) for b in self.bursts])

    def rows(self) -> Timing:
        return Timing([float(rows_touched(b.data)) for b in self.bursts])

    def frames(self) -> Timing:
        return Timing([float(max(1, b.data.count(b"\x1b[?2026h"))) if b.nbytes else 0.0 for b in self.bursts])


def rows_touched(data: bytes) -> int:
    return len({m.group(1) for m in _CUP.finditer(data)})


@dataclass
class Session:
    """The app on a pty, started and settled."""

    app: PtyApp
    startup: float | None
    startup_bytes: int
    idle_bytes: int = 0
    notes: list[str] = field(default_factory=list)


def start_session(argv: Sequence[str], sync: bool, idle: float = 1.5) -> Session:
    app = PtyApp(
        argv,
        COLS,
        ROWS,
        env=dict(os.environ, TERM="xterm-256color", COLORTERM="truecolor"),
        modes={2026: 2 if sync else 0},
    )
    t, seen = app.wait_for([b"done "], 60)
    if t is None:
        app.close()
        raise RuntimeError(f"app did not start: {seen[-2000:]!r}")
    settle = app.read_until_quiet(0.5, 60)  # the view worker's list and progress land here
    idle_burst = app.read_until_quiet(idle, idle)  # fixed window: anything here is periodic output
    s = Session(app, t, len(seen) + settle.nbytes, idle_burst.nbytes)
    return s


def app_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) the app has used so far; None where /proc is missing."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


_cpu_spent: dict[int, float] = {}  # id(list of bursts) -> the app's CPU seconds while they were pressed


def press_all(app: PtyApp, keys: Iterable[bytes]) -> list[Burst]:
    """Press each key, timing its burst; the app's CPU time for the lot is kept too."""
    c0 = app_cpu(app.pid)
    bursts = [app.press(k, QUIET) for k in keys]
    c1 = app_cpu(app.pid)
    if c0 is not None and c1 is not None:
        _cpu_spent[id(bursts)] = c1 - c0
    return bursts


def setup_keys(app: PtyApp, keys: Iterable[bytes]) -> None:
    """Keys that bring the app where a case starts: not timed, and given time to settle."""
    for k in keys:
        app.press(k, 0.15)


def list_cases(
    db: Path, label: str, keys: int, sync: bool, console: Console
) -> tuple[list[KeyCase], Session]:
    s = start_session(newsmark_argv(db), sync)
    app = s.app
    cases = []
    try:
        cases.append(
            KeyCase(label, "list j/k, cursor within the screen", press_all(app, [b"j", b"k"] * (keys // 2)))
        )
        cases.append(KeyCase(label, "list j from the top (scrolls after ~35)", press_all(app, [b"j"] * keys)))
        cases.append(KeyCase(label, "list k back up (scrolls near the top)", press_all(app, [b"k"] * keys)))
        opens = []
        for _ in range(min(keys, 30)):
            opens.append(app.press(b"\r", QUIET))  # open the article under the list cursor
            setup_keys(app, [b"\t", b"j"])  # back to the list, next article
        cases.append(
            KeyCase(
                label,
                "enter: open an article from the list",
                opens,
                bytes_floor=None,
                note="not a cursor move",
            )
        )
        tail = app.read_until_quiet(2.0, 2.0)
        if tail.nbytes:
            s.notes.append(f"{label}: {tail.nbytes} bytes in 2 s of idle after the keys")
    finally:
        app.close(b"q")
    return cases, s


def text_cases(
    db: Path, label: str, keys: int, sync: bool, console: Console
) -> tuple[list[KeyCase], Session]:
    s = start_session(newsmark_argv(db), sync)
    app = s.app
    cases = []
    try:
        opens = []
        for _ in range(min(keys, 10)):
            opens.append(app.press(b"\r", QUIET))  # (re)open the 20k-word article, focus the text
            setup_keys(app, [b"\t"])
        cases.append(
            KeyCase(
                label,
                "enter: open the 20,000-word article",
                opens,
                bytes_floor=None,
                note="not a cursor move",
            )
        )
        setup_keys(app, [b"\r"])  # the text pane has the focus from here on
        setup_keys(app, [b"g"])
        cases.append(KeyCase(label, "text l (next character)", press_all(app, [b"l"] * keys)))
        setup_keys(app, [b"g"])
        cases.append(KeyCase(label, "text w (next word)", press_all(app, [b"w"] * keys)))
        setup_keys(app, [b"g"])
        cases.append(
            KeyCase(label, "text j/k, cursor within the screen", press_all(app, [b"j", b"k"] * (keys // 2)))
        )
        setup_keys(app, [b"g"] + [b"j"] * ROWS)  # cursor at the bottom row: every j scrolls
        cases.append(KeyCase(label, "text j at the bottom (scrolls one row)", press_all(app, [b"j"] * keys)))
        # Tag n words (w between, not timed), then undo the n tags: the article ends as it began.
        setup_keys(app, [b"g", b"w", b"w"])
        tags: list[Burst] = []
        n = min(keys, 100)
        tag_cpu = 0.0
        for _ in range(n):
            c0 = app_cpu(app.pid)
            tags.append(app.press(b"1", QUIET))
            c1 = app_cpu(app.pid)
            tag_cpu += (c1 - c0) if c0 is not None and c1 is not None else 0.0
            setup_keys(app, [b"w"])
        cases.append(
            KeyCase(
                label,
                "tag: 1 on a word (saved + drawn)",
                tags,
                latency_floor=TAG_FLOOR,
                bytes_floor=None,
                cpu=tag_cpu / n if app_cpu(app.pid) is not None else None,
            )
        )
        cases.append(
            KeyCase(
                label,
                "undo: u, the tags one by one (saved + drawn)",
                press_all(app, [b"u"] * n),
                latency_floor=TAG_FLOOR,
                bytes_floor=None,
            )
        )
        tail = app.read_until_quiet(3.0, 3.0)
        if tail.nbytes:
            s.notes.append(
                f"{label}: {tail.nbytes:,} bytes in 3 s of idle after the undos "
                f"({rows_touched(tail.data)} rows redrawn)"
            )
    finally:
        app.close(b"q")
    return cases, s


def find_cases(
    db: Path, label: str, keys: int, sync: bool, console: Console
) -> tuple[list[KeyCase], Session]:
    """``/`` (the find bar opens) and ``Enter`` (a find runs), timed; the word typed between is not."""
    s = start_session(newsmark_argv(db), sync)
    app = s.app
    opens: list[Burst] = []
    finds: list[Burst] = []
    try:
        setup_keys(app, [b"\r"])  # the text pane has the focus from here on
        for _ in range(min(keys, 20)):
            # Top of the article; escape twice: no selection, no matches left from the last find.
            setup_keys(app, [b"g", b"\x1b", b"\x1b"])
            opens.append(app.press(b"/", FIND_QUIET))
            setup_keys(app, [bytes([c]) for c in FIND_WORD])
            finds.append(app.press(b"\r", FIND_QUIET))
        word = FIND_WORD.decode()
        cases = [
            # Latency not floored: every frame is waited for (200 ms quiet), the footer's last too.
            KeyCase(label, "/: open the find bar", opens, latency_floor=None, bytes_floor=FIND_BYTES_FLOOR),
            KeyCase(
                label,
                f"enter: find {word!r} (bar closes)",
                finds,
                latency_floor=None,
                bytes_floor=FIND_BYTES_FLOOR,
            ),
        ]
    finally:
        app.close(b"q")
    return cases, s


# --------------------------------------------------------------------------- report


def ms(x: float | None) -> str:
    return "—" if x is None else f"{x * 1000:,.1f} ms"


def secs(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f} s"


def verdict(value: float | None, floor: float | None) -> str:
    if floor is None or value is None:
        return ""
    return "[green]ok[/]" if value <= floor else "[bold red]MISS[/]"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7, help="start-up runs per case (after one warm-up)")
    parser.add_argument("--keys", type=int, default=200, help="key presses per key case")
    parser.add_argument(
        "--big-db", type=Path, help="an existing 1,000,000-article database (opened, not copied)"
    )
    parser.add_argument("--only", choices=("startup", "keys", "find", "all"), default="all")
    parser.add_argument(
        "--workdir", type=Path, help="folder for the generated databases (default: a temp folder)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated databases")
    parser.add_argument(
        "--compile",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="byte-compile the app's packages first, as an install does (--no-compile: as they are)",
    )
    parser.add_argument(
        "--sync",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="the pty terminal says it supports synchronized output (mode 2026)",
    )
    args = parser.parse_args(argv)
    console = Console()
    if not console.is_terminal:  # piped to a file: wide enough that the tables do not wrap
        console = Console(width=200)
    if args.big_db is not None and not args.big_db.exists():
        sys.exit(f"--big-db {args.big_db}: no such file")

    with workdir(args.workdir, args.keep) as folder:
        small = build_small(folder)
        compiled = compile_project() if args.compile else []
        long_db = build_long(folder)
        rows: list[tuple[str, str, str, str, str, str]] = []  # figure, floor, median, p95, n, verdict
        notes: list[str] = [
            f"app byte-compiled first: {', '.join(compiled)}"
            if compiled
            else "app not byte-compiled by the bench (--no-compile)"
        ]
        key_cases: list[KeyCase] = []

        if args.only in ("startup", "all"):
            console.rule("time to first usable screen (tmux)")
            tmux = Tmux()
            try:
                print(
                    f"tmux {COLS}x{ROWS}: {shlex.join(['tmux', 'new-session', '-d', '-x', str(COLS), '-y', str(ROWS), shlex.join(newsmark_argv(small))])}"
                )
                print(f"baseline: {shlex.join(baseline_argv())}")
                base_ready = lambda screen: "baseline ready" in screen  # noqa: E731
                cases = [StartupCase("baseline", baseline_argv(), base_ready)]
                r, lo = newsmark_ready(small)
                cases.append(StartupCase("1k", newsmark_argv(small), r, lo))
                if args.big_db is not None:
                    r, lo = newsmark_ready(args.big_db)
                    cases.append(StartupCase("1M", newsmark_argv(args.big_db), r, lo))
                else:
                    notes.append("1,000,000 articles: skipped (no --big-db)")
                series = startup_series(tmux, cases, args.runs)
                base, _ = series["baseline"]
                s1k, w1k = series["1k"]
                big, wbig = series.get("1M", ([], None))
            finally:
                tmux.close()

            def add(
                figure: str,
                series: list[StartupRun],
                floor: float | None,
                floor_text: str,
                attr: str = "ready",
            ) -> float | None:
                got = [getattr(x, attr) for x in series if getattr(x, attr) is not None]
                if not got:
                    rows.append(
                        (figure, floor_text, "—", "—", "0", "[bold red]no screen[/]" if series else "")
                    )
                    return None
                t = Timing(got)
                rows.append(
                    (figure, floor_text, secs(t.median), secs(t.p95), str(len(got)), verdict(t.median, floor))
                )
                return t.median

            m_base = add("start-up: trivial Textual app (baseline)", base, None, "—")
            m1k = add(f"start-up: {SMALL_N:,} articles", s1k, STARTUP_FLOOR, f"≤ {STARTUP_FLOOR} s")
            if m_base and m1k is not None:
                ratio = m1k / m_base
                rows.append(
                    (
                        f"  start-up {SMALL_N:,} ÷ baseline (this run)",
                        f"≤ {BASELINE_RATIO}×",
                        f"{ratio:.2f}×",
                        "—",
                        "",
                        verdict(ratio, BASELINE_RATIO),
                    )
                )
            add(f"  whole view loaded (done N/M shown), {SMALL_N:,}", s1k, None, "—", "loaded")
            if args.big_db is not None:
                floor = BIG_RATIO * m1k if m1k is not None else None
                add(
                    "start-up: 1,000,000 articles",
                    big,
                    floor,
                    f"≤ {BIG_RATIO}× 1k = {secs(floor)}" if floor else f"≤ {BIG_RATIO}× 1k",
                )
                add("  whole view loaded (done N/M shown), 1M", big, None, "—", "loaded")
                if wbig is not None:
                    notes.append(
                        f"1M warm-up run (first open, cold cache; discarded): {secs(wbig.ready)}"
                        f", loaded {secs(wbig.loaded)}"
                    )
            if w1k is not None:
                notes.append(f"1k warm-up run (discarded): {secs(w1k.ready)}")

        sessions: list[tuple[str, Session]] = []
        if args.only in ("keys", "all"):
            console.rule("keys on a pseudo-terminal")
            print(
                f"pty {COLS}x{ROWS}, TERM=xterm-256color COLORTERM=truecolor, "
                f"synchronized output {'on' if args.sync else 'off'}; burst ends after {QUIET * 1000:.0f} ms quiet"
            )
            print(f"  {shlex.join(newsmark_argv(small))}")
            c, s = list_cases(small, "1k", args.keys, args.sync, console)
            key_cases += c
            sessions.append(("1k", s))
            print(f"  {shlex.join(newsmark_argv(long_db))}")
            c, s = text_cases(long_db, "20k words", args.keys, args.sync, console)
            key_cases += c
            sessions.append(("20k words", s))
        if args.only in ("keys", "find", "all"):
            if args.only == "find":
                console.rule("the find bar on a pseudo-terminal")
            print(f"  {shlex.join(newsmark_argv(long_db))}: the find bar")
            c, s = find_cases(long_db, "20k words", args.keys, args.sync, console)
            key_cases += c
            sessions.append(("20k words, find bar", s))
        if args.only in ("keys", "all"):
            if args.big_db is not None:
                print(f"  {shlex.join(newsmark_argv(args.big_db))}")
                s = start_session(newsmark_argv(args.big_db), args.sync)
                try:
                    key_cases.append(
                        KeyCase(
                            "1M",
                            "list j from the top (scrolls after ~35)",
                            press_all(s.app, [b"j"] * args.keys),
                        )
                    )
                finally:
                    s.app.close(b"q")
                sessions.append(("1M", s))
        if args.only in ("keys", "find", "all"):
            for label, s in sessions:
                notes.append(
                    f"{label}: pty start-up to 'done ' {secs(s.startup)}, {s.startup_bytes:,} bytes until "
                    f"settled; idle output {s.idle_bytes} bytes in 1.5 s; queries answered: "
                    f"{', '.join(q.decode('ascii', 'replace').replace(chr(27), 'ESC') for q in s.app.queries_seen) or 'none'}"
                )
                notes += s.notes
            for case in key_cases:
                last = case.last()
                floor_ms = f"≤ {case.latency_floor * 1000:.0f} ms" if case.latency_floor else "—"
                rows.append(
                    (
                        f"key→update (last byte): {case.db}, {case.name}",
                        floor_ms,
                        ms(last.median if last else None),
                        ms(last.p95 if last else None),
                        str(len(case.answered)),
                        verdict(last.median if last else None, case.latency_floor),
                    )
                )
                if case.bytes_floor is not None:
                    b = case.nbytes()
                    rows.append(
                        (
                            f"bytes per key: {case.db}, {case.name}",
                            f"≤ {case.bytes_floor:,} B",
                            f"{b.median:,.0f} B",
                            f"{b.p95:,.0f} B",
                            str(len(case.bursts)),
                            verdict(b.median, case.bytes_floor),
                        )
                    )

        console.rule("results")
        table = Table(title=f"newsmark TUI at {COLS}x{ROWS}: medians and p95 against the floors")
        for col, just in (
            ("figure", "left"),
            ("floor", "right"),
            ("median", "right"),
            ("p95", "right"),
            ("n", "right"),
            ("verdict", "left"),
        ):
            table.add_column(col, justify=just)  # type: ignore[arg-type]
        for row in rows:
            table.add_row(*row)
        console.print(table)

        if key_cases:
            detail = Table(
                title="per key case: latency from the key written to the first / last byte of "
                "its output, bytes and screen rows it redraws"
            )
            for col in (
                "case",
                "n",
                "first byte",
                "last byte",
                "last p95",
                "last max",
                "bytes med",
                "bytes p95",
                "bytes max",
                "rows med",
                "rows max",
                "frames max",
                "silent",
                "app CPU/key",
            ):
                detail.add_column(col, justify="left" if col == "case" else "right")
            for case in key_cases:
                first, last, b, r = case.first(), case.last(), case.nbytes(), case.rows()
                detail.add_row(
                    f"{case.db}: {case.name}" + (f" ({case.note})" if case.note else ""),
                    str(len(case.bursts)),
                    ms(first.median if first else None),
                    ms(last.median if last else None),
                    ms(last.p95 if last else None),
                    ms(last.max if last else None),
                    f"{b.median:,.0f}",
                    f"{b.p95:,.0f}",
                    f"{b.max:,.0f}",
                    f"{r.median:.0f}",
                    f"{r.max:.0f}",
                    f"{case.frames().max:.0f}",
                    str(len(case.bursts) - len(case.answered)),
                    ms(case.cpu),
                )
            console.print(detail)
        print(
            f"databases: {small} ({mib(db_size(small))}), {long_db} ({mib(db_size(long_db))})"
            + (f", {args.big_db} ({mib(db_size(args.big_db))})" if args.big_db else "")
        )
        for note in notes:
            print(f"note: {note}")


if __name__ == "__main__":
    main()
