"""The brat export: a folder brat can open as a collection, standoff files per annotation.

    <article_id>-<annotator>.txt   the article text exactly (CRLF and all, UTF-8)
    <article_id>-<annotator>.ann   T (entity), A (choice attribute) and
                                   #  (AnnotatorNotes: the other attributes) lines
    annotation.conf                labels, attributes and their values, and
                                   <OVERLAP> so brat accepts overlapping spans
    visual.conf                    each label's schema colour

One pair of files per annotation (one annotator's work on one article), so
that two annotators' spans on one article stay apart. Offsets count code points in the ``.txt``, as brat
reads it (a Python ``str``), end exclusive. A ``.ann`` entity cannot cross a
line (its text would break the line it is written on): a span over a line
break is written as a discontinuous one, a fragment per line, its text the
fragments' joined by a space, as brat itself does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from annotations.export import ExportReport, Filters, chosen_annotations
from annotations.export.formats import ExportFormat, ExportOptions
from annotations.export.output import atomic_dir, files_named
from annotations.labels import LabelSchema, default_schema
from annotations.model import Annotation, SpanData
from annotations.storage import Store

# Every character str.splitlines breaks at: a reader that splits the .ann the
# same way (brat opens it with codecs, which does) must never see one in a field.
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_LINE = re.compile(f"[^{re.escape(LINE_BREAKS)}]+")
_FIELD_BREAKS = re.compile(f"[\t{re.escape(LINE_BREAKS)}]")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")
_WHITESPACE = re.compile(r"\s+")
NAME_MAX = 100  # characters of the annotator in a file name: well inside 255 bytes


def export(store: Store, filters: Filters, target: str, options: ExportOptions) -> ExportReport:
    """Write the chosen work into the folder ``target``, which appears only when complete."""
    with atomic_dir(target, replaceable=earlier_export) as folder:
        return write(store, filters, folder)


def earlier_export(path: Path) -> bool:
    """``path`` holds only what a brat export writes: ``.ann`` files, each ``.txt`` beside its
    ``.ann``, and the two ``.conf`` files (a folder of plain ``.txt`` articles is not one)."""
    names = {p.name for p in path.iterdir()} if path.is_dir() else set()
    return files_named(
        path,
        lambda name: (
            name in ("annotation.conf", "visual.conf")
            or name.endswith(".ann")
            or (name.endswith(".txt") and f"{name[:-4]}.ann" in names)
        ),
    )


def write(store: Store, filters: Filters, folder: Path) -> ExportReport:
    """Write the chosen work into ``folder`` (empty; the caller renames it into place)."""
    schema = default_schema()
    report = ExportReport()
    used: set[str] = set()
    labels: dict[str, None] = {}  # every label written, in order of first use
    seen: dict[str, set[str]] = {}  # choice attribute -> values written
    for ann in chosen_annotations(store, filters, report):
        stem = _stem(ann, report.annotations, used)
        with open(folder / f"{stem}.txt", "w", encoding="utf-8", newline="") as out:
            out.write(ann.text)
        lines, written = ann_lines(ann.text, ann.spans, schema, labels, seen)
        with open(folder / f"{stem}.ann", "w", encoding="utf-8", newline="") as out:
            out.writelines(line + "\n" for line in lines)
        report.annotations += 1
        report.spans += written
        report.files.append(f"{stem}.txt")
    (folder / "annotation.conf").write_text(annotation_conf(schema, labels, seen), "utf-8")
    (folder / "visual.conf").write_text(visual_conf(schema, labels), "utf-8")
    return report


def safe_name(annotator: str) -> str:
    """The annotator as a file name part: no path separators, spaces or surprises."""
    return _UNSAFE_NAME.sub("_", annotator)[:NAME_MAX] or "_"


def _stem(ann: Annotation, index: int, used: set[str]) -> str:
    """A file stem no other annotation has, even on a case-insensitive file system.

    Two annotators can make the same safe name ("a b" and "a_b"): the later one
    gets a number.
    """
    article = ann.article_id if ann.article_id is not None else f"doc{index + 1}"
    base = f"{article}-{safe_name(ann.annotator)}"
    stem, n = base, 1
    while stem.casefold() in used:
        n += 1
        stem = f"{base}-{n}"
    used.add(stem.casefold())
    return stem


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``text[start:end]`` as (start, end) pieces without line breaks or edge whitespace.

    A span within one line is itself, untouched; one over line breaks is a
    piece per line, trimmed, blank pieces left out (none at all: a span of
    nothing but whitespace, which brat cannot show).
    """
    piece = text[start:end]
    if not any(c in LINE_BREAKS for c in piece):
        return [(start, end)]
    out = []
    for line in _LINE.finditer(piece):
        words = line.group()
        lead = len(words) - len(words.lstrip())
        trail = len(words) - len(words.rstrip())
        if lead + trail < len(words):
            out.append((start + line.start() + lead, start + line.end() - trail))
    return out


def ann_lines(
    text: str,
    spans: Sequence[SpanData],
    schema: LabelSchema,
    labels: dict[str, None] | None = None,
    seen: dict[str, set[str]] | None = None,
) -> tuple[list[str], int]:
    """(the ``.ann`` lines for these spans; how many spans they hold).

    ``labels`` and ``seen`` collect the labels and choice values written, for
    ``annotation.conf``. A span brat cannot hold (offsets outside the text,
    only whitespace over a line break) is left out.
    """
    labels = {} if labels is None else labels
    seen = {} if seen is None else seen
    lines: list[str] = []
    t = a = n = 0
    for span in spans:
        if not 0 <= span.start < span.end <= len(text):
            continue
        pieces = fragments(text, span.start, span.end)
        if not pieces:
            continue
        t += 1
        label = type_name(span.label)
        labels.setdefault(label, None)
        offsets = ";".join(f"{s} {e}" for s, e in pieces)
        lines.append(f"T{t}\t{label} {offsets}\t{' '.join(text[s:e] for s, e in pieces)}")
        found = schema.get(span.label)
        notes = []
        for name, value in span.attributes.items():
            if value is None or value == "":
                continue
            attribute = found.attribute(name) if found is not None else None
            if attribute is not None and attribute.type == "choice":
                a += 1
                shown = type_name(_plain(value))
                seen.setdefault(type_name(name), set()).add(shown)
                lines.append(f"A{a}\t{type_name(name)} T{t} {shown}")
            else:
                notes.append(f"{name}={_plain(value)}")
        if notes:
            n += 1
            lines.append(f"#{n}\tAnnotatorNotes T{t}\t{_field('; '.join(notes))}")
    return lines, t


def type_name(name: str) -> str:
    """A label, attribute or value as brat needs it: one space-free word."""
    return _WHITESPACE.sub("_", name.strip()) or "_"


def _plain(value: Any) -> str:
    """An attribute value as text: strings as they are, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _field(value: str) -> str:
    """A value fit for one tab-separated field of one line."""
    return _FIELD_BREAKS.sub(" ", value)


def annotation_conf(
    schema: LabelSchema, labels: Iterable[str] = (), seen: Mapping[str, Iterable[str]] | None = None
) -> str:
    """brat's ``annotation.conf``: every schema label and every label written.

    Each choice attribute is one brat attribute (brat's names are global, so
    an attribute several labels share takes all of them and all their values),
    with any value found in the spans that the schema does not list.
    """
    entities = dict.fromkeys(type_name(label.name) for label in schema.labels)
    entities.update(dict.fromkeys(labels))
    args: dict[str, dict[str, None]] = {}
    values: dict[str, dict[str, None]] = {}
    for label in schema.labels:
        for attribute in label.attributes:
            if attribute.type != "choice":
                continue
            name = type_name(attribute.name)
            args.setdefault(name, {})[type_name(label.name)] = None
            values.setdefault(name, {}).update(dict.fromkeys(map(type_name, attribute.values)))
    for name, found in (seen or {}).items():
        if name in values:
            values[name].update(dict.fromkeys(sorted(found)))
    lines = [
        "[entities]",
        *entities,
        "",
        "[relations]",
        "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>",
        "",
        "[events]",
        "",
        "[attributes]",
    ]
    lines += [f"{name}\tArg:{'|'.join(args[name])}, Value:{'|'.join(values[name])}" for name in args]
    return "\n".join(lines) + "\n"


def visual_conf(schema: LabelSchema, labels: Iterable[str] = ()) -> str:
    """brat's ``visual.conf``: the labels' schema colours (others keep brat's default)."""
    names = dict.fromkeys(type_name(label.name) for label in schema.labels)
    names.update(dict.fromkeys(labels))
    lines = ["[labels]", *(f"{name} | {name}" for name in names), "", "[drawing]"]
    lines += [f"{type_name(label.name)}\tbgColor:{label.colour}" for label in schema.labels if label.colour]
    return "\n".join(lines) + "\n"


FORMAT = ExportFormat(
    name="brat",
    description="a folder",
    writer=export,
    writes="folder",
    target="DIR",
)
