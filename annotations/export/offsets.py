"""Offsets in code points (Python's ``str``) and in UTF-16 code units (JavaScript's).

newsmark stores code points. Tools written in JavaScript count UTF-16 units
(doccano: its issue #2290), where a character outside the Basic Multilingual
Plane (most emoji, rare CJK, historic scripts) takes two units, a surrogate
pair. The two agree on a text without such characters, which is most news
text: :class:`Offsets` then does no work at all.
"""

from __future__ import annotations

import re
from bisect import bisect_left

CONVENTIONS = ("utf16", "codepoints")  # --offsets; the first is doccano's default

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def bmp_only(text: str) -> bool:
    """Whether ``text`` has no character outside the BMP (then both conventions agree)."""
    return text.isascii() or _ASTRAL.search(text) is None


class Offsets:
    """Code point <-> UTF-16 unit offsets of one text, by bisection over its astral characters."""

    __slots__ = ("length", "units", "_astral", "_unit_starts")

    def __init__(self, text: str) -> None:
        self.length = len(text)
        self._astral = [] if bmp_only(text) else [m.start() for m in _ASTRAL.finditer(text)]
        # where each astral character starts, in units: the ones before it took two
        self._unit_starts = [cp + k for k, cp in enumerate(self._astral)]
        self.units = self.length + len(self._astral)  # the text's length in UTF-16 units

    def to_utf16(self, cp: int) -> int:
        """The UTF-16 offset of code point offset ``cp`` (``0 <= cp <= length``)."""
        return cp + bisect_left(self._astral, cp) if self._astral else cp

    def from_utf16(self, unit: int) -> int:
        """The code point offset of UTF-16 offset ``unit``.

        Raises ``ValueError`` for an offset outside the text or between the two
        halves of a surrogate pair (no code point offset is there).
        """
        if not 0 <= unit <= self.units:
            raise ValueError(f"offset {unit} is outside the text ({self.units} UTF-16 units)")
        if not self._astral:
            return unit
        before = bisect_left(self._unit_starts, unit)  # astral characters starting before it
        if before and self._unit_starts[before - 1] + 1 == unit:
            raise ValueError(
                f"offset {unit} falls inside a surrogate pair (the character "
                f"at UTF-16 units {unit - 1}-{unit + 1})"
            )
        return unit - before

    def span_to(self, start: int, end: int, convention: str) -> tuple[int, int]:
        """A code point span in ``convention``."""
        if convention == "codepoints":
            return start, end
        return self.to_utf16(start), self.to_utf16(end)

    def span_from(self, start: int, end: int, convention: str) -> tuple[int, int]:
        """A span in ``convention`` as code points; ``ValueError`` if it has none."""
        if convention == "codepoints":
            return start, end
        return self.from_utf16(start), self.from_utf16(end)
