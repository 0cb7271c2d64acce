"""Boilerplate removal: turn a raw page (plain-text dump or HTML) into the article body.

Two cleaners share one result type, :class:`Cleaned`:

* :func:`clean_plaintext` for text dumps (our own: no library cleans *plain text*
  well; jusText and friends need tags or score far lower on such dumps);
* :func:`clean_html` for HTML pages (trafilatura, plus our metadata handling).

``CLEANER_VERSION`` is stored with every article; bump it whenever the output of
either cleaner can change, so that re-cleaning knows which texts are stale.
"""

from __future__ import annotations

from annotations.cleaning.html import clean_html
from annotations.cleaning.plaintext import clean_plaintext
from annotations.cleaning.result import Cleaned, normalize_line

CLEANER_VERSION = "3"  # 2: wrapped paragraphs joined; 3: page stoplists, anchors, walls

__all__ = ["CLEANER_VERSION", "Cleaned", "clean_html", "clean_plaintext", "normalize_line"]
