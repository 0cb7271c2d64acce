"""The SQLite connection: opening, pragmas, and transactions that nest.

Every repository of the store shares one :class:`Database`. Writes go through
:meth:`Database.transaction`: the outermost block is ``BEGIN IMMEDIATE`` (the
write lock at once, so two annotators never deadlock on an upgrade), a nested
one a ``SAVEPOINT``, so that a failure inside it undoes that block alone and
the caller can go on (or fail) with the rest intact.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from annotations.storage.sqlite.migrations import migrate

DEFAULT_DB = "newsmark.db"
DB_ENV = "NEWSMARK_DB"
IN_CHUNK = 500  # ids per IN (...) list, well under SQLite's variable limit


def resolve_db_path(db: str | os.PathLike[str] | None) -> Path:
    """``--db``, else ``$NEWSMARK_DB``, else ``./newsmark.db``."""
    return Path(db or os.environ.get(DB_ENV) or DEFAULT_DB)


def column(rows: Iterable[tuple[Any, ...]]) -> Iterator[Any]:
    """The first value of each row."""
    return (r[0] for r in rows)


def marks(n: int) -> str:
    """``?, ?, ...``: ``n`` placeholders for an ``IN (...)`` list."""
    return ", ".join("?" * n)


class Database:
    """One open, migrated SQLite file, shared by the store's repositories."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        check_same_thread: bool = True,
        durable: bool = False,
    ) -> None:
        """Open (creating and migrating) the database at ``path``.

        ``durable=True`` fsyncs every commit (``synchronous = FULL``): the
        annotator app wants a span on disk once it is drawn, even if the machine
        loses power. Imports keep the default NORMAL (WAL), which is much faster
        and loses at most the last commits on power loss, never consistency.
        """
        self.path = Path(path)
        if self.path.parent and not self.path.parent.exists():
            raise FileNotFoundError(f"folder for database does not exist: {self.path.parent}")
        # Autocommit mode: transactions are opened explicitly by transaction().
        self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=check_same_thread)
        self.conn.execute("PRAGMA journal_mode = WAL")
        # NORMAL: consistent in WAL, fsync at checkpoints; FULL: fsync every commit.
        self.conn.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
        self.conn.execute("PRAGMA foreign_keys = ON")
        self.conn.execute("PRAGMA busy_timeout = 5000")  # several annotators share one file
        migrate(self.conn)
        self.in_chunk = IN_CHUNK  # public so that tests can make chunks tiny
        self.depth = 0  # open transaction blocks: 0 none, 1 the outer one, more savepoints

    def close(self) -> None:
        self.conn.close()

    @property
    def in_transaction(self) -> bool:
        return self.conn.in_transaction

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write block: everything inside commits together or not at all.

        Nested inside another, it is a savepoint: on error only this block is
        rolled back (then the error goes on up); on success it joins the outer
        transaction, which still decides whether any of it is committed.
        """
        outer = not self.conn.in_transaction  # one opened by hand (a bench) is joined by a savepoint
        name = f"sp_{self.depth}"
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
