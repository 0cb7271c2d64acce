"""What the readers of annotation files share (:mod:`.jsonl`, :mod:`.doccano`, :mod:`.labelstudio`).

The article ``meta`` record, the reading of a JSONL file a line at a time, the
check of a span against the text (offsets inside it, its quoted ``text`` the
text at its offsets), and :func:`imported_status`: a reviewer's annotation
(JSONL ``accept``, doccano ``"status": "reviewed"``) is imported as done, under
the name in the file. Status ``reviewed`` is made only by ``newsmark review``
in the database itself, so importing an export never turns anyone's work into
a review. Which file is which, and which reader reads it, is
:mod:`annotations.corpus.annotation_files`'s.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from annotations.input_files import DEFAULT_MAX_SIZE as MAX_LINE
from annotations.input_files import open_regular, read_line, too_large_reason
from annotations.model import Annotation, Problem, SpanData, Status

Record = TypeVar("Record")


class InMeta(msgspec.Struct, frozen=True):
    """An article's ``meta`` as the exports write it (Label Studio: ``data.meta``)."""

    id: Any = None
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None
    status: str | None = None  # our JSONL's meta.status (schema_version 1 on)


def read_json_lines(
    path: str | Path,
    record: type[Record],
    annotation: Callable[[Record], Annotation],
    max_size: int | None = None,
) -> Iterator[Annotation | Problem]:
    """Each non-blank line of a JSONL file decoded as ``record`` and made an Annotation,
    or the Problem of that line (a first line's byte order mark is passed over; a line
    over ``max_size`` bytes is refused unread)."""
    decoder = msgspec.json.Decoder(record)
    origin = str(path)
    limit = max_size or MAX_LINE
    with open_regular(path) as lines:
        number = 0
        while (line := read_line(lines, limit)) is not None:
            number += 1
            if isinstance(line, int):
                yield Problem(origin, too_large_reason(line, limit, "line"), number)
                continue
            if not line.strip():
                continue
            try:
                decoded = _decode(
                    decoder, record, line.removeprefix(b"\xef\xbb\xbf") if number == 1 else line
                )
                yield annotation(decoded)
            except RecursionError:
                yield Problem(origin, "JSON nested too deeply", number)
            except (msgspec.DecodeError, ValueError, OverflowError) as exc:
                yield Problem(origin, str(exc), number)


def _decode(decoder: msgspec.json.Decoder[Record], record: type[Record], line: bytes) -> Record:
    """One line as ``record``. msgspec refuses a lone surrogate escape (``"\\ud800"``, which
    it calls truncated input); Python's json reads it, and import replaces it with U+FFFD
    (:mod:`annotations.corpus.controls`), as it does in every other input."""
    try:
        return decoder.decode(line)
    except msgspec.ValidationError:
        raise
    except msgspec.DecodeError as exc:
        try:
            value = json.loads(line)
        except (ValueError, RecursionError):
            raise exc from None
        return msgspec.convert(value, record)


def imported_status(value: str, field: str) -> Status:
    """The status a file's ``field`` names; ``reviewed`` is done (as JSONL's "accept":
    imported work is done, never reviewed). ``ValueError`` for an unknown one."""
    try:
        found = Status(value)
    except ValueError:
        raise ValueError(f"unknown {field} {value!r}") from None
    return Status.DONE if found is Status.REVIEWED else found


def article_id(meta: InMeta) -> int | None:
    """The article id a record names, if it is a whole number (import keeps it when free)."""
    return meta.id if isinstance(meta.id, int) and not isinstance(meta.id, bool) else None


def annotation(
    text: str,
    name: str | None,
    status: Status,
    updated: str,
    spans: list[SpanData],
    meta: InMeta,
    *,
    ours: bool = False,
) -> Annotation:
    """A record's Annotation; ``ValueError`` when neither the file nor ``--annotator`` names one.
    ``ours``: newsmark wrote the record (see ``Annotation.attributes_as_written``)."""
    if not name:
        raise ValueError("no annotator in the file: name one with --annotator")
    return Annotation(
        article_id(meta),
        text,
        name,
        status,
        updated,
        spans,
        meta.title,
        meta.source,
        meta.url,
        meta.published,
        attributes_as_written=ours,
    )


def checked_span(
    text: str, start: int, end: int, label: str, quoted: str | None, attributes: dict[str, Any]
) -> SpanData:
    """A span read from a file, checked against the text: inside it, a label, and its
    quoted ``text`` (if any) the text at its offsets."""
    if not 0 <= start < end <= len(text):
        raise ValueError(f"span {start}:{end} is outside the text (length {len(text)})")
    if not label.strip():
        raise ValueError(f"span {start}:{end} has an empty label")
    actual = text[start:end]
    if quoted is not None and quoted != actual:
        raise ValueError(f"span {start}:{end} says its text is {quoted!r}, but the text there is {actual!r}")
    return SpanData(start, end, label, actual, attributes)
