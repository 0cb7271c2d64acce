"""The line under the panes: label keys, progress, and whether the last change is saved.

Drawn as one Rich ``Text`` (no markup: nothing here is parsed; notes and errors quote
outside text, so they are made :func:`printable`), and updated only
when one of the three changes, never on a cursor move.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from annotations.labels import LabelSchema
from annotations.printable import printable

BAR_CELLS = 12


def progress_bar(done: int, total: int, cells: int = BAR_CELLS) -> str:
    """``███░░░`` for done/total, readable without colour."""
    filled = round(cells * done / total) if total else 0
    return "█" * filled + "░" * (cells - filled)


class StatusBar(Static):
    """``1 ACTOR 2 CASUALTY 3 LOCATION │ done 3/32 ███░░ │ ✓ saved 10:42:03``."""

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        background: $panel;
        color: $foreground;
    }
    """

    def __init__(self, schema: LabelSchema, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.schema = schema
        self.done = 0
        self.total = 0
        self.saved: str = ""
        self.note: str = ""
        self.error: str | None = None
        self.progress_word = "done"  # "reviewed" in review mode

    def on_mount(self) -> None:
        self._redraw()

    def set_progress(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        self._redraw()

    def set_saved(self, when: str, note: str = "") -> None:
        """The last change is on disk (at ``when``); ``note`` says what it was."""
        self.saved, self.note, self.error = when, note, None
        self._redraw()

    def set_note(self, note: str) -> None:
        """Words after the save state; a NOT SAVED stays (only a save clears it)."""
        self.note = note
        self._redraw()

    def set_error(self, message: str) -> None:
        """The last change was NOT saved: said until a save succeeds (:meth:`set_saved`).

        The note of the last save goes: beside NOT SAVED it would read as saved.
        """
        self.error, self.note = message, ""
        self._redraw()

    def _redraw(self) -> None:
        nocolor = self.app.no_color
        text = Text(no_wrap=True, overflow="ellipsis")
        for label in self.schema.labels:
            style = Style(underline=True) if nocolor else Style(color="black", bgcolor=label.colour)
            text.append(f" {label.key} ", Style(bold=True))
            text.append(label.name, style)
        text.append(" │ ")
        text.append(f"{self.progress_word} {self.done}/{self.total} ")
        text.append(progress_bar(self.done, self.total))
        text.append(" │ ")
        if self.error:
            text.append(f"NOT SAVED: {printable(self.error)}", Style(bold=True, reverse=True))
        elif self.saved:
            text.append(f"✓ saved {self.saved}")
        else:
            text.append("✓ nothing to save")
        if self.note:
            text.append(f"  {printable(self.note)}", Style(dim=True))  # may quote names, attributes
        self.update(text, layout=False)  # one fixed line: no re-layout of the screen
