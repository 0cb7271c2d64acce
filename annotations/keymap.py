"""The user's keymap file: binding id -> keys, checked against the table of actions.

A keymap file rebinds any action by its id (see :mod:`annotations.actions`)::

    # ~/.config/newsmark/keymap.toml (or --keymap FILE, or $NEWSMARK_KEYMAP)
    [keys]
    "text.select" = "space"
    "article.done" = "D,ctrl+d"

Loading and checking need no Textual, so the CLI refuses a bad file before the app starts.
"""

from __future__ import annotations

import os
import tomllib
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
