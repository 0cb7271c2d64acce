"""An ``Input`` whose value is always :func:`~annotations.printable.printable`.

Textual draws an ``Input``'s value as it is: text pasted into it (copied from a web
page, a log, another terminal) or a stored attribute value put in it would send its
ESC, OSC or C1 characters to the terminal. Keys typed are printable already; this
covers every other way a value gets in, since Textual runs ``validate_value`` on each
assignment (paste, ``value = ...``, an insert).
"""

from __future__ import annotations

from textual.widgets import Input

from annotations.printable import printable


class PrintableInput(Input):
    """An input line that never holds a character a terminal would obey."""

    def validate_value(self, value: str) -> str:
        # same_length: one picture per character, so Textual's cursor arithmetic
        # (the cursor after a paste = where it was + the pasted length) still holds.
        return printable(value, same_length=True)
