"""The registry of export formats: every place that lists formats reads it.

Each format module declares its own :class:`ExportFormat` as ``FORMAT`` (its
name, what it writes, its writer and, if it can be imported back, its reader);
:data:`FORMAT_MODULES` maps each name to its module, in the order the formats are
listed. A new format is one module and one line here. The name is written in
both places so that ``--format`` can be checked, and one export run, without
importing every format module (the registry checks the two agree).

The modules are imported on the first look-up, not with ``annotations.export``:
between them they load the tokenizer and XML helpers, which ``newsmark``
starts without. No format module imports spaCy at import time: the spacy
format's writer does, and says how to install it when it is missing.

Read by the ``export`` command (``--format``'s choices and help), by
:func:`annotations.export.export` (the writer to call), by
:func:`annotations.export.default_statuses` (:attr:`ExportFormat.answers`),
by ``newsmark import`` (:func:`readable`), and by the tests and the README
check that go over every format.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, fields
from functools import cache
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from annotations.export.types import ExportError, ExportReport, Filters

if TYPE_CHECKING:
    from annotations.labels import LabelSchema
    from annotations.model import Annotation, Problem
    from annotations.storage import Store

FORMAT_MODULES: Mapping[str, str] = {
    "jsonl": "annotations.export.jsonl",
    "doccano": "annotations.export.doccano",
    "labelstudio": "annotations.export.labelstudio",
    "brat": "annotations.export.brat",
    "conll": "annotations.export.conll",
    "spacy": "annotations.export.docbin",
}


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """The per-format options of one export, in one object: each writer reads the ones it uses
    (:attr:`ExportFormat.options`) and passes over the rest.

    ``schema``: the label schema (default: the packaged one). ``offsets``: how
    doccano counts, ``utf16`` or ``codepoints``. ``shard_size``: docs per
    ``.spacy`` file (default: the spacy format's). ``columns``: CoNLL's 4 or 2.
    """

    schema: LabelSchema | None = None
    offsets: str = "utf16"
    shard_size: int | None = None
    columns: int = 4


OPTION_NAMES = tuple(f.name for f in fields(ExportOptions))


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """How to read an annotation file back: ``annotator`` names the work's annotator
    whatever the file says; ``offsets``, how doccano offsets count (default: as each
    line says, else UTF-16 units); ``max_size``, the longest line read (see
    :mod:`annotations.input_files`), None for no limit."""

    annotator: str | None = None
    offsets: str | None = None
    max_size: int | None = None


Writer = Callable[["Store", "Filters", str, ExportOptions], "ExportReport"]
Reader = Callable[[str | Path, ImportOptions], Iterator["Annotation | Problem"]]


@dataclass(frozen=True, slots=True)
class ExportFormat:
    """One export format, as its module declares it.

    ``writes``: what ``-o`` names, a file, a folder, or either (``target`` says
    how, for messages: ``FILE``, ``DIR``, ...); ``binary``: never written to a
    terminal. ``answers``: each record says its answer (accept / ignore /
    reject), so a skipped article can be told from one with no entities and the
    default export takes all finished work, not only the accepted.
    ``needs_extra``: the ``pip install 'newsmark[EXTRA]'`` it needs. ``options``:
    the :class:`ExportOptions` fields its writer reads. ``reader``: how
    ``newsmark import`` reads it back, if it can.
    """

    name: str
    description: str
    writer: Writer
    writes: Literal["file", "folder", "file-or-folder"] = "file"
    target: str = "FILE"
    binary: bool = False
    answers: bool = False
    needs_extra: str | None = None
    options: tuple[str, ...] = ()
    reader: Reader | None = None

    def __post_init__(self) -> None:
        unknown = set(self.options) - set(OPTION_NAMES)
        if unknown:
            raise ValueError(f"format {self.name!r}: unknown options {sorted(unknown)}")


@cache
def _load(name: str) -> ExportFormat:
    """The entry of the format called ``name``, importing its module (once)."""
    entry: ExportFormat = import_module(FORMAT_MODULES[name]).FORMAT
    if entry.name != name:
        raise ValueError(f"{FORMAT_MODULES[name]} declares format {entry.name!r}, listed as {name!r}")
    return entry


def registry() -> Mapping[str, ExportFormat]:
    """Every format by name, in :data:`FORMAT_MODULES` order (imports every format module)."""
    return {name: _load(name) for name in FORMAT_MODULES}


def names() -> tuple[str, ...]:
    """The format names, in order: ``--format``'s choices (no format module imported)."""
    return tuple(FORMAT_MODULES)


def get(name: str) -> ExportFormat:
    """The format called ``name``; :class:`~annotations.export.ExportError` if there is none."""
    if name not in FORMAT_MODULES:
        raise ExportError(f"unknown format {name!r}; one of {', '.join(names())}")
    return _load(name)


def readable() -> dict[str, ExportFormat]:
    """The formats ``newsmark import`` reads back, by name."""
    return {name: entry for name, entry in registry().items() if entry.reader is not None}


def help_text() -> str:
    """``--format``'s help: each format and what it writes."""
    return (
        "; ".join(f"{f.name} ({f.description})" if f.description else f.name for f in registry().values())
        + "."
    )
