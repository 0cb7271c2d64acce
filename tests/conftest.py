"""Shared fixtures and helpers: a real SQLite store in a temporary folder, the sample corpus, and
the few steps many test files take through the store's public functions."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tmux_terminal import Terminal

from annotations.model import Annotation, Article, NewArticle, SpanData, Status
from annotations.storage import Store

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CORPUS = ROOT / "sample_corpus"
SEEDS = sorted(SAMPLE_CORPUS.glob("0*.txt"))
WORK_TIME = "2026-11-01T10:00:00.000Z"  # when the work add_work brings in was last changed


@pytest.fixture
def term(tmp_path: Path) -> Iterator[Terminal]:
    """A real terminal (tmux) for an end-to-end test; its server is killed on teardown."""
    terminal = Terminal(tmp_path)
    try:
        yield terminal
    finally:
        terminal.close()


@pytest.fixture(scope="session")
def sample_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The app's test database (tui_fixtures.build_db), built once per run."""
    from tui_fixtures import build_db  # imports the app: only for the tests that ask

    return build_db(tmp_path_factory.mktemp("template") / "sample.db")


@pytest.fixture
def db(sample_db_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the app's test database for one test (a module may define its own)."""
    path = tmp_path / "newsmark.db"
    shutil.copy(sample_db_template, path)
    return path


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "newsmark.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store(db_path) as opened:
        yield opened


def add_text(store: Store, text: str, n: int = 0) -> int:
    """Store ``text`` as article number ``n`` (hash ``h<n>``, title ``t<n>``); its id."""
    _, article_id = store.add_article(NewArticle(f"h{n}", "text", text, text, "v1", title=f"t{n}"))
    return article_id


def stored_articles(store: Store) -> list[Article]:
    """Every stored article in id order, read as the app reads them (page, then article)."""
    found = [store.article(row.id) for row in store.page(limit=store.article_count())]
    return [a for a in found if a is not None]


def json_lines(path: Path) -> list[Any]:
    """The records of a JSON Lines file: split at "\\n" only (a text may hold U+0085 or U+2028 as is)."""
    return [json.loads(line) for line in path.read_text("utf-8").split("\n") if line]


def add_work(
    store: Store,
    text: str,
    spans: Iterable[SpanData] = (),
    annotator: str = "alice",
    status: Status = Status.DONE,
    when: str = WORK_TIME,
) -> int:
    """One annotator's work on the article of ``text`` (added if new), as an annotation file brings it.

    Returns the article's id.
    """
    article_id, _, _ = store.import_annotation(Annotation(None, text, annotator, status, when, list(spans)))
    return article_id


def set_work_time(
    store: Store,
    when: str,
    article_id: int | None = None,
    annotator: str | None = None,
    *,
    statuses: bool = True,
    spans: bool = True,
) -> None:
    """Move status and/or span times (all, or one article's, or one annotator's on it) to ``when``.

    Raw SQL on purpose: the store stamps every write with the current time and has no public way
    to write another; tests of ``--since`` need work done at chosen times.
    """
    where = "WHERE 1"
    params: list[object] = [when]
    if article_id is not None:
        where += " AND article_id = ?"
        params.append(article_id)
    if annotator is not None:
        where += " AND annotator_id = ?"
        params.append(store.annotator_id(annotator))
    tables = [t for t, chosen in (("article_status", statuses), ("spans", spans)) if chosen]
    with store.transaction() as conn:
        for table in tables:
            conn.execute(f"UPDATE {table} SET updated_at = ? {where}", params)
