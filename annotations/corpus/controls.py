"""Outside text as it is stored: as given, but without the characters that are never text.

Import keeps article text, titles, sources, annotator names and span attributes as
the input gives them, except three things:

* CRLF and CR become LF (one kind of line break, so offsets mean one thing);
* NUL and the other C0 and C1 control characters, tab and newline aside, are removed
  (only the control character: ``ESC[2J`` keeps its ``[2J`` as text). A NUL cut the
  text for the tagger, the rest are terminal commands, never words;
* lone surrogates (``"\\ud800"`` from a JSON escape) cannot be stored as UTF-8: each
  becomes U+FFFD, one character for one, so offsets into the text still hold.

What was removed or replaced is counted (:class:`Tally`) for the import summary.
Showing text on a terminal is another matter: :func:`annotations.printable.printable`.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# C0/C1 control characters other than tab, newline (and CR, which becomes a newline).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# What removal takes out of the text, for offsets: the controls, and the CR of a CRLF.
_REMOVED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?=\n)")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


@dataclass(slots=True)
class Tally:
    """Control characters removed and lone surrogates replaced, in one article or in all."""

    controls: int = 0
    surrogates: int = 0

    def __bool__(self) -> bool:
        return bool(self.controls or self.surrogates)

    def add(self, other: Tally) -> None:
        self.controls += other.controls
        self.surrogates += other.surrogates


def stored_text(text: str, tally: Tally | None = None) -> str:
    """``text`` as stored: line breaks unified, controls removed, lone surrogates U+FFFD.

    The same string comes back (no copy) when there is nothing to change: a 50 MB
    article costs no second 50 MB.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text, controls = _CONTROL.subn("", text)
    text, surrogates = _SURROGATE.subn(REPLACEMENT, text)
    if tally is not None:
        tally.controls += controls
        tally.surrogates += surrogates
    return text


def stored_field(value: str | None, tally: Tally | None = None) -> str | None:
    """A one-line metadata field (title, source, byline, url, id) as stored: no line
    breaks or runs of spaces either; None when nothing is left."""
    if value is None:
        return None
    return " ".join(stored_text(value, tally).split()) or None


def stored_value(value: Any, tally: Tally | None = None) -> Any:
    """A JSON value (span attributes, article meta) with every string in it, keys
    included, as :func:`stored_text` makes it; other values as they are.
    ``ValueError`` for NaN or an infinity, which JSON cannot hold."""
    if isinstance(value, str):
        return stored_text(value, tally)
    if isinstance(value, dict):
        return {stored_text(str(k), tally): stored_value(v, tally) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [stored_value(v, tally) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{value} is not a number JSON allows")
    return value


def offset_map(text: str) -> Callable[[int], int]:
    """Where an offset into ``text`` lands in ``stored_text(text)``.

    Removing characters moves every offset after them; replacing a surrogate or a
    lone CR moves none. An offset at a removed character lands on the next kept one.
    """
    removed = [m.start() for m in _REMOVED.finditer(text)]
    if not removed:
        return lambda offset: offset
    return lambda offset: offset - bisect_left(removed, offset)
