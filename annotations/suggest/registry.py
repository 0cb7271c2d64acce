"""The one registry of suggestion rule families and attribute fillers, and the function that
runs them.

A family is a function ``text -> suggestions`` for one or more labels, registered
with :func:`family` when its module is imported; a filler is a function
``(text, start, end) -> attributes`` for one label, registered with
:func:`filler`. Callers never list the families themselves: they call
:func:`suggest_text` and :func:`fill_attributes`, which read the registry (as
spaCy's registries do), so a new family is one new module listed in ``_MODULES``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from annotations.model import Suggestion

# Bumped when the rules or their lists change what they suggest: stored with each
# suggestion, so that ``newsmark suggest`` knows which articles to suggest for again.
SUGGESTER_VERSION = "1"

Rules = Callable[[str], Iterable[Suggestion]]
Filler = Callable[[str, int, int], dict[str, Any]]
# Run after every family, over all their suggestions: settles what two families
# disagree on (a country that acts is an ACTOR, not also a LOCATION).
Resolver = Callable[[str, list[Suggestion]], list[Suggestion]]


@dataclass(frozen=True, slots=True)
class Family:
    """A family of rules: its name (the prefix of its suggestions' ``origin``), the labels
    it suggests, and the function that finds them in a text."""

    name: str
    labels: tuple[str, ...]
    rules: Rules
    order: int  # families run in this order


_FAMILIES: dict[str, Family] = {}
_FILLERS: dict[str, Filler] = {}
_RESOLVERS: list[tuple[int, Resolver]] = []
# The modules that register families and fillers, imported on first use.
_MODULES = ("annotations.suggest.location", "annotations.suggest.actor", "annotations.suggest.casualty")
_loaded = False


def family(name: str, labels: Iterable[str], *, order: int = 50) -> Callable[[Rules], Rules]:
    """Register the decorated function as the rule family ``name``."""

    def register(rules: Rules) -> Rules:
        _FAMILIES[name] = Family(name, tuple(labels), rules, order)
        return rules

    return register


def filler(label: str) -> Callable[[Filler], Filler]:
    """Register the decorated function as what fills in a new ``label`` span's attributes."""

    def register(fill: Filler) -> Filler:
        _FILLERS[label] = fill
        return fill

    return register


def resolver(*, order: int = 50) -> Callable[[Resolver], Resolver]:
    """Register the decorated function to settle the families' suggestions (in ``order``)."""

    def register(resolve: Resolver) -> Resolver:
        _RESOLVERS.append((order, resolve))
        _RESOLVERS.sort(key=lambda r: r[0])
        return resolve

    return register


def _load() -> None:
    global _loaded
    if not _loaded:
        for module in _MODULES:
            importlib.import_module(module)
        _loaded = True


def families() -> list[Family]:
    """Every registered family, in the order they run."""
    _load()
    return sorted(_FAMILIES.values(), key=lambda f: (f.order, f.name))


def suggest_text(text: str, *, only: Iterable[str] | None = None) -> list[Suggestion]:
    """Every family's suggestions for ``text`` (``only``: those families by name), settled by
    the resolvers, in reading order, each (start, end, label) once."""
    wanted = None if only is None else set(only)
    seen: dict[tuple[int, int, str], Suggestion] = {}
    for fam in families():
        if wanted is not None and fam.name not in wanted:
            continue
        for suggestion in fam.rules(text):
            seen.setdefault((suggestion.start, suggestion.end, suggestion.label), suggestion)
    found = list(seen.values())
    for _, resolve in _RESOLVERS:
        found = resolve(text, found)
    return sorted(found, key=lambda s: (s.start, -s.end, s.label))


def fill_attributes(
    label: str, text: str, start: int, end: int, known: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The attributes a new ``label`` span over ``text[start:end]`` gets: what the label's
    filler reads from the span and its sentence, under what ``known`` already sets
    (a value set there, not ``None``, is kept). No filler for the label: ``known`` as it is."""
    _load()
    given = {k: v for k, v in (known or {}).items() if v is not None}
    fill = _FILLERS.get(label)
    if fill is None:
        return dict(known or {})
    filled = {k: v for k, v in fill(text, start, end).items() if v is not None}
    return {**filled, **given}
