"""CASUALTY rules (to be written: issue 15)."""

from __future__ import annotations

from collections.abc import Iterable

from annotations.model import Suggestion
from annotations.suggest.registry import family


@family("casualty", ["CASUALTY"], order=30)
def suggest(text: str) -> Iterable[Suggestion]:
    return []
