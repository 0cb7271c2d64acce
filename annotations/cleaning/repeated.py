"""Corpus-level boilerplate: lines that a source repeats across its articles.

One page alone cannot tell "Support The Moscow Times!" or a site's menu from
the article, but a corpus can: a line found in many articles of the same source
is the site's, not the story's. The importer counts lines per source (kept in
the ``source_lines`` table, so later imports benefit too) and hands the
plain-text cleaner the set of lines that are boilerplate for that source.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping

from annotations.cleaning.result import normalize_line

# A line is boilerplate for a source when at least this many of its articles
# contain it ...
MIN_ARTICLES = 3
# ... and at least this share of them: a wire paragraph that three articles of a
# big source happen to share is still news, a menu is on nearly every page.
MIN_SHARE = 0.05


def line_keys(text: str) -> set[str]:
    """The distinct line keys of one article's raw text."""
    return {normalize_line(line) for line in text.split("\n") if line.strip()}


class LineCounter:
    """Counts, per source, how many articles contain each line."""

    def __init__(self) -> None:
        self.articles: Counter[str] = Counter()
        self.lines: dict[str, Counter[str]] = {}

    def add(self, source: str, text: str) -> None:
        self.articles[source] += 1
        self.lines.setdefault(source, Counter()).update(line_keys(text))

    def repeated(self, source: str) -> dict[str, int]:
        """Lines seen in two or more of the source's articles: the ones worth keeping."""
        return {line: n for line, n in self.lines.get(source, {}).items() if n >= 2}


def boilerplate_lines(articles: int, counts: Mapping[str, int]) -> frozenset[str]:
    """The line keys that are boilerplate in a source of ``articles`` articles."""
    floor = max(MIN_ARTICLES, math.ceil(MIN_SHARE * articles))
    return frozenset(line for line, n in counts.items() if n >= floor)


def collapse_repeats(text: str) -> str:
    """``text`` with each paragraph that repeats an earlier one left out.

    Scraped dumps often hold every paragraph twice (a page's print and screen
    copies); the cleaner takes a paragraph seen twice on a page for a caption or a
    teaser, and would find nothing. Paragraphs are blank-line blocks, or lines when
    there are no blank lines; two are the same when their :func:`normalize_line`
    keys are.
    """
    blank_lines = _BLANK_LINE.search(text) is not None
    blocks = _BLANK_LINE.split(text) if blank_lines else text.split("\n")
    seen: set[str] = set()
    kept: list[str] = []
    for block in blocks:
        key = normalize_line(block)
        if key in seen:
            continue
        if key:
            seen.add(key)
        kept.append(block)
    return ("\n\n" if blank_lines else "\n").join(kept)


_BLANK_LINE = re.compile(r"\n[ \t]*\n")
