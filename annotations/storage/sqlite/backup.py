"""A consistent copy of a live database: ``newsmark backup``.

Copying ``newsmark.db`` with ``cp`` while annotators write can catch the file
half-way through a checkpoint, and leaves behind the commits still in
``newsmark.db-wal``. SQLite's online backup API (:meth:`sqlite3.Connection.backup`)
copies every page of one read transaction instead: in WAL mode that is a
snapshot of everything committed when it began, and writers go on meanwhile
(a reader never blocks them). The copy is written under a temporary name beside
the target, checked, flushed to disk and renamed, so a failed backup leaves an
older one as it was.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import NamedTuple

# A newsmark database has these; a SQLite file without them is someone else's.
_TABLES = ("articles", "annotators", "spans")
_SIDE_FILES = ("-journal", "-wal", "-shm")


class BackupError(Exception):
    """A backup that cannot be made: the file at fault (``path``) and why (``reason``)."""

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        self.path, self.reason = Path(path), reason
        super().__init__(f"{path}: {reason}")


class BackupResult(NamedTuple):
    """What a backup copied: counts read from the copy itself."""

    source: Path
    target: Path
    articles: int
    annotators: int
    spans: int
    size: int  # bytes


def backup_database(
    source: str | os.PathLike[str], target: str | os.PathLike[str], *, force: bool = False
) -> BackupResult:
    """Copy the database at ``source`` to ``target`` while others may be writing to it.

    ``target`` must not exist unless ``force``; even then it is refused when it is
    the database itself, not a regular file, or has a ``-wal`` file beside it (it is
    open, or was not closed cleanly: that WAL would be replayed over the copy).
    """
    src_path, dst_path = Path(source), Path(target)
    _check_source(src_path)
    _check_target(src_path, dst_path, force)
    src = _open_source(src_path)
    try:
        return _copy(src, src_path, dst_path)
    finally:
        src.close()


def _check_source(path: Path) -> None:
    if not path.exists():
        raise BackupError(path, "no such database")
    if not path.is_file():
        raise BackupError(path, "not a database file")


def _check_target(source: Path, target: Path, force: bool) -> None:
    if target.is_dir():
        example = os.path.join(target, "newsmark.db")
        raise BackupError(target, f"is a folder: give the backup's file name, e.g. {example}")
    folder = target.parent
    if not folder.is_dir():
        raise BackupError(target, f"no such folder: {folder}")
    if not (target.exists() or target.is_symlink()):
        return
    if target.exists() and os.path.samefile(source, target):
        raise BackupError(target, "is the database being backed up")
    if not force:
        raise BackupError(target, "already exists (--force replaces it)")
    if not target.is_file():
        raise BackupError(target, "exists and is not a regular file: not replaced")
    wal = Path(f"{target}-wal")
    if wal.exists():
        raise BackupError(
            target,
            f"is open, or was not closed cleanly ({wal.name} exists): not replaced; "
            "close everything that uses it first",
        )


def _open_source(path: Path) -> sqlite3.Connection:
    """A connection that never creates or migrates the source, and only reads it.

    ``mode=rw``, not ``ro``: in WAL mode a read-only connection leaves an empty ``-wal``
    and the ``-shm`` behind when it is the last to close; this one cleans them up.
    """
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        raise BackupError(path, f"cannot open: {exc}") from None
    try:
        conn.execute("PRAGMA busy_timeout = 5000")
        names = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        }
    except sqlite3.Error as exc:
        conn.close()
        raise BackupError(path, f"cannot read: {exc}") from None
    missing = [t for t in _TABLES if t not in names]
    if missing:
        conn.close()
        raise BackupError(path, f"not a newsmark database (no {', '.join(missing)} table)")
    return conn


def _copy(src: sqlite3.Connection, source: Path, target: Path) -> BackupResult:
    """Back up into a temporary file beside ``target``, check and count it, then rename it."""
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise BackupError(target, f"cannot write in {target.parent}: {exc.strerror or exc}") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        # The copy is as private as the database (mkstemp makes it owner-only).
        os.chmod(tmp, source.stat().st_mode & 0o777)
        dst = sqlite3.connect(tmp, isolation_level=None)
        try:
            # pages=-1: every page in one step, so one read transaction (one snapshot).
            src.backup(dst, pages=-1)
            counts = _check_and_count(dst, source)
        finally:
            dst.close()
        _fsync(tmp)
        os.replace(tmp, target)
        _fsync(target.parent)
    except sqlite3.Error as exc:
        raise BackupError(target, f"cannot back up {source} here: {exc}") from None
    except OSError as exc:
        raise BackupError(target, f"cannot write: {exc.strerror or exc}") from None
    finally:
        for name in (tmp, *(Path(f"{tmp}{side}") for side in _SIDE_FILES)):
            with contextlib.suppress(FileNotFoundError):
                name.unlink()
    articles, annotators, spans = counts
    return BackupResult(source, target, articles, annotators, spans, target.stat().st_size)


def _check_and_count(copy: sqlite3.Connection, source: Path) -> list[int]:
    """The copy's articles, annotators and spans, once SQLite's check finds it sound.

    A fault found here was copied from the source: the message names the source.
    """
    try:
        check = copy.execute("PRAGMA quick_check").fetchone()[0]
        if check == "ok":
            return [copy.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in _TABLES]
    except sqlite3.DatabaseError as exc:
        check = str(exc)
    raise BackupError(source, f"its copy fails SQLite's check ({check}): the database may be damaged")


def _fsync(path: Path) -> None:
    """Flush a file (or a folder's entry list) to disk: the backup survives a power cut once made."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
