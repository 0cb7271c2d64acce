"""The SQLite connection: opening, pragmas, and transactions that nest.

Every repository of the store shares one :class:`Database`. Writes go through
:meth:`Database.transaction`: the outermost block is ``BEGIN IMMEDIATE`` (the
write lock at once, so two annotators never deadlock on an upgrade), a nested
one a ``SAVEPOINT``, so that a failure inside it undoes that block alone and
the caller can go on (or fail) with the rest intact.

A long write (an import) goes through :meth:`Database.in_batches` instead: short
transactions (at most :data:`BATCH_ITEMS` items or :data:`BATCH_SECONDS`), and
before each one the annotators who are waiting to write get the lock first
(see :mod:`.turns`), so that no annotator waits for an import more than about
one batch.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from annotations.storage.sqlite.migrations import SCHEMA_VERSION, SchemaTooNew, migrate
from annotations.storage.sqlite.turns import WriterTurns
from annotations.storage.types import Batch

DEFAULT_DB = "newsmark.db"
DB_ENV = "NEWSMARK_DB"
IN_CHUNK = 500  # ids per IN (...) list, well under SQLite's variable limit
# A long write's transactions: this many items or this long, whichever comes first
# (the figures: 20,000 articles held the lock 4.6 s; 100 hold it about 25 ms).
BATCH_ITEMS = 100
BATCH_SECONDS = 0.05
BUSY_TIMEOUT = 5.0  # seconds a write waits for the lock before it fails ("database is locked")
RETRY_PAUSE = 0.001  # seconds between a waiting writer's tries (see Database._begin_writing)

T = TypeVar("T")
R = TypeVar("R")


def resolve_db_path(db: str | os.PathLike[str] | None) -> Path:
    """``--db``, else ``$NEWSMARK_DB``, else ``./newsmark.db``."""
    return Path(db or os.environ.get(DB_ENV) or DEFAULT_DB)


def column(rows: Iterable[tuple[Any, ...]]) -> Iterator[Any]:
    """The first value of each row."""
    return (r[0] for r in rows)


def marks(n: int) -> str:
    """``?, ?, ...``: ``n`` placeholders for an ``IN (...)`` list."""
    return ", ".join("?" * n)


class NeedsMigrating(RuntimeError):
    """A database opened read-only has an older schema than this newsmark's."""


def connect_read_only(path: Path, *, check_same_thread: bool = True) -> sqlite3.Connection:
    """``path`` opened for reading only, its schema checked, never changed.

    With a -wal file beside it (someone has the database open): ``mode=ro``, which reads
    what writers have committed through their -wal and -shm files (a -shm we may not
    write is fine). Without one, every commit is in the main file, and ``immutable=1``
    reads it without locks and without making a -wal or -shm: ``mode=ro`` would make them
    if the folder lets it, owned by the reader and as read-only as the database, and the
    owner's next write would then fail on that -shm. The caveat: a writer that starts and
    checkpoints while an immutable read runs changes the file under it (a read command
    takes that small risk rather than refuse a user who may only read).
    """
    uri = path.resolve().as_uri()
    mode = "mode=ro" if Path(f"{path}-wal").exists() else "immutable=1"
    conn = sqlite3.connect(
        f"{uri}?{mode}", uri=True, isolation_level=None, check_same_thread=check_same_thread
    )
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    conn.execute("PRAGMA query_only = ON")
    conn.execute("PRAGMA busy_timeout = 5000")
    if version < SCHEMA_VERSION:
        conn.close()
        what = "is empty" if version == 0 else f"has schema version {version}, this newsmark {SCHEMA_VERSION}"
        raise NeedsMigrating(
            f"{what}: it needs migrating, and we may only read it: run any newsmark command with "
            "write access to it (newsmark stats, say)"
        )
    if version > SCHEMA_VERSION:
        conn.close()
        raise SchemaTooNew(
            f"database schema version {version} is newer than this newsmark's ({SCHEMA_VERSION}); "
            "upgrade newsmark"
        )
    return conn


class Database:
    """One open, migrated SQLite file, shared by the store's repositories."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        check_same_thread: bool = True,
        durable: bool = False,
        read_only: bool = False,
    ) -> None:
        """Open (creating and migrating) the database at ``path``.

        ``read_only=True`` opens it for reading only (see :func:`connect_read_only`):
        nothing is created, set or migrated, for a user who may read the file but
        not write it or its folder.

        ``durable=True`` fsyncs every commit (``synchronous = FULL``): the
        annotator app wants a span on disk once it is drawn, even if the machine
        loses power. Imports keep the default NORMAL (WAL), which is much faster
        and loses at most the last commits on power loss, never consistency.
        """
        self.path = Path(path)
        if self.path.parent and not self.path.parent.exists():
            raise FileNotFoundError(f"folder for database does not exist: {self.path.parent}")
        self.in_chunk = IN_CHUNK  # public so that tests can make chunks tiny
        self.depth = 0  # open transaction blocks: 0 none, 1 the outer one, more savepoints
        self.batch_items, self.batch_seconds = BATCH_ITEMS, BATCH_SECONDS  # public: tests shrink them
        self.turns = WriterTurns(self.path, off=read_only)
        if read_only:
            self.conn = connect_read_only(self.path, check_same_thread=check_same_thread)
            return
        # Autocommit mode: transactions are opened explicitly by transaction().
        self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=check_same_thread)
        self.conn.execute("PRAGMA journal_mode = WAL")
        # NORMAL: consistent in WAL, fsync at checkpoints; FULL: fsync every commit.
        self.conn.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
        self.conn.execute("PRAGMA foreign_keys = ON")
        self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT * 1000:.0f}")  # annotators share one file
        migrate(self.conn)

    def close(self) -> None:
        self.conn.close()
        self.turns.close()

    @property
    def in_transaction(self) -> bool:
        return self.conn.in_transaction

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write block: everything inside commits together or not at all.

        Nested inside another, it is a savepoint: on error only this block is
        rolled back (then the error goes on up); on success it joins the outer
        transaction, which still decides whether any of it is committed. The
        outermost one begins through :meth:`_begin_writing`: an import running
        beside it lets it through first.
        """
        if self.conn.in_transaction:
            with self._block() as conn:
                yield conn
        else:
            with self._begin_writing(), self._block(begun=True) as conn:
                yield conn

    @contextmanager
    def _begin_writing(self) -> Iterator[None]:
        """``BEGIN IMMEDIATE`` for an ordinary write; its turn held to the end if it had to wait.

        When the lock is taken, the writer takes its turn (:meth:`WriterTurns.waiting`:
        an importer starts no batch until it is through) and tries again every
        :data:`RETRY_PAUSE`, for up to :data:`BUSY_TIMEOUT` seconds: SQLite's own busy
        handler sleeps in steps of up to 100 ms, and would wake long after the lock was free.
        """
        if self._try_begin() is None:
            yield
            return
        with self.turns.waiting():
            deadline = time.monotonic() + BUSY_TIMEOUT
            while (busy := self._try_begin()) is not None:
                if time.monotonic() >= deadline:
                    raise busy
                time.sleep(RETRY_PAUSE)
            yield

    def _try_begin(self) -> sqlite3.OperationalError | None:
        """``BEGIN IMMEDIATE`` at once: None once begun, the error if the lock is taken."""
        self.conn.execute("PRAGMA busy_timeout = 0")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode & 0xFF not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                raise
            return exc
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT * 1000:.0f}")
        return None

    def in_batches(self, items: Sequence[T], write: Callable[[T], R]) -> Iterator[Batch[T, R]]:
        """``write`` each item, in short transactions; one :class:`Batch` per transaction.

        Each transaction ends after :attr:`batch_items` items or once it has run
        :attr:`batch_seconds`, whichever comes first, and before each one the
        writers waiting for the lock go first. A database error rolls back that
        transaction alone: its items come back as ``failed`` and the next
        transaction starts after the item that failed, so the other batches' items
        are saved. Inside a transaction already open, all of it joins that one.
        """
        start = 0
        while start < len(items):
            if not self.conn.in_transaction:
                self.turns.let_writers_through()
            results: list[R] = []
            begun = False
            deadline = time.monotonic() + self.batch_seconds
            try:
                with self._block():
                    begun = True
                    for item in items[start : start + self.batch_items]:
                        results.append(write(item))
                        if time.monotonic() >= deadline:
                            break
            except Exception as exc:  # rolled back: this batch alone is not saved
                # Past the item that failed; if the transaction could not even begin, past all it was to hold.
                end = start + (len(results) + 1 if begun else self.batch_items)
                yield Batch([], list(items[start:end]), exc)
                start = end
                continue
            start += len(results)
            yield Batch(results, [])

    @contextmanager
    def _block(self, *, begun: bool = False) -> Iterator[sqlite3.Connection]:
        """The transaction or savepoint itself (see :meth:`transaction`); ``begun``: the
        caller has just run ``BEGIN IMMEDIATE``."""
        outer = begun or not self.conn.in_transaction  # one opened by hand (a bench) is joined by a savepoint
        name = f"sp_{self.depth}"
        if not begun:
            self.conn.execute("BEGIN IMMEDIATE" if outer else f"SAVEPOINT {name}")
        self.depth += 1
        try:
            yield self.conn
        except BaseException:
            self.depth -= 1
            if outer:
                self.conn.execute("ROLLBACK")
            else:
                self.conn.execute(f"ROLLBACK TO {name}")
                self.conn.execute(f"RELEASE {name}")
            raise
        self.depth -= 1
        self.conn.execute("COMMIT" if outer else f"RELEASE {name}")

    def chunks(self, ids: Sequence[int]) -> Iterator[tuple[list[int], str]]:
        """``ids`` in slices small enough for one ``IN (...)``, each with its ``?, ?, ...``."""
        size = self.in_chunk
        for lo in range(0, len(ids), size):
            chunk = [int(i) for i in ids[lo : lo + size]]
            yield chunk, marks(len(chunk))
