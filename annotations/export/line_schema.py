"""The JSONL line schema's version, and the attribute columns every span of an export carries.

Apart from :mod:`.jsonl` so that the Hugging Face dataset card (:mod:`.hf_card`),
which describes the same schema, reads it without importing the writer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from annotations.labels import LabelSchema, default_schema
from annotations.storage import Store

SCHEMA_VERSION = 1  # of the JSONL line schema (see :mod:`.jsonl`); lines without it are older exports


class AttributeColumns:
    """The attribute keys every span of an export carries, with their values typed.

    The keys are every attribute the label schema defines for any label, in the
    schema's order, then any other key found in the spans to export (imported
    from elsewhere), sorted; an unset one is ``null``. Values are typed as the
    schema says (an ``integer`` stays an int, a ``number`` is always a float, a
    ``choice``/``text`` a string), so that a column has one type in every line;
    a value that does not fit its type is written as it is stored.
    """

    def __init__(self, schema: LabelSchema | None = None, extra: Iterable[str] = ()) -> None:
        types: dict[str, str] = {}
        for label in (schema or default_schema()).labels:
            for attribute in label.attributes:
                seen = types.setdefault(attribute.name, attribute.type)
                if seen != attribute.type:  # one name, two types across labels: the wider one
                    types[attribute.name] = _wider(seen, attribute.type)
        self.names: tuple[str, ...] = (*types, *sorted(set(extra) - types.keys()))
        self.types = types  # the schema's type of each key it defines
        self._convert = {name: _CONVERT[kind] for name, kind in types.items()}

    def of(self, attributes: Mapping[str, Any]) -> dict[str, Any]:
        """``attributes`` with every key, ``None`` where unset."""
        row = dict.fromkeys(self.names)
        for name, value in attributes.items():
            convert = self._convert.get(name)
            row[name] = value if convert is None or value is None else convert(value)
        return row


def _wider(a: str, b: str) -> str:
    return "number" if {a, b} == {"integer", "number"} else "text"


def _as_int(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip().replace(",", ""))
        except ValueError:
            return value
    return value


def _as_float(value: Any) -> Any:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def _as_str(value: Any) -> Any:
    return value if isinstance(value, str) else str(value)


_CONVERT: dict[str, Callable[[Any], Any]] = {
    "integer": _as_int,
    "number": _as_float,
    "choice": _as_str,
    "text": _as_str,
}


def attribute_columns(store: Store, schema: LabelSchema | None = None) -> AttributeColumns:
    """The attribute keys of an export of ``store``: ``schema``'s, then those its spans have."""
    return AttributeColumns(schema, store.attribute_names())
