"""The result type every cleaner returns, and the line key used to spot repeated lines."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Cleaned:
    """A cleaned article.

    ``text`` is the article body only: paragraphs separated by one blank line
    (``"\\n\\n"``), no title, no byline. Annotation offsets point into it, so it
    must be deterministic for a given input and cleaner version.
    """

    text: str
    title: str | None = None
    byline: str | None = None
    published: str | None = None  # ISO 8601 date or datetime when known
    site_name: str | None = None


def normalize_line(line: str) -> str:
    """Key under which a line is counted across a source's articles.

    Case-folded, NFKC, whitespace collapsed: "Support The Moscow Times!" and
    "support the  moscow times!" are the same boilerplate line.
    """
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", line)).strip().casefold()
