"""Sentence boundaries over the export's tokens, for CoNLL's blank lines (and spaCy's ``sent_starts``).

Why a splitter of our own rather than spaCy's or a library's: a boundary must
fall between two of *our* tokens (:mod:`annotations.export.tokens`), and never
inside a labelled span, or the BIO tags would cut an entity in two. Another
splitter's tokens do not line up with ours ("U.S." is one token here), spaCy
is an optional extra, and an export may walk 50 million tokens, so this is a
plain loop over tokens with a handful of rules:

- A whitespace token holding a line break ends a sentence (a paragraph or a
  line of its own: headlines, datelines, bylines).
- ``.``, ``!``, ``?`` or ``…``, with any closing quotes or brackets right after
  it, ends a sentence when the next non-space token starts with an uppercase
  letter, a digit, or an opening quote or bracket: "He left. Then" splits,
  "3.5 km. and" does not.
- Not after a common abbreviation ("Mr.", "Gen.", "Jan.", "vs.", "etc.") or a
  single capital letter (the initial in "George W. Bush"). Dotted
  abbreviations ("U.S.") are one token that is not ``.``, so they never end a
  sentence, even where one truly ends.
- Never inside a protected range (an entity span), whatever the rules above say.

Scripts without letter case (Arabic, CJK, ...) get sentence breaks only at
line breaks; that is safe (a long sentence) rather than wrong.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from typing import Protocol


class Tokens(Protocol):
    """What the splitter reads of the export's ``DocTokens``, named here so this core module
    does not import the export package that calls it."""

    words: list[str]
    starts: list[int]
    spaces: list[str]


TERMINALS = frozenset(".!?…")
CLOSING = frozenset({'"', "”", "’", "'", ")", "]", "»", "›"})
OPENING = frozenset("\"“‘'([«‹„")
LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
ABBREVIATIONS = frozenset(
    {
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "Gen",
        "Col",
        "Lt",
        "Sgt",
        "Capt",
        "Gov",
        "Sen",
        "Rep",
        "Prof",
        "St",
        "Jr",
        "Sr",
        "No",
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Sept",
        "Oct",
        "Nov",
        "Dec",
        "vs",
        "etc",
    }
)


def sentence_starts(text: str, tokens: Tokens, protected: Sequence[tuple[int, int]] = ()) -> list[int]:
    """Indices of the tokens that begin a sentence, ascending; ``[]`` for no tokens.

    The first is always ``0``; every other is a non-whitespace token.
    ``protected``: ``(start, end)`` character ranges (entity spans, in any
    order, overlapping or not) that no boundary may fall strictly inside.
    ``text`` is the text ``tokens`` came from; the rules need only the tokens.
    """
    words = tokens.words
    n = len(words)
    if not n:
        return []
    guard = _Guard(protected)
    starts = [0]
    i = 0
    while i < n:
        word = words[i]
        if word in TERMINALS:
            nxt = _after_terminal(tokens, i)
            if nxt is not None and guard.allows(tokens.starts[nxt]):
                if nxt > starts[-1]:
                    starts.append(nxt)
                i = nxt
                continue
        elif word.isspace() and not LINE_BREAKS.isdisjoint(word):
            nxt = _next_word(words, i + 1)
            if nxt < n and nxt > starts[-1] and guard.allows(tokens.starts[nxt]):
                starts.append(nxt)
        i += 1
    return starts


def _next_word(words: list[str], j: int) -> int:
    """The first non-whitespace token at or after ``j`` (``len(words)`` if none)."""
    n = len(words)
    while j < n and words[j].isspace():
        j += 1
    return j


def _after_terminal(tokens: Tokens, i: int) -> int | None:
    """Where the next sentence starts if the terminal punctuation at ``i`` ends one."""
    words, spaces = tokens.words, tokens.spaces
    if i > 0 and not spaces[i - 1] and words[i] == "." and _abbreviation(words[i - 1]):
        return None
    n = len(words)
    j = i + 1
    while j < n and not spaces[j - 1] and words[j] in CLOSING:  # attached: closes, not opens
        j += 1
    j = _next_word(words, j)
    if j >= n:
        return None
    first = words[j][0]
    if first.isupper() or first.istitle() or first.isdigit() or first in OPENING:
        return j
    return None


def _abbreviation(word: str) -> bool:
    return word in ABBREVIATIONS or (len(word) == 1 and word.isupper())


class _Guard:
    """Answers "is this position strictly inside a protected range?" with a bisect."""

    __slots__ = ("_starts", "_reach")

    def __init__(self, protected: Sequence[tuple[int, int]]) -> None:
        ranges = sorted(protected)
        self._starts = [a for a, _ in ranges]
        self._reach: list[int] = []  # the furthest end among ranges[:k + 1]
        furthest = -1
        for _, b in ranges:
            furthest = max(furthest, b)
            self._reach.append(furthest)

    def allows(self, pos: int) -> bool:
        k = bisect_left(self._starts, pos) - 1  # the last range starting before pos
        return k < 0 or self._reach[k] <= pos
