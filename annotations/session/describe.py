"""Spans, attributes and undo-log entries as the short words the status bar shows.

Article text is outside input: control characters become spaces here, so
nothing built from it is ever sent to a terminal as an escape sequence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from annotations.model import Edit, Span

# Not \n: it ends paragraphs. Same length, so offsets do not move.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def display_text(text: str) -> str:
    """``text`` with control characters drawn as spaces (same length: offsets hold)."""
    return _CONTROL.sub(" ", text)


def one_line(text: str) -> str:
    """For titles and list rows: newlines too become spaces."""
    return display_text(text).replace("\n", " ")


def describe(span: Span | Mapping[str, Any]) -> str:
    """``ACTOR “Syrian government”`` for messages."""
    label = span.label if isinstance(span, Span) else span.get("label")
    text = span.text if isinstance(span, Span) else span.get("text", "")
    text = one_line(text)
    return f"{label} “{text if len(text) < 40 else text[:37] + '…'}”"


def describe_attributes(attributes: Mapping[str, Any]) -> str:
    """``kind=killed count=2``: the set attributes, as text (values are outside input, like
    article text: made printable, never read as markup by the caller's ``Text``)."""
    return " ".join(f"{one_line(str(k))}={one_line(str(v))}" for k, v in attributes.items() if v is not None)


def describe_edit(edit: Edit) -> str:
    """What an undo or redo of ``edit`` changed: ``adding ACTOR “Turkey”``, ``status new → done``."""
    before, after = edit.before or {}, edit.after or {}
    if edit.kind == "add_span":
        return f"adding {describe(after)}"
    if edit.kind == "delete_span":
        return f"deleting {describe(before)}"
    if edit.kind == "update_span":
        return f"editing {describe(before)}"
    if edit.kind == "set_status":
        return f"status {before.get('status') or 'new'} → {after.get('status')}"
    return f"settling {before.get('start')}:{before.get('end')} as {after.get('choice')}"
