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
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from annotations.export.types import ExportError

# DEL and the C1 controls in UTF-8 (U+009B is a whole CSI to a terminal): JSON encoders
# escape C0 but write these raw, so a JSON export shown with `cat` or written to stdout
# would be obeyed. As \u escapes they are the same data to every JSON reader.
_RAW_CONTROLS = re.compile(rb"\x7f|\xc2[\x80-\x9f]")


def json_controls_escaped(encoded: bytes) -> bytes:
    """UTF-8 JSON with DEL and C1 controls written as ``\\u`` escapes (same data)."""
    return _RAW_CONTROLS.sub(lambda m: b"\\u%04x" % ord(m.group().decode()), encoded)


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


def only_empty(path: Path) -> bool:
    """The default of :func:`atomic_dir`: only an empty folder may be replaced."""
    return path.is_dir() and not path.is_symlink() and not any(path.iterdir())


def files_named(path: Path, wanted: Callable[[str], bool]) -> bool:
    """``path`` is a folder of regular files only, each name ``wanted`` (or it is empty)."""
    if not path.is_dir() or path.is_symlink():
        return False
    return all(entry.is_file() and not entry.is_symlink() and wanted(entry.name) for entry in path.iterdir())


@contextmanager
def atomic_dir(
    target: str | os.PathLike[str], replaceable: Callable[[Path], bool] = only_empty
) -> Iterator[Path]:
    """A folder filled under a temporary name, then put in place of ``target``.

    An existing ``target`` is replaced only if ``replaceable(target)`` says it is what
    an export of this format writes (``-o ~`` or ``-o /tmp`` once replaced the whole
    folder, everything in it lost); else :class:`ExportError`, before anything is
    written. A replaceable one is moved aside and removed only once the new one is in
    place (a folder cannot be renamed over a non-empty one).
    """
    path = Path(target)
    if os.path.lexists(path) and not replaceable(path):
        kind = "folder" if path.is_dir() else "file"
        raise ExportError(
            f"{target}: this {kind} holds more than an export writes: not replaced "
            "(remove it, or give another -o)"
        )
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
