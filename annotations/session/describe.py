"""Spans, attributes and undo-log entries as the short words the status bar shows.

Span text and attributes are outside input: made safe by :func:`printable` here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from annotations.model import Edit, Span
from annotations.printable import printable


def describe(span: Span | Mapping[str, Any]) -> str:
    """``ACTOR “Syrian government”`` for messages."""
    label = span.label if isinstance(span, Span) else span.get("label")
    text = span.text if isinstance(span, Span) else span.get("text", "")
    text = printable(text)
    return f"{printable(str(label))} “{text if len(text) < 40 else text[:37] + '…'}”"


def describe_attributes(attributes: Mapping[str, Any]) -> str:
    """``kind=killed count=2``: the set attributes, as text (values are outside input, like
    article text: made printable, never read as markup by the caller's ``Text``)."""
    return " ".join(
        f"{printable(str(k))}={printable(str(v))}" for k, v in attributes.items() if v is not None
    )


def describe_edit(edit: Edit) -> str:
    """What an undo or redo of ``edit`` changed: ``adding ACTOR “Turkey”``, ``status new → done``,
    ``accepting suggestion LOCATION “Idlib”`` (a span from a suggestion, or the answer itself)."""
    before, after = edit.before or {}, edit.after or {}
    if edit.kind == "add_span":
        if after.get("origin") is not None:
            return f"accepting suggestion {describe(after)}"
        return f"adding {describe(after)}"
    if edit.kind == "answer":
        answer = after or before
        verb = "accepting" if answer.get("answer") == "accepted" else "rejecting"
        return f"{verb} suggestion {describe(answer)}"
    if edit.kind == "delete_span":
        return f"deleting {describe(before)}"
    if edit.kind == "update_span":
        return f"editing {describe(before)}"
    if edit.kind == "set_status":
        return f"status {before.get('status') or 'new'} → {after.get('status')}"
    return f"settling {before.get('start')}:{before.get('end')} as {after.get('choice')}"
