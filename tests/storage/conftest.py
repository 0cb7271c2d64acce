"""The storage contract's fixtures: one ``store`` per backend, each a real database.

A second backend is one more entry in ``BACKENDS`` (a factory that opens an
empty, migrated store in a temporary folder): every ``test_contract_*`` test
then runs against it too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from annotations.model import NewArticle
from annotations.storage import Store

BACKENDS: dict[str, Callable[[Path], Store]] = {
    "sqlite": lambda folder: Store(folder / "newsmark.db"),
}

TEXT = "Turkish forces shelled Saraqeb on Monday, killing nine soldiers, the ministry said."


def article(text: str = TEXT, **fields: Any) -> NewArticle:
    """A cleaned article with a content hash of its own text; ``fields`` override any field."""
    values: dict[str, Any] = dict(
        content_hash=str(hash(text)),
        raw_format="text",
        raw_text=text,
        clean_text=text,
        cleaner_version="1",
        title="Clashes in Idlib",
    )
    values.update(fields)
    return NewArticle(**values)


def numbered(i: int, **fields: Any) -> NewArticle:
    """Article number ``i`` of a corpus: a text, hash and title of its own, from source "src"."""
    values: dict[str, Any] = dict(content_hash=f"h{i}", title=f"t{i}", source="src")
    values.update(fields)
    return article(f"Report number {i}: shelling near Idlib.", **values)


def where(phrase: str, text: str = TEXT) -> tuple[int, int]:
    start = text.index(phrase)
    return start, start + len(phrase)


@pytest.fixture
def reopen(request: pytest.FixtureRequest, store: Store, tmp_path: Path) -> Iterator[Callable[[], Store]]:
    """Open ``store``'s database again: another session, as another app run beside it is."""
    backend = request.node.callspec.params["store"]
    opened: list[Store] = []

    def another() -> Store:
        opened.append(BACKENDS[backend](tmp_path))
        return opened[-1]

    yield another
    for other in opened:
        other.close()


@pytest.fixture(params=sorted(BACKENDS))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    opened = BACKENDS[request.param](tmp_path)
    try:
        yield opened
    finally:
        opened.close()
