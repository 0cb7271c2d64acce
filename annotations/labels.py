"""The label schema: which labels exist, their keys, colours and attributes.

The schema is data, not code (GUIDELINES.md): a project can rename, add or drop
labels in a TOML file without touching the app. The default is the packaged
``labels.toml``. A bad file is refused up front with ``path:line: message``,
because a mistake found mid-session would cost an annotator their work flow.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any, TypeVar

from rich.color import Color, ColorParseError

ATTRIBUTE_TYPES = ("choice", "integer", "number", "text")
# Keys the annotator already binds (motions, selection, undo, save, search ...).
RESERVED_KEYS = frozenset("jkhlwbvxeudsfnq?/[]{} ")

_LABEL_FIELDS = ("name", "key", "colour", "color", "description", "attributes")
_ATTRIBUTE_FIELDS = ("type", "values", "description")


class SchemaError(ValueError):
    """A label schema file that cannot be used; the message names the file and line."""


# --- rules, shared by the dataclasses and the file loader ---------------------


def _check_name(name: object, what: str = "label") -> str:
    """Names become BIO tags and JSON keys: a non-empty string without spaces."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"{what} name must be a non-empty string")
    if any(c.isspace() for c in name):
        raise ValueError(f"{what} name {name!r} must not contain whitespace")
    return name


def _check_key(key: object) -> str:
    """One printable character that the annotator does not already use."""
    if isinstance(key, int) and not isinstance(key, bool) and 0 <= key <= 9:
        key = str(key)  # key = 1 is an easy slip for key = "1"
    if not isinstance(key, str) or len(key) != 1:
        raise ValueError(f"key must be exactly one character, got {key!r}")
    if key in RESERVED_KEYS:
        shown = "space" if key == " " else repr(key)
        reserved = " ".join("space" if k == " " else k for k in sorted(RESERVED_KEYS))
        raise ValueError(f"key {shown} is reserved by the annotator (reserved: {reserved})")
    if not key.isprintable() or key.isspace():
        raise ValueError(f"key must be a printable character, got {key!r}")
    return key


def _normalise_colour(colour: object) -> str:
    """Any colour rich understands, as ``#rrggbb`` so every consumer reads one form."""
    if not isinstance(colour, str):
        raise ValueError(f"colour must be a string, got {colour!r}")
    try:
        parsed = Color.parse(colour)
    except ColorParseError:
        raise ValueError(f"unknown colour {colour!r} (try '#5fafff', 'red' or 'color(75)')") from None
    if parsed.is_default:
        raise ValueError(f"colour {colour!r} is not a colour: give one explicitly")
    return parsed.get_truecolor().hex


def _check_unique(labels: Iterable[Label]) -> None:
    """Names (case-insensitively: they end up as tags) and keys must not repeat."""
    names: dict[str, str] = {}
    keys: dict[str, str] = {}
    for label in labels:
        folded = label.name.casefold()
        if folded in names:
            raise ValueError(f"duplicate label name {label.name!r} (also {names[folded]!r})")
        if label.key in keys:
            raise ValueError(f"key {label.key!r} is already used by label {keys[label.key]!r}")
        names[folded] = label.name
        keys[label.key] = label.name


# --- the schema -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Attribute:
    """A typed field the annotator may fill in on a span (all are optional)."""

    name: str
    type: str
    values: tuple[str, ...] = ()
    description: str = ""

    def __post_init__(self) -> None:
        _check_name(self.name, "attribute")
        if self.type not in ATTRIBUTE_TYPES:
            raise ValueError(
                f"attribute {self.name!r}: unknown type {self.type!r} (expected {', '.join(ATTRIBUTE_TYPES)})"
            )
        values = tuple(self.values)
        object.__setattr__(self, "values", values)
        if self.type == "choice":
            if not values:
                raise ValueError(f"attribute {self.name!r}: a choice needs a non-empty list of values")
            if not all(isinstance(v, str) and v.strip() for v in values):
                raise ValueError(f"attribute {self.name!r}: choice values must be non-empty strings")
            if len({v.casefold() for v in values}) != len(values):
                raise ValueError(f"attribute {self.name!r}: choice values repeat")
        elif values:
            raise ValueError(
                f'attribute {self.name!r}: values are only for type = "choice", not {self.type!r}'
            )

    def coerce(self, raw: object) -> str | int | float | None:
        """The typed value of what the annotator typed; ``None`` when left empty."""
        text = "" if raw is None else str(raw).strip()
        if not text:
            return None
        if self.type == "integer":
            digits = text.replace(",", "") if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+", text) else text
            try:
                return int(digits)
            except ValueError:
                raise ValueError(f"{self.name}: {text!r} is not a whole number") from None
        if self.type == "number":
            try:
                number = float(text)
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                raise ValueError(f"{self.name}: {text!r} is not a number (use a dot for decimals)")
            return number
        if self.type == "choice":
            for value in self.values:
                if value.casefold() == text.casefold():
                    return value
            raise ValueError(f"{self.name}: {text!r} is not one of {', '.join(self.values)}")
        return text


@dataclass(frozen=True, slots=True)
class Label:
    """One label: its tag name, the key that applies it, its colour, its attributes."""

    name: str
    key: str
    colour: str
    description: str = ""
    attributes: tuple[Attribute, ...] = ()

    def __post_init__(self) -> None:
        _check_name(self.name)
        object.__setattr__(self, "key", _check_key(self.key))
        object.__setattr__(self, "colour", _normalise_colour(self.colour))
        attributes = tuple(self.attributes)
        object.__setattr__(self, "attributes", attributes)
        names = [a.name for a in attributes]
        if len(set(names)) != len(names):
            raise ValueError(f"label {self.name!r}: attribute names repeat")

    def attribute(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)


@dataclass(frozen=True, slots=True)
class LabelSchema:
    """The labels of a project, in display order; ``origin`` is the file they came from."""

    labels: tuple[Label, ...]
    origin: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", tuple(self.labels))
        if not self.labels:
            raise ValueError("a label schema needs at least one label")
        _check_unique(self.labels)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(label.name for label in self.labels)

    def get(self, name: str) -> Label | None:
        return next((label for label in self.labels if label.name == name), None)

    def by_key(self, key: str) -> Label | None:
        return next((label for label in self.labels if label.key == key), None)


def coerce_attributes(label: Label, values: Mapping[str, object]) -> dict[str, Any]:
    """Typed attribute values from what the annotator typed, empty ones dropped.

    Raises ``ValueError`` naming the attribute, ready to show in the TUI.
    """
    typed: dict[str, Any] = {}
    for name, raw in values.items():
        attribute = label.attribute(name)
        if attribute is None:
            known = ", ".join(a.name for a in label.attributes) or "none"
            raise ValueError(f"{label.name} has no attribute {name!r} (known: {known})")
        value = attribute.coerce(raw)
        if value is not None:
            typed[name] = value
    return typed


# --- loading ------------------------------------------------------------------


@cache
def default_schema() -> LabelSchema:
    """The packaged ``labels.toml``: the labels of GUIDELINES.md."""
    resource = files("annotations") / "labels.toml"
    return _parse(resource.read_text("utf-8"), str(resource))


def load_schema(path: str | os.PathLike[str] | None = None) -> LabelSchema:
    """The schema in ``path``, or the default one when ``path`` is None."""
    if path is None:
        return default_schema()
    origin = os.fspath(path)
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise SchemaError(f"{origin}: cannot read label schema: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise SchemaError(f"{origin}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    return _parse(text, origin)


class _Locator:
    """Finds the line a problem is on, from the text, since tomllib keeps no positions."""

    def __init__(self, text: str, origin: str, count: int) -> None:
        self.lines = text.split("\n")  # TOML counts only \n as a line break
        self.origin = origin
        self.headers = [i for i, line in enumerate(self.lines) if re.match(r"\s*\[\[\s*labels\s*\]\]", line)]
        if len(self.headers) != count:  # labels = [{...}] inline, or a mix: no blocks to go by
            self.headers = []

    def line(
        self, index: int, name: object, field: str | None = None, attribute: str | None = None
    ) -> int | None:
        """1-based line of a label's field (or attribute), else of the label itself."""
        if self.headers:
            first = self.headers[index]
            last = self.headers[index + 1] if index + 1 < len(self.headers) else len(self.lines)
        else:
            named = self._find(rf""".*\bname\s*=\s*["']{re.escape(str(name))}["']""", 0, len(self.lines))
            if named is None:
                return None
            first, last = named - 1, len(self.lines)
        patterns = []
        if attribute is not None:
            quoted = rf"""(?:{re.escape(attribute)}|"{re.escape(attribute)}"|'{re.escape(attribute)}')"""
            if field is not None:  # a field inside the attribute's own table
                section = self._find(rf"\s*\[\s*labels\s*\.\s*attributes\s*\.\s*{quoted}\s*\]", first, last)
                if section is not None:
                    patterns.append((rf"\s*{re.escape(field)}\s*=", section - 1))
            patterns.append((rf"\s*\[\s*labels\s*\.\s*attributes\s*\.\s*{quoted}\s*\]", first))
            patterns.append((rf"(.*[{{,\s])?{quoted}\s*=", first))
        elif field is not None:
            patterns.append((rf"\s*{re.escape(field)}\s*=", first))
        for pattern, start in patterns:
            found = self._find(pattern, start, last)
            if found is not None:
                return found
        return first + 1

    def _find(self, pattern: str, first: int, last: int) -> int | None:
        for i in range(first, last):
            if re.match(pattern, self.lines[i]):
                return i + 1
        return None

    def error(
        self, index: int, name: object, message: str, field: str | None, attribute: str | None
    ) -> SchemaError:
        line = self.line(index, name, field, attribute)
        who = f"label {name!r}" if isinstance(name, str) and name else f"label #{index + 1}"
        place = f"{self.origin}:{line}" if line is not None else self.origin
        return SchemaError(f"{place}: {who}: {message}")


class _Problem(ValueError):
    """A problem in one label of a file, with the field it is about (for the line)."""

    def __init__(self, message: str, field: str | None = None, attribute: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.attribute = attribute


_T = TypeVar("_T")


def _field(field: str | None, rule: Callable[[Any], _T], value: Any, attribute: str | None = None) -> _T:
    """``rule(value)``, its ValueError tagged with the field it came from."""
    try:
        return rule(value)
    except ValueError as exc:
        raise _Problem(str(exc), field, attribute) from None


def _parse(text: str, origin: str) -> LabelSchema:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        at = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
        if at:
            raise SchemaError(f"{origin}:{at[1]}:{at[2]}: {message[: at.start()]}") from None
        raise SchemaError(f"{origin}: {message}") from None
    raw_labels = data.get("labels")
    if not isinstance(raw_labels, list) or not raw_labels:
        raise SchemaError(f"{origin}:1: no labels: add a [[labels]] table with name, key and colour")
    locator = _Locator(text, origin, len(raw_labels))
    labels: list[Label] = []
    for index, raw in enumerate(raw_labels):
        name = raw.get("name") if isinstance(raw, dict) else None
        try:
            label = _label(raw)
            _field("name", _check_unique, [*labels, label])
        except _Problem as problem:
            raise locator.error(index, name, str(problem), problem.field, problem.attribute) from None
        labels.append(label)
    return LabelSchema(tuple(labels), origin)


def _label(raw: object) -> Label:
    """One ``[[labels]]`` table, checked field by field so errors point at the right line."""
    if not isinstance(raw, dict):
        raise _Problem("must be a table")
    for field in raw:
        if field not in _LABEL_FIELDS:
            raise _Problem(f"unknown field {field!r} (expected one of {', '.join(_LABEL_FIELDS)})", field)
    name = _field("name", _check_name, raw.get("name"))
    if "key" not in raw:
        raise _Problem("needs a key")
    key = _field("key", _check_key, raw["key"])
    if "colour" in raw and "color" in raw:
        raise _Problem("give colour or color, not both", "color")
    colour_field = "color" if "color" in raw else "colour"
    if colour_field not in raw:
        raise _Problem("needs a colour")
    colour = _field(colour_field, _normalise_colour, raw[colour_field])
    description = raw.get("description", "")
    if not isinstance(description, str):
        raise _Problem("description must be a string", "description")
    raw_attributes = raw.get("attributes", {})
    if not isinstance(raw_attributes, dict):
        raise _Problem("attributes must be tables: [labels.attributes.NAME]", "attributes")
    attributes = tuple(_attribute(attr_name, spec) for attr_name, spec in raw_attributes.items())
    return Label(name, key, colour, description, attributes)


def _attribute(name: str, spec: object) -> Attribute:
    if not isinstance(spec, dict):
        raise _Problem(f"attribute {name!r} must be a table with a type", None, name)
    for field in spec:
        if field not in _ATTRIBUTE_FIELDS:
            raise _Problem(
                f"attribute {name!r}: unknown field {field!r} (expected one of {', '.join(_ATTRIBUTE_FIELDS)})",
                field,
                name,
            )
    if "type" not in spec:
        raise _Problem(f"attribute {name!r} needs a type ({', '.join(ATTRIBUTE_TYPES)})", None, name)
    values, description = spec.get("values", []), spec.get("description", "")
    if not isinstance(values, list):
        raise _Problem(f"attribute {name!r}: values must be a list of strings", "values", name)
    if not isinstance(description, str):
        raise _Problem(f"attribute {name!r}: description must be a string", "description", name)
    field = "type" if spec["type"] not in ATTRIBUTE_TYPES else "values" if "values" in spec else None
    return _field(field, lambda s: Attribute(name, s["type"], tuple(values), description), spec, name)
