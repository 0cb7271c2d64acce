"""``?``: every action, its keys (after the user's keymap) and its id for rebinding."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from annotations.printable import printable
from tui.keymap import binding_rows, bindings


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90%; max-width: 100; height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    """

    BINDINGS = bindings("help")

    def compose(self) -> ComposeResult:
        table = Table(box=None, expand=True, show_edge=False, pad_edge=False)
        table.add_column("keys", style="bold", no_wrap=True, max_width=14)
        table.add_column("does", ratio=1)
        table.add_column("id (keymap.toml)", style="dim", no_wrap=True)
        scope = None
        for row in binding_rows(self.app):
            if row.scope != scope:  # a heading row per pane, not a column: more room to read
                scope = row.scope
                table.add_row(Text(scope, style="bold underline"), "", "")
            # keys from the user's keymap file, descriptions naming the schema's labels
            table.add_row(Text(printable(row.keys)), Text(printable(row.description)), Text(row.id))
        with VerticalScroll():
            yield Static(
                Text(
                    "newsmark keys — esc closes. Rebind any id in "
                    "~/.config/newsmark/keymap.toml under [keys].",
                    style="bold",
                )
            )
            yield Static(table)

    def action_scroll(self, delta: int) -> None:
        self.query_one(VerticalScroll).scroll_relative(y=delta, animate=False)
