"""ACTOR rules (to be written: issue 15)."""

from __future__ import annotations

from collections.abc import Iterable

from annotations.model import Suggestion
from annotations.suggest.registry import family


@family("actor", ["ACTOR"], order=20)
def suggest(text: str) -> Iterable[Suggestion]:
    return []
