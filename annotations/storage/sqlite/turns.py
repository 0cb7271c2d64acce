"""Writer turns: a long write (an import) lets waiting annotators' writes go first.

Why: SQLite gives the write lock to whoever asks at the moment it is free. A
writer that finds it taken sleeps in SQLite's busy handler, in growing steps
(1, 2, 5, 10 ... up to 100 ms), and an importer that commits a batch and at once
begins the next one takes the lock back within microseconds, so the sleeping
writer finds it taken again, and again: short transactions alone still starve
an annotator for seconds.

How: a lock file beside the database (``<db>-turns``, made on first use and never
removed: removing a lock file others may hold open would split them onto two
files). An ordinary writer that finds SQLite's write lock taken holds a *shared*
``flock`` on it while it waits and until its ``COMMIT``: "I want to write" (and
it tries again every millisecond, see ``Database._begin_writing``). Between two of
its short transactions the importer takes the *exclusive* lock (and drops it at
once), which it gets only once no writer holds the shared one, so every writer
that was waiting has had its turn. The importer never asks for
it while it holds SQLite's write lock (that would wait for writers waiting for
it), and gives up waiting after :data:`MAX_WAIT` seconds (a writer stuck on
something else must not stop the import).

``flock`` locks belong to the open file, so two connections in one process
(the app's worker threads) take turns like two processes. Where the file cannot
be made (read-only folder) or ``fcntl`` is missing (Windows), turns are off
(writers still retry every millisecond): nothing fails because of this module. Our own
code (no library: none does this for SQLite), because it is a few system calls.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Unix: turns are off
    fcntl = None  # type: ignore[assignment]

SUFFIX = "-turns"
MAX_WAIT = 1.0  # seconds the importer waits for writers before it goes on anyway
_FIRST_POLL, _LAST_POLL = 0.0005, 0.005  # seconds between the importer's looks


class WriterTurns:
    """The turn file of one database, opened on first use by one connection."""

    def __init__(self, db_path: Path, *, off: bool = False) -> None:
        """``off``: no turns (a read-only connection never writes)."""
        self.path = Path(f"{db_path}{SUFFIX}")
        self._fd: int | None = None
        self._off = off or fcntl is None or str(db_path) in ("", ":memory:")

    def _file(self) -> int | None:
        if self._fd is None and not self._off:
            try:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
            except OSError:  # a read-only folder, say: no turns, and nothing fails
                self._off = True
        return self._fd

    @contextmanager
    def waiting(self) -> Iterator[None]:
        """Around an ordinary write transaction: this writer wants (or has) the lock."""
        fd = self._file()
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_SH)  # waits only while an importer holds it: microseconds
        try:
            yield
        finally:
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def let_writers_through(self, max_wait: float = MAX_WAIT) -> None:
        """Before a long writer's next transaction: wait until no writer is waiting."""
        fd = self._file()
        if fd is None:
            return
        deadline = time.monotonic() + max_wait
        pause = _FIRST_POLL
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return
                time.sleep(pause)
                pause = min(2 * pause, _LAST_POLL)
            else:
                fcntl.flock(fd, fcntl.LOCK_UN)
                return

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
