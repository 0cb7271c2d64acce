"""``e``: change a span's label and fill in its attributes (count, kind, ...).

Returns ``(label, attributes)`` or None when cancelled; attribute values are
checked by :func:`annotations.labels.coerce_attributes`, the one place the
schema's rules live.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from annotations.labels import LabelSchema, coerce_attributes
from annotations.model import Span
from annotations.printable import printable
from tui.keymap import bindings
from tui.widgets.printable_input import PrintableInput


class EditSpanScreen(ModalScreen[tuple[str, dict[str, Any]] | None]):
    DEFAULT_CSS = """
    EditSpanScreen { align: center middle; }
    EditSpanScreen > Vertical {
        width: 70; max-width: 95%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    EditSpanScreen OptionList { height: auto; max-height: 8; }
    EditSpanScreen #attributes { height: auto; }
    EditSpanScreen Input { height: 1; border: none; margin: 0 0 0 2; background: $boost; }
    EditSpanScreen Input:focus { background: $primary 30%; }
    EditSpanScreen .hint { color: $text-muted; }
    """

    BINDINGS = bindings("edit")

    def __init__(self, schema: LabelSchema, span: Span) -> None:
        super().__init__()
        self.schema = schema
        self.span = span
        self.label = span.label if schema.get(span.label) else schema.labels[0].name

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"Edit span “{printable(self.span.text)}”", style="bold"))
            yield Static(
                "label: press its key, or move and enter; tab to attributes; enter saves, esc cancels",
                classes="hint",
            )
            yield OptionList(
                *[Option(f"{lab.key}  {lab.name}", id=lab.name) for lab in self.schema.labels], id="labels"
            )
            yield Vertical(id="attributes")

    async def on_mount(self) -> None:
        labels = self.query_one(OptionList)
        labels.highlighted = [lab.name for lab in self.schema.labels].index(self.label)
        labels.focus()
        await self._show_attributes()

    async def _show_attributes(self) -> None:
        box = self.query_one("#attributes", Vertical)
        await box.remove_children()
        label = self.schema.get(self.label)
        if label is None:
            return
        widgets: list[Widget] = []
        for attr in label.attributes:
            value = self.span.attributes.get(attr.name, "") if self.label == self.span.label else ""
            hint = f" ({', '.join(attr.values)})" if attr.values else f" ({attr.type})"
            widgets.append(Label(Text(attr.name + hint)))
            # A stored value is outside input, and so is what is pasted: shown (and saved
            # again, if saved) printable.
            shown = "" if value is None else printable(str(value))
            widgets.append(PrintableInput(value=shown, id=f"attr-{attr.name}", classes="attribute"))
        await box.mount_all(widgets)

    @on(OptionList.OptionHighlighted)
    async def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id and event.option.id != self.label:
            self.label = event.option.id
            await self._show_attributes()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.label = event.option.id or self.label
        self.action_save()

    def on_key(self, event) -> None:
        if isinstance(self.focused, OptionList):
            label = self.schema.by_key(event.character or "")
            if label is not None:
                self.query_one(OptionList).highlighted = self.schema.labels.index(label)
                event.stop()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        label = self.schema.get(self.label)
        inputs = self.query(".attribute").results(Input)  # each made with id "attr-<name>"
        values = {i.id.removeprefix("attr-"): i.value for i in inputs if i.id is not None}
        try:
            attributes = coerce_attributes(label, values) if label else {}
        except ValueError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.dismiss((self.label, attributes))

    def action_cancel(self) -> None:
        self.dismiss(None)
