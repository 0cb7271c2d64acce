"""Suggestions: the spans an annotator can confirm with one key, and a CASUALTY's numbers.

Offline rules over the cleaned text, with no model to download; their word lists
and gazetteer are files a user can extend (:mod:`.wordlists`). Each *family* of
rules (one module per label: :mod:`.location`, :mod:`.actor`, :mod:`.casualty`)
registers itself in :mod:`.registry`, which every caller reads:
:func:`suggest_text` runs them all, ``newsmark suggest`` stores what they give,
``bench/suggest_bench.py`` scores them.

:func:`fill_attributes` gives the attributes a new span of a label gets from its
own words and its sentence (a CASUALTY's kind, count and qualifier), however the
span was made: keys, mouse, an accepted suggestion, an import without them.

This package reads text and word lists only: it never touches the store, the
export or the terminal (an import-linter contract says so).
"""

from __future__ import annotations

from annotations.suggest.registry import (
    SUGGESTER_VERSION,
    families,
    family,
    fill_attributes,
    filler,
    resolver,
    suggest_text,
)

__all__ = ["SUGGESTER_VERSION", "families", "family", "fill_attributes", "filler", "resolver", "suggest_text"]
