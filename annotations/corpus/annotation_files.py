"""Annotation files, for ``newsmark import``: recognising one, and reading it with its format's reader.

A JSONL file whose first record has ``spans``, ``answer`` or ``_input_hash``
is a ``jsonl`` file of tasks (our JSONL export, or Prodigy's); one whose first
record has a ``label`` list is ``doccano``. Any other JSONL is a corpus of
articles, for the article importer. A ``.json`` list of tasks with ``data``
and ``annotations`` is Label Studio's. Each format's reader lives beside its
writer (:mod:`annotations.export.formats` finds it) and turns each record into
an :class:`~annotations.model.Annotation` for :meth:`Store.import_annotation`,
or a :class:`~annotations.model.Problem` naming the file and line.

What the readers share (the article ``meta``, the span check, the status an
imported record gets: a reviewer's work comes back as done) is
:mod:`annotations.export.reading`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from annotations.model import Annotation, Problem

TASK_KEYS = frozenset({"spans", "answer", "_input_hash", "_task_hash"})


def annotation_kind(path: str | Path) -> str | None:
    """The format of an annotation file, ``"jsonl"``, ``"doccano"`` or ``"labelstudio"``;
    None when it is not one.

    JSONL by its first record; a ``.json`` file by its first task.
    """
    if Path(path).suffix.lower() == ".json":
        from annotations.export.labelstudio import is_task_list

        return "labelstudio" if is_task_list(path) else None
    try:
        with open(path, encoding="utf-8-sig") as lines:
            first = next((line for line in lines if line.strip()), "")
        record = json.loads(first)
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(record, dict):
        return None
    if isinstance(record.get("label"), list):
        return "doccano"
    if TASK_KEYS & record.keys():
        return "jsonl"
    return None


def read_annotations(
    path: str | Path, kind: str, annotator: str | None = None, offsets: str | None = None
) -> Iterator[Annotation | Problem]:
    """Each record of an annotation file of format ``kind`` as an Annotation, or the Problem it has.

    ``annotator`` names the work's annotator whatever the file says.
    ``offsets``: how doccano offsets count (:data:`annotations.export.offsets.CONVENTIONS`);
    by default as each line says, else UTF-16 units, doccano's own.
    """
    from annotations.export.formats import ImportOptions, readable
    from annotations.export.offsets import CONVENTIONS

    if offsets is not None and offsets not in CONVENTIONS:
        raise ValueError(f"unknown offsets {offsets!r}: {' or '.join(CONVENTIONS)}")
    formats = readable()
    if kind not in formats:
        raise ValueError(f"not a format that can be imported: {kind!r}; one of {', '.join(formats)}")
    reader = formats[kind].reader
    assert reader is not None
    yield from reader(path, ImportOptions(annotator, offsets))
