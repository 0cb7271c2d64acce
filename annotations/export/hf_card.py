"""A Hugging Face dataset card for a JSONL export written into a folder.

``datasets.load_dataset("json", data_files=...)`` takes the column types from
the first chunk of the file it reads (10 MB); an attribute that is ``null`` in
all of it and set further on then fails to cast. ``load_dataset(FOLDER)`` reads
the card's ``dataset_info.features`` instead, so the types no longer depend on
which lines come first. The features follow :mod:`.jsonl`'s line schema; the
front matter is JSON, which YAML (the card's format) reads as it is.
"""

from __future__ import annotations

import json
from typing import Any

from annotations.export.line_schema import SCHEMA_VERSION, AttributeColumns

DATA_FILE = "train.jsonl"
CARD_FILE = "README.md"

_DTYPE = {"integer": "int64", "number": "float64", "choice": "string", "text": "string"}


def _fields(pairs: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    """``(name, dtype string | ("struct"|"list", fields))`` pairs as the card's feature list."""
    out: list[dict[str, Any]] = []
    for name, kind in pairs:
        if isinstance(kind, str):
            out.append({"name": name, "dtype": kind})
        else:
            nesting, inner = kind
            out.append({"name": name, nesting: _fields(inner)})
    return out


def features(columns: AttributeColumns) -> list[dict[str, Any]]:
    """The ``dataset_info.features`` of an export whose spans carry ``columns``.

    Attributes the schema types keep their type; keys found only in the data
    are strings (``datasets`` casts a number to a string, not the other way).
    """
    attributes = [(name, _DTYPE.get(columns.types.get(name, "text"), "string")) for name in columns.names]
    return _fields(
        [
            ("text", "string"),
            (
                "tokens",
                (
                    "list",
                    [
                        ("text", "string"),
                        ("start", "int64"),
                        ("end", "int64"),
                        ("id", "int64"),
                        ("ws", "bool"),
                    ],
                ),
            ),
            (
                "spans",
                (
                    "list",
                    [
                        ("start", "int64"),
                        ("end", "int64"),
                        ("token_start", "int64"),
                        ("token_end", "int64"),
                        ("label", "string"),
                        ("text", "string"),
                        ("attributes", ("struct", attributes)),
                    ],
                ),
            ),
            (
                "meta",
                (
                    "struct",
                    [
                        ("id", "int64"),
                        ("title", "string"),
                        ("source", "string"),
                        ("url", "string"),
                        ("published", "string"),
                        ("status", "string"),
                        ("schema_version", "int64"),
                    ],
                ),
            ),
            ("answer", "string"),
            ("_input_hash", "int64"),
            ("_task_hash", "int64"),
            ("_annotator_id", "string"),
            ("_session_id", "string"),
            ("_timestamp", "int64"),
        ]
    )


def card(columns: AttributeColumns, annotations: int, spans: int) -> str:
    """The text of ``README.md``: front matter with the features, then a short description."""
    meta = {
        "configs": [{"config_name": "default", "data_files": [{"split": "train", "path": DATA_FILE}]}],
        "dataset_info": {"features": features(columns)},
        "tags": ["newsmark", "ner", "span-annotation"],
    }
    return (
        f"---\n{json.dumps(meta, indent=1)}\n---\n\n"
        "# newsmark export\n\n"
        f"{annotations} annotation(s) with {spans} span(s), one Prodigy-style task per line in "
        f"`{DATA_FILE}` (newsmark's JSONL line schema, version {SCHEMA_VERSION}). Load it with "
        '`datasets.load_dataset("path/to/this/folder")`: the features above fix every '
        "column's type.\n"
    )
