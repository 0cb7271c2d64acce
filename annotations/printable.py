"""The one way outside text is made safe to show on a terminal.

Article text, titles, sources, file names, annotator names and span attributes come
from outside. Sent raw, an ESC clears the annotator's screen, an OSC sequence sets
the window title or writes the clipboard (OSC 52), a C1 character (U+009B is a whole
CSI on its own) does the same without an ESC, and bidi overrides or zero-width
characters make the text read other than it is. Everything that reaches a terminal
(every widget, every CLI line, every error message) goes through :func:`printable`.

Our own code because no library does this: ``rich.control.strip_control_codes``
removes only seven C0 codes, ``str.isprintable`` only answers yes or no, and
``unicodedata`` knows categories, not what a terminal obeys.
"""

from __future__ import annotations

import re

# Characters a terminal obeys instead of showing: C0 and DEL, C1, lone surrogates
# (no character at all), bidi embeddings, overrides and isolates, zero-width and
# invisible format characters, line and paragraph separators.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]"
)
_NAMES = {
    "\u061c": "ALM",
    "\u200b": "ZWSP",
    "\u200c": "ZWNJ",
    "\u200d": "ZWJ",
    "\u200e": "LRM",
    "\u200f": "RLM",
    "\u2028": "LSEP",
    "\u2029": "PSEP",
    "\u202a": "LRE",
    "\u202b": "RLE",
    "\u202c": "PDF",
    "\u202d": "LRO",
    "\u202e": "RLO",
    "\u2060": "WJ",
    "\u2066": "LRI",
    "\u2067": "RLI",
    "\u2068": "FSI",
    "\u2069": "PDI",
    "\ufeff": "BOM",
}
_UNSAFE_IN_LINES = re.compile(_UNSAFE.pattern.replace("\x00-\x1f", "\x00-\x09\x0b-\x1f"))
_ONE_LINE = str.maketrans("\t\r\n", "   ")
_LINES = str.maketrans("\t\r", "  ")
# One visible character in place of one unsafe one, where offsets must hold.
_SAME_LENGTH_MARK = "\ufffd"


def _picture(char: str) -> str | None:
    """The Unicode control picture of a C0 character or DEL (``␛`` for ESC)."""
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return None


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    picture = _picture(char)
    if picture is not None:
        return picture
    if char in _NAMES:
        return f"<{_NAMES[char]}>"
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def _mark(match: re.Match[str]) -> str:
    return _picture(match.group()) or _SAME_LENGTH_MARK


def printable(text: str, *, lines: bool = False, same_length: bool = False) -> str:
    """``text`` as it may be shown on a terminal: nothing in it is obeyed.

    C0 controls become their control pictures (ESC is ``␛``), other unsafe characters
    a visible escape (``\\x9b``, ``\\udc80``, ``<RLO>``). Tabs and carriage returns
    become spaces.

    ``lines``: newlines are kept (article text); else they too become spaces (a title,
    a table cell, a message). ``same_length``: every unsafe character becomes exactly
    one visible one, so that character offsets into the text still hold (the text view
    draws spans by offset).
    """
    text = text.translate(_LINES if lines else _ONE_LINE)
    return (_UNSAFE_IN_LINES if lines else _UNSAFE).sub(_mark if same_length else _escape, text)


def printable_json(dumped: str) -> str:
    """JSON text (``json.dumps(..., ensure_ascii=False)``) safe to show: every character
    :func:`printable` would escape written as a ``\\uXXXX`` escape instead. The data stay
    the same (JSON syntax is ASCII, so such a character can only be inside a string),
    and a title with U+009B or U+202E in it reaches the terminal inert."""
    # Newlines stay: outside strings they are layout (indent=2); inside, json escapes them.
    return _UNSAFE_IN_LINES.sub(lambda match: f"\\u{ord(match.group()):04x}", dumped)
