"""Find the inputs named on the command line, and say what kind each one is."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from annotations.input_files import not_regular_reason

Kind = Literal["txt", "html", "jsonl", "feed", "url", "json"]  # json: a Label Studio task list

SUFFIXES: dict[str, Kind] = {
    ".txt": "txt",
    ".text": "txt",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".rss": "feed",
    ".atom": "feed",
    ".xml": "feed",
    ".rdf": "feed",
}


@dataclass(frozen=True, slots=True)
class Input:
    """One thing to read: a file of a known kind, or a feed URL."""

    location: str  # a file path or a URL
    kind: Kind
    group: str  # the folder (or URL) it was found in: its articles are a corpus together


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A path that cannot be an input, and why. ``explicit``: named on the command line."""

    location: str
    reason: str
    explicit: bool


def is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def discover(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Input | Unreadable]:
    """Each input under ``paths`` (folders recursively, sorted, hidden files left out)."""
    for raw in paths:
        text = os.fspath(raw)
        if is_url(text):
            yield Input(text, "url", text)
            continue
        path = Path(text)
        if not path.exists():
            reason = "a broken symbolic link" if path.is_symlink() else "no such file or folder"
            yield Unreadable(text, reason, explicit=True)
        elif path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        yield _classify(Path(root) / name, explicit=False)
        else:
            yield _classify(path, explicit=True)


def _classify(path: Path, *, explicit: bool) -> Input | Unreadable:
    """What ``path`` is. Anything but a regular file (after symlinks) is named as a
    failure, wherever it was found: a FIFO or a device is never read, nor passed over silently."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return Unreadable(str(path), f"cannot read: {exc.strerror or exc}", explicit=True)
    if not stat.S_ISREG(mode):
        target = str(path.resolve()) if path.is_symlink() else None
        return Unreadable(str(path), not_regular_reason(mode, target), explicit=True)
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        what = path.suffix or "no extension"
        return Unreadable(str(path), f"not a supported file type ({what})", explicit=explicit)
    return Input(str(path), kind, str(path.parent))
