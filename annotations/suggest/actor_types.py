"""An ACTOR span's ``actor_type`` read from its words (``data/actor_types.txt``), for a suggestion
and for any ACTOR span made by hand (the filler)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from annotations.suggest.registry import filler
from annotations.suggest.wordlists import entries

TYPES = ("state_forces", "rebel", "militia", "civilian", "government", "external", "other")


@cache
def _table() -> tuple[re.Pattern[str], dict[str, tuple[int, str]]]:
    """One regex over every typed word, and each word (lower-cased when written lower case)
    -> (its line's rank, its type)."""
    ranks: dict[str, tuple[int, str]] = {}
    for rank, line in enumerate(entries("actor_types")):
        words, _, kind = line.rpartition(":")
        words, kind = words.strip(), kind.strip()
        if words and kind in TYPES:
            ranks.setdefault(words, (rank, kind))
    alternation = "|".join(re.escape(w) for w in sorted(ranks, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])", re.I), ranks


def actor_type(span: str) -> str | None:
    """The type the highest-ranked typed word in ``span`` gives, or None (no typed word)."""
    pattern, ranks = _table()
    best: tuple[int, str] | None = None
    for m in pattern.finditer(span):
        word = m.group()
        # A lower-case entry matches in any case; a capitalised one only as written ("IS", not "is").
        hit = ranks.get(word) or ranks.get(word.lower())
        if hit is None:
            continue
        if best is None or hit < best:
            best = hit
    return None if best is None else best[1]


@filler("ACTOR")
def fill(text: str, start: int, end: int) -> dict[str, Any]:
    """``actor_type`` from the span's own words (nothing when they do not tell)."""
    kind = actor_type(text[start:end])
    return {} if kind is None else {"actor_type": kind}
