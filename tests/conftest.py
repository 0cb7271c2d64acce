"""Shared fixtures: a real SQLite store in a temporary folder, and the sample corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotations.storage import Store

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CORPUS = ROOT / "sample_corpus"
SEEDS = sorted(SAMPLE_CORPUS.glob("0*.txt"))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "newsmark.db"


@pytest.fixture
def store(db_path: Path):
    with Store(db_path) as opened:
        yield opened
