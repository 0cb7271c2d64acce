"""Opening input files safely: regular files only, never more than a size limit.

A FIFO named ``x.txt`` would block a plain ``open`` forever; a symlink to
``/dev/zero`` reads until memory runs out. So an input is read only when it is a
regular file (``os.stat`` follows symlinks, and the open file is checked again with
``fstat``: a file swapped for a FIFO between the two is still caught), opened with
``O_NONBLOCK`` so that even the open cannot hang. A file (or a JSONL line) over the
size limit is refused by name instead of read.
"""

from __future__ import annotations

import os
import re
import stat
from typing import BinaryIO

MIB = 1024 * 1024
DEFAULT_MAX_SIZE = 50 * MIB  # --max-size: a file, or one line of a JSONL file

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


class NotRegularFile(OSError):
    """The path is there, but is not a regular file (a FIFO, a device, a socket)."""


class TooLarge(OSError):
    """Larger than the size limit."""


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def not_regular_reason(mode: int, target: str | None = None) -> str:
    """Why a file of this ``st_mode`` is not read; ``target``: what its symlink points to."""
    via = f", through a symbolic link to {target}" if target else ""
    return f"not a regular file ({_kind(mode)}{via}): skipped"


def too_large_reason(size: int, limit: int, what: str = "file") -> str:
    return f"{what} larger than the size limit ({format_size(size)} > {format_size(limit)}; see --max-size)"


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """``path`` opened for reading in binary; :class:`NotRegularFile` when it is not a
    regular file. Never blocks: the open is non-blocking, the type checked on the open file."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(not_regular_reason(mode))
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_limited(path: str | os.PathLike[str], limit: int) -> bytes:
    """A regular file's bytes; :class:`TooLarge` when it holds more than ``limit``."""
    with open_regular(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > limit:
            raise TooLarge(too_large_reason(size, limit))
        data = handle.read(limit + 1)  # it may have grown since
    if len(data) > limit:
        raise TooLarge(too_large_reason(len(data), limit))
    return data


def read_line(handle: BinaryIO, limit: int) -> bytes | int | None:
    """The next line of ``handle`` (None at the end); a line longer than ``limit`` bytes
    comes as its length instead, read past in pieces and never held whole.

    A function, not a generator: a generator's frame would keep the last line alive
    while its caller works on the article made of it.
    """
    line = handle.readline(limit + 1)
    if not line:
        return None
    if len(line) <= limit or line.endswith(b"\n"):
        return line
    size = len(line)
    while not line.endswith(b"\n") and (line := handle.readline(MIB)):
        size += len(line)
    return size


_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", re.IGNORECASE)
_UNITS = {"": 1, "k": 1024, "m": MIB, "g": 1024 * MIB, "t": 1024 * 1024 * MIB}


def parse_size(text: str) -> int:
    """``"50MB"``, ``"200k"``, ``"1.5G"`` or a number of bytes, in bytes (k, M, G, T
    count 1024s). ``ValueError`` for anything else, or for 0."""
    found = _SIZE.fullmatch(text)
    if found is None:
        raise ValueError(f"not a size: {text!r} (a number of bytes, or with k, MB, G: 200k, 50MB)")
    size = int(float(found.group(1)) * _UNITS[found.group(2).lower()])
    if size < 1:
        raise ValueError(f"a size limit must be at least 1 byte, not {text!r}")
    return size


def format_size(size: int) -> str:
    """A size for a message: bytes, KiB or MiB."""
    if size >= MIB:
        return f"{size / MIB:.1f} MiB"
    if size >= 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size} bytes"
