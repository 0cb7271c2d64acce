"""Writing export files so that a reader never sees half of one.

Everything goes to a temporary name beside the target and is renamed over it
when complete (``os.replace`` is atomic on one file system); on an error the
temporary file is removed and the old target, if any, is untouched.

The file is not fsynced before the rename. The database is the record and an
export can always be made again, while an fsync of a multi-gigabyte export
costs 5-10 s on our machines (half the time of the whole export). A power cut
in the seconds after an export may therefore leave it short or empty; a
reader that runs while it is written never sees it half-written.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


@contextmanager
def atomic_file(target: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """A binary file that appears at ``target`` only once the block ends without error.

    ``"-"`` is standard output (written as it goes: a pipe cannot be renamed).
    """
    if str(target) == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    path = Path(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_dir(target: str | os.PathLike[str]) -> Iterator[Path]:
    """A folder filled under a temporary name, then put in place of ``target``.

    An existing ``target`` (a folder, or a file) is moved aside and removed only
    once the new one is in place (a folder cannot be renamed over a non-empty one).
    """
    path = Path(target)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent or "."))
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~_umask())
        old = None
        if path.exists():
            old = path.with_name(f".{path.name}.old")
            _remove(old)
            os.replace(path, old)
        os.replace(tmp, path)
        if old is not None:
            _remove(old)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _remove(path: Path) -> None:
    """Remove a folder or a file, if there."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
