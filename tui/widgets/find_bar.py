"""The search and find bars: a one-line input shown in the place of a one-row line.

A bar takes the row of the line it ``covers`` (the list's title, the span line) while
it is shown, so opening or closing it moves nothing else: the text pane and the list
keep their size and are not repainted (a bar that pushed the text up a row repainted
the whole screen, 20-35 KB over SSH, at each ``/`` and each find).

Enter and escape call the bar's owner directly, in their binding, not by message
(``Input.Submitted``): the bar is hidden and the focus back where the annotator was
before the next key typed is handled (see :mod:`tui.typeahead`), so ``/two<enter>2``
sent in one write tags, as typed slowly.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.binding import Binding
from textual.widget import Widget

from tui.widgets.printable_input import PrintableInput


class LineBar(PrintableInput):  # pasted text shown as printable, never obeyed
    """A bar over ``covers``: ``open`` shows and focuses it; enter and escape close it."""

    DEFAULT_CSS = """
    LineBar { display: none; }
    LineBar.-textual-compact { padding: 0 1; }
    """

    BINDINGS = [Binding("escape", "cancel", "close", show=False)]

    def __init__(
        self,
        placeholder: str,
        *,
        covers: Widget,
        on_submit: Callable[[str], None],
        on_cancel: Callable[[], None],
        id: str,
    ) -> None:
        super().__init__(placeholder=placeholder, id=id, compact=True)  # one row, no border
        self.covers = covers
        self._on_submit = on_submit
        self._on_cancel = on_cancel

    @property
    def shown(self) -> bool:
        return self.display

    def open(self) -> None:
        """Show the bar in place of the line it covers, with the focus: the next key goes to it."""
        self.covers.display = False
        self.display = True
        self.screen.set_focus(self)

    def close(self) -> None:
        """Hide the bar and show the covered line again (the owner moves the focus)."""
        self.display = False
        self.covers.display = True

    async def action_submit(self) -> None:
        """Enter: close, then the owner acts on the text (and moves the focus) at once."""
        self.close()
        self._on_submit(self.value)

    def action_cancel(self) -> None:
        self.close()
        self._on_cancel()
