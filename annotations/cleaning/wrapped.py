"""Wrapped paragraphs: the lines of a plain text, with each paragraph cut into lines made one.

The plain-text cleaner scores lines one by one, so a paragraph cut into lines
must be one line first: scored alone, the first half of a sentence is not prose
and is lost, and every cut would become a paragraph break. Two layouts are
wrapped: a text cut at one width (wires, e-mail, text files: 60-100 columns),
and a text of blank-line separated paragraphs. A page dump with one block per
line and no blank lines (``innerText``) is neither, and is left as it is.
"""

from __future__ import annotations

import re

# A line that ends a sentence (tested on its last four characters).
TERMINAL = re.compile(r"""[.!?…。！？:;]["'”’»)\]]*$|["”»]$""")

_WRAP_MAX = 100  # cut at more columns than this, a text is not hard-wrapped
_WRAP_LONG = 40  # lines this long are the ones that show the width
_WRAP_NEAR = 15  # a wrapped line ends at most about a long word short of the width
_WRAP_SHARE = 0.3  # share of the lines that end near the width (page dumps: under 0.1)
_WRAP_CUT = 0.8  # share of those whose next line's first word would not have fitted
_PARA_LONG = 40  # blank-line layout: a line this long, cut mid-sentence, goes on
_PARA_SHORT = 20  # ... and one this long, when the next goes on in lower case
_LABEL = re.compile(r"(?:[^\s:]+ ){0,2}[^\s:]+:\s")
_ITEM_START = re.compile(r"[-*•>|+]|\d{1,3}[.)]\s")  # list items and quoted lines stand alone


def _first_word(row: str) -> str:
    return row.split(None, 1)[0]


def _label(row: str) -> str:
    """A line's opening label ("Related:", "Read more:"), else ``""``."""
    m = _LABEL.match(row)
    return m[0].casefold() if m else ""


def _wrap_width(rows: list[str]) -> int | None:
    """The width a hard-wrapped text is cut at, or None if it is not.

    In a wrapped text many lines end just short of one width, and after such
    a line the next one starts with a word that would not have fitted on it
    (that is why the line was cut). A page dump's lines have every length,
    and the lines that happen to be near one length are followed by anything.
    """
    lengths = [len(r) for r in rows if r.strip()]
    long = sorted(n for n in lengths if n >= _WRAP_LONG)
    if len(long) < 3:
        return None
    width = long[int(0.9 * (len(long) - 1))]
    if width > _WRAP_MAX or sum(n > width + _WRAP_NEAR for n in lengths) > 0.1 * len(lengths):
        return None
    near = [
        (a, b) for a, b in zip(rows, rows[1:]) if len(a) >= width - _WRAP_NEAR and a.strip() and b.strip()
    ]
    if len(near) < 2 or len(near) < _WRAP_SHARE * len(lengths):
        return None
    cut = sum(len(a) + 1 + len(_first_word(b)) > width for a, b in near)
    return width if cut >= _WRAP_CUT * len(near) else None


def _indent(row: str) -> int:
    return len(row) - len(row.lstrip())


def _goes_on(prev: str, row: str, width: int | None) -> bool:
    """Does ``row`` continue the paragraph of the line above it (a soft wrap)?

    Hard-wrapped: yes when the row's first word would not have fitted on the
    line above (the line was cut, not ended), or when the line above stops
    mid-sentence and the row goes on in lower case. Blank-line paragraphs: yes
    when a line stops mid-sentence and the row goes on in lower case; else the
    line above must be long, the two must not open with the same label (a list
    of "Related: ..." links is no paragraph), and the line must stop mid-sentence
    or, ended at a sentence, be no longer than a wrap width, with prose after.
    """
    above, text = prev.strip(), row.strip()
    if _ITEM_START.match(text) or _indent(row) > _indent(prev):
        return False  # a list item, a quote, an indented first line
    mid_sentence = TERMINAL.search(above[-4:]) is None
    lower = text[:1].islower()
    if width is not None:
        return len(prev) + 1 + len(_first_word(text)) > width or (mid_sentence and lower)
    if mid_sentence and lower and len(above) >= _PARA_SHORT:
        return True
    if len(above) < _PARA_LONG or _label(text) == _label(above) != "":
        return False
    if mid_sentence:
        return True
    return len(above) <= _WRAP_MAX and (len(text) >= _PARA_LONG or TERMINAL.search(text[-4:]) is not None)


def logical_lines(raw: str) -> list[tuple[str, list[str]]]:
    """The text's non-blank lines, wrapped paragraphs joined: (line, the rows it joins)."""
    rows = [r.rstrip() for r in raw.splitlines()]
    width = _wrap_width(rows)
    filled = [i for i, r in enumerate(rows) if r.strip()]
    blank_paragraphs = bool(filled) and len(filled) < filled[-1] - filled[0] + 1  # a blank row inside
    if width is None and not blank_paragraphs:
        return [(t, [t]) for t in (r.strip() for r in rows) if t]  # one block per line
    joined: list[list[str]] = []  # each line's rows
    prev: str | None = None  # the row above, when not blank
    for row in rows:
        text = row.strip()
        if not text:
            prev = None
        elif prev is not None and _goes_on(prev, row, width):
            joined[-1].append(text)
            prev = row
        else:
            joined.append([text])
            prev = row
    return [(" ".join(pieces), pieces) for pieces in joined]
