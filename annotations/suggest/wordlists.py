"""The word lists the rules read: packaged files in ``data/``, extended by the user's.

Each list is a UTF-8 text file, one entry a line; ``#`` starts a comment, blank
lines are skipped. A user adds entries (never removes them) by putting a file of
the same name in a folder named by ``$NEWSMARK_SUGGEST_DATA`` (several folders:
separated by ``:``), or by ``newsmark suggest --rules DIR``. A line starting with
``-`` in a user's file takes that entry out of the packaged list.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("data")
ENV = "NEWSMARK_SUGGEST_DATA"


def user_dirs() -> tuple[Path, ...]:
    """The user's folders of extra lists, in the order they apply."""
    return tuple(Path(p) for p in os.environ.get(ENV, "").split(os.pathsep) if p)


def _lines(path: Path) -> list[str]:
    out = []
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.split("#", 1)[0].strip()
            if line:
                out.append(line)
    return out


@cache
def _entries(name: str, dirs: tuple[Path, ...]) -> tuple[str, ...]:
    entries = dict.fromkeys(_lines(DATA / f"{name}.txt"))
    for folder in dirs:
        path = folder / f"{name}.txt"
        if path.is_file():
            for line in _lines(path):
                if line.startswith("-"):
                    entries.pop(line[1:].strip(), None)
                else:
                    entries[line] = None
    return tuple(entries)


def entries(name: str) -> tuple[str, ...]:
    """The list ``name`` (``data/<name>.txt`` plus the user's), in file order, each once."""
    return _entries(name, user_dirs())


def words(name: str, *, fold_case: bool = True) -> frozenset[str]:
    """The list ``name`` as a set, lower-cased unless ``fold_case`` is false."""
    return frozenset(e.lower() for e in entries(name)) if fold_case else frozenset(entries(name))


def reload() -> None:
    """Forget the lists read so far (after the user's folders or files changed)."""
    _entries.cache_clear()
