"""Textual bindings from the table of actions (:mod:`annotations.actions`).

Screens and widgets write ``BINDINGS = bindings(TEXT)``; the help screen and the
command palette read :func:`binding_rows`, so what they show is what the keys
really do, after the user's keymap. This module imports no screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.binding import Binding, BindingType

from annotations.actions import TAG, Action, actions, help_rows, keys_for
from annotations.labels import LabelSchema


def binding(action: Action) -> Binding:
    """The Textual binding for one action, every field as the table says."""
    return Binding(
        action.keys,
        action.action,
        action.description,
        show=action.show,
        priority=action.priority,
        tooltip=action.tooltip,
        id=action.id,
    )


def bindings(scope: str) -> list[BindingType]:
    """The ``BINDINGS`` of the screen or widget that is ``scope``.

    Typed as Textual types ``BINDINGS`` (``ClassVar[list[BindingType]]``; a list is invariant), so that
    ``BINDINGS = bindings(...)`` type-checks in any screen or widget.
    """
    return [binding(a) for a in actions(scope)]


def tag_bindings(schema: LabelSchema) -> list[Binding]:
    """One binding per label: its key from the schema, rebindable by id ``tag.<name>``."""
    return [binding(a) for a in actions(TAG, schema)]


@dataclass(frozen=True, slots=True)
class BindingRow:
    """One action as the help screen and the command palette show it."""

    scope: str  # "article list", "article text", "anywhere", "review mode"
    id: str
    keys: str
    description: str
    action: str


def binding_rows(app: Any) -> list[BindingRow]:
    """What the help screen lists: keys as they are after the user's keymap."""
    keymap: dict[str, str] = getattr(app, "user_keymap", {})
    rows = []
    for heading, a in help_rows(app.schema):
        shown = ", ".join(_display(k) for k in keys_for(a, keymap).split(","))
        rows.append(BindingRow(heading, a.id, shown, a.tooltip or a.description, a.action))
    return rows


_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "greater_than_sign": ">",
    "less_than_sign": "<",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "left_curly_bracket": "{",
    "right_curly_bracket": "}",
    "dollar_sign": "$",
}


def _display(key: str) -> str:
    key = key.strip()
    return _NAMES.get(key, key)
