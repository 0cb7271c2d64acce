"""Function words of a hundred languages, and the list that fits a page best.

Prose is full of function words ("the", "und", "które"), menus and buttons are not:
the share of a line's words that are function words of the page's language tells
prose from navigation in any language. The lists are jusText's (100 languages,
drawn from Wikipedia; jusText comes with trafilatura, which we use for HTML): we
read its files and do not write lists of our own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from itertools import islice

import justext

_GUESS_WORDS = 400  # words looked at: plenty to tell languages apart
_TOP_WORDS = 40  # most frequent words that vote
_MIN_HITS = 5  # fewer function words than this: no language is trusted (names, numbers)


@lru_cache(maxsize=1)
def _lists() -> tuple[tuple[str, ...], tuple[frozenset[str], ...], dict[str, tuple[int, ...]]]:
    """(languages, their casefolded lists, the languages each word belongs to); read once."""
    names = tuple(sorted(justext.get_stoplists()))
    lists = tuple(frozenset(w.casefold() for w in justext.get_stoplist(name)) for name in names)
    by_word: dict[str, list[int]] = {}
    for i, words in enumerate(lists):
        for w in words:
            by_word.setdefault(w, []).append(i)
    return names, lists, {w: tuple(ix) for w, ix in by_word.items()}


def _best(words: Iterable[str]) -> int | None:
    """Index of the language whose function words occur most often among ``words``."""
    names, _, by_word = _lists()
    counts = Counter(islice(words, _GUESS_WORDS))
    hits = [0] * len(names)
    # Function words are a text's most frequent words: the top ones decide, and
    # looking at only those keeps the guess cheap (a word may be in 60 lists).
    for w, c in counts.most_common(_TOP_WORDS):
        for i in by_word.get(w, ()):
            hits[i] += c
    best = max(range(len(names)), key=hits.__getitem__)
    return best if hits[best] >= _MIN_HITS else None


def guess_language(words: Iterable[str]) -> str | None:
    """jusText's name of the language of ``words`` (casefolded), or None when unsure.

    A rough guess: jusText's lists overlap (many hold English words), so a close
    relative may win. Good enough to pick function words; not a language identifier.
    """
    best = _best(words)
    return None if best is None else _lists()[0][best]


def page_stoplist(words: Iterable[str]) -> frozenset[str]:
    """The function words of the language of ``words`` (empty when unsure)."""
    best = _best(words)
    return frozenset() if best is None else _lists()[1][best]
