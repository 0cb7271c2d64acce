"""Keys are data: the user's keymap file, and the table of every action.

Every binding in the app has an id (``list.down``, ``text.select``,
``article.done``, ``tag.actor`` ...). A keymap file rebinds any of them::

    # ~/.config/newsmark/keymap.toml (or --keymap FILE, or $NEWSMARK_KEYMAP)
    [keys]
    "text.select" = "space"
    "article.done" = "D,ctrl+d"

The help screen and the command palette read :func:`binding_rows`, so what they
show is what the keys really do.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

KEYMAP_ENV = "NEWSMARK_KEYMAP"


class KeymapError(ValueError):
    """A keymap file that cannot be used; the message names the file and line."""


def default_keymap_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "newsmark" / "keymap.toml"


def _line_of(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None


def load_keymap(path: str | os.PathLike[str] | None, known_ids: set[str]) -> dict[str, str]:
    """Binding id -> keys from a keymap file; {} when no file is given or found.

    ``path`` None means ``$NEWSMARK_KEYMAP``, else the default path if it exists.
    """
    explicit = path is not None or KEYMAP_ENV in os.environ
    file = Path(path or os.environ.get(KEYMAP_ENV) or default_keymap_path())
    if not file.exists():
        if explicit:
            raise KeymapError(f"{file}: no such keymap file")
        return {}
    text = file.read_text("utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise KeymapError(f"{file}: {exc}") from None
    keys = data.get("keys", {})
    if not isinstance(keys, dict):
        raise KeymapError(f"{file}:{_line_of(text, '[keys]') or 1}: [keys] must be a table")
    keymap: dict[str, str] = {}
    for binding_id, value in keys.items():
        line = _line_of(text, binding_id) or 1
        if binding_id not in known_ids:
            raise KeymapError(
                f"{file}:{line}: unknown action id {binding_id!r} (press ? in newsmark for the list)"
            )
        if not isinstance(value, str) or not value.strip():
            raise KeymapError(f'{file}:{line}: keys for {binding_id!r} must be a string like "x" or "a,b"')
        keymap[binding_id] = value
    return keymap


@dataclass(frozen=True, slots=True)
class BindingRow:
    """One action as the help screen and the command palette show it."""

    scope: str  # "article list", "article text", "anywhere"
    id: str
    keys: str
    description: str
    action: str


def scoped_bindings(schema) -> list[tuple[str, object]]:
    """(scope, Binding) for every action of the annotator, tag keys from ``schema`` included."""
    from textual.binding import Binding

    from tui.screens.annotate import AnnotateScreen
    from tui.screens.review import ReviewScreen
    from tui.widgets.article_list import ArticleList
    from tui.widgets.article_text import ArticleText

    rows: list[tuple[str, object]] = [("anywhere", b) for b in AnnotateScreen.BINDINGS]
    rows += [("article list", b) for b in ArticleList.BINDINGS]
    rows += [("article text", b) for b in ArticleText.BINDINGS]
    rows += [("article text", b) for b in tag_bindings(schema)]
    rows += [("review mode", b) for b in ReviewScreen.BINDINGS]  # last: annotators need it least
    return [(scope, b) for scope, b in rows if isinstance(b, Binding)]


def tag_bindings(schema) -> list:
    """One binding per label: its key from the schema, rebindable by id ``tag.<name>``."""
    from textual.binding import Binding

    return [
        Binding(
            label.key, f"tag({label.name!r})", f"tag {label.name}", show=False, id=f"tag.{label.name.lower()}"
        )
        for label in schema.labels
    ]


def known_ids(schema) -> set[str]:
    return {b.id for _, b in scoped_bindings(schema) if b.id}


def binding_rows(app) -> list[BindingRow]:
    """What the help screen lists: keys as they are after the user's keymap."""
    keymap: dict[str, str] = getattr(app, "user_keymap", {})
    rows = []
    for scope, b in scoped_bindings(app.schema):
        keys = keymap.get(b.id, b.key)
        shown = ", ".join(_display(k) for k in keys.split(","))
        description = b.tooltip or b.description
        rows.append(BindingRow(scope, b.id or "", shown, description, b.action))
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
