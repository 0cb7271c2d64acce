"""A program under a pseudo-terminal we control: write keys, time the bytes that come back.

Not a benchmark itself; ``tui_bench.py`` imports it. No terminal emulation:
the bytes are counted and timed, not drawn. What a real terminal would answer
to the queries a Textual app sends at start-up is answered here too (device
attributes, cursor position, DECRQM modes, colours), so an app that waits for
an answer does not wait for a timeout. DEC private modes are answered from
``modes`` (e.g. synchronized output, 2026), every other one "not recognised";
kitty keyboard queries get no answer, so the app keeps to legacy key bytes.
"""

from __future__ import annotations

import errno
import fcntl
import os
import pty
import re
import select
import signal
import struct
import termios
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

# Queries a terminal is expected to answer, and the answer an xterm-ish terminal gives.
_QUERIES: tuple[tuple[re.Pattern[bytes], bytes | None], ...] = (
    (re.compile(rb"\x1b\[0?c"), b"\x1b[?62;22c"),  # DA1: VT220 with ANSI colour
    (re.compile(rb"\x1b\[>0?c"), b"\x1b[>41;380;0c"),  # DA2
    (re.compile(rb"\x1b\[6n"), None),  # cursor position: answered with the real size below
    (re.compile(rb"\x1b\[\?(\d+)\$p"), None),  # DECRQM: as ``modes`` says, else "not recognised"
    (re.compile(rb"\x1b\]1([01]);\?(\x07|\x1b\\)"), None),  # OSC 10/11 colour queries
    (re.compile(rb"\x1b\[\?u"), None),  # kitty keyboard query: no answer (not supported)
)


@dataclass
class Burst:
    """What the program wrote after one key: bytes, and when the first and last arrived."""

    sent: float
    first: float | None = None
    last: float | None = None
    nbytes: int = 0
    chunks: list[bytes] = field(default_factory=list)

    @property
    def first_latency(self) -> float | None:
        return None if self.first is None else self.first - self.sent

    @property
    def last_latency(self) -> float | None:
        return None if self.last is None else self.last - self.sent

    @property
    def data(self) -> bytes:
        return b"".join(self.chunks)


class PtyApp:
    """``argv`` running on the slave side of a pty of ``cols`` x ``rows``."""

    def __init__(
        self,
        argv: Sequence[str],
        cols: int = 120,
        rows: int = 40,
        env: dict[str, str] | None = None,
        answer_queries: bool = True,
        modes: dict[int, int] | None = None,
    ) -> None:
        self.argv = list(argv)
        # DECRQM answers per private mode: 0 not recognised, 1 set, 2 reset (supported).
        self.modes = dict(modes or {})
        self.cols, self.rows = cols, rows
        self.answer_queries = answer_queries
        self.queries_seen: list[bytes] = []
        self.total_bytes = 0
        full_env = dict(os.environ if env is None else env)
        full_env.setdefault("TERM", "xterm-256color")
        full_env.setdefault("COLORTERM", "truecolor")
        winsize = struct.pack("HHHH", rows, cols, 0, 0)
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # child: the pty's slave is its controlling terminal and stdio
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, winsize)
                os.execvpe(self.argv[0], self.argv, full_env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, winsize)
        self._tail = b""  # the end of the previous chunk: a query may straddle two reads

    # -- reading ------------------------------------------------------------------

    def _read(self, timeout: float) -> bytes | None:
        """One chunk, b"" on timeout, None once the program has gone."""
        ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not ready:
            return b""
        try:
            data = os.read(self.fd, 1 << 16)
        except OSError as exc:  # EIO: the slave side is closed
            if exc.errno == errno.EIO:
                return None
            raise
        if not data:
            return None
        self.total_bytes += len(data)
        if self.answer_queries:
            self._answer(self._tail + data)
        self._tail = data[-32:]
        return data

    def _answer(self, data: bytes) -> None:
        if b"\x1b" not in data:
            return
        for pattern, reply in _QUERIES:
            for m in pattern.finditer(data):
                if m.end() <= len(self._tail):
                    continue  # answered last time
                self.queries_seen.append(m.group())
                if reply is not None:
                    self.write(reply)
                elif m.group().endswith(b"6n"):
                    self.write(b"\x1b[1;1R")
                elif m.group().endswith(b"$p"):
                    state = self.modes.get(int(m.group(1)), 0)
                    self.write(b"\x1b[?" + m.group(1) + b";" + str(state).encode() + b"$y")
                elif m.group().startswith(b"\x1b]1"):
                    colour = b"rgb:0000/0000/0000" if m.group(1) == b"1" else b"rgb:ffff/ffff/ffff"
                    self.write(b"\x1b]1" + m.group(1) + b";" + colour + b"\x1b\\")

    def read_until_quiet(
        self, quiet: float, limit: float, sent: float | None = None, first_wait: float | None = None
    ) -> Burst:
        """Read until nothing came for ``quiet`` seconds (or ``limit`` seconds passed).

        ``first_wait``: wait up to that long for the first byte before the quiet
        rule applies (a busy program can be silent for longer than ``quiet``
        before it answers at all).
        """
        burst = Burst(time.perf_counter() if sent is None else sent)
        deadline = time.perf_counter() + limit
        while True:
            now = time.perf_counter()
            wait = min(quiet if burst.first is not None or first_wait is None else first_wait, deadline - now)
            if wait <= 0:
                return burst
            data = self._read(wait)
            if data is None:
                return burst
            if not data:  # quiet for `quiet` seconds (or the deadline)
                return burst
            t = time.perf_counter()
            if burst.first is None:
                burst.first = t
            burst.last = t
            burst.nbytes += len(data)
            burst.chunks.append(data)

    def wait_for(self, needles: Sequence[bytes], limit: float) -> tuple[float | None, bytes]:
        """Seconds since start until every needle was seen in the output (None: not within limit)."""
        seen = b""
        deadline = time.perf_counter() + limit
        while time.perf_counter() < deadline:
            data = self._read(deadline - time.perf_counter())
            if data is None:
                break
            seen += data
            if all(n in seen for n in needles):
                return time.perf_counter() - self.started, seen
        return None, seen

    # -- writing ------------------------------------------------------------------

    def write(self, data: bytes) -> float:
        """Write ``data`` to the program's terminal; returns the time just after the write."""
        view = memoryview(data)
        while view:
            n = os.write(self.fd, view)
            view = view[n:]
        return time.perf_counter()

    def press(self, key: bytes, quiet: float = 0.025, limit: float = 5.0, first_wait: float = 1.0) -> Burst:
        """Write ``key`` and collect the burst of output it causes.

        The burst starts with the first byte (waited for up to ``first_wait``
        seconds: a key that changes nothing on screen costs that long) and ends
        after ``quiet`` seconds without output.
        """
        t0 = time.perf_counter()
        self.write(key)
        return self.read_until_quiet(quiet, limit, sent=t0, first_wait=first_wait)

    # -- ending -------------------------------------------------------------------

    def alive(self) -> bool:
        try:
            pid, _ = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            return False
        return pid == 0

    def close(self, keys: bytes | None = None, timeout: float = 3.0) -> int | None:
        """Ask the program to quit (``keys``), then SIGTERM, then SIGKILL; returns its exit status."""
        status = None
        if keys and self.alive():
            try:
                self.write(keys)
            except OSError:
                pass
        deadline = time.perf_counter() + timeout
        for sig in (None, signal.SIGTERM, signal.SIGKILL):
            if sig is not None:
                try:
                    os.kill(self.pid, sig)
                except ProcessLookupError:
                    pass
                deadline = time.perf_counter() + timeout
            while time.perf_counter() < deadline:
                self._read(0.05)  # keep draining, or the program may block writing
                try:
                    pid, status = os.waitpid(self.pid, os.WNOHANG)
                except ChildProcessError:
                    pid = self.pid
                if pid == self.pid:
                    os.close(self.fd)
                    return status
        os.close(self.fd)
        return status
