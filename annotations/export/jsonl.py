"""The JSONL export: one Prodigy-style task per line, per article and annotator.

    {"text": ..., "tokens": [{"text", "start", "end", "id", "ws"}, ...],
     "spans": [{"start", "end", "token_start", "token_end", "label", "text",
                "attributes": {every attribute key, null where unset}}, ...],
     "meta": {"id", "title", "source", "url", "published", "status", "schema_version"},
     "answer": "accept" | "ignore" | "reject",
     "_input_hash", "_task_hash", "_annotator_id", "_session_id", "_timestamp"}

Every line has the same keys, and every span's ``attributes`` the same keys
(:class:`.line_schema.AttributeColumns`): Arrow, and so Hugging Face ``datasets``, infers
one schema for the whole file instead of falling back to JSON strings.

``accept`` is done or reviewed (a reviewer's annotation, under the reviewer's
name); ``ignore`` is skipped, and also unfinished work (``--status
in_progress``), which ``meta.status`` tells apart: no consumer may read
unfinished work as accepted (Prodigy's ``db-in`` fills a missing answer with
``accept``). Read back, ``meta.status`` gives the status again, and without it
``accept`` is done. The import (:func:`read`) takes these files and Prodigy's:
a line without ``meta.status`` and without an ``answer`` is unfinished work.

A target ending in ``/`` or naming a folder is a Hugging Face dataset folder:
``train.jsonl`` and a dataset card (:mod:`.hf_card`).

Speed: a 100,000-article export writes about 50 million tokens. Tokens are
encoded with msgspec (about three times faster than building dicts for the
standard ``json``), once per article however many annotators it has when
their spans need no cut of their own, and batches of annotations are encoded
in worker processes while the parent writes them out in order
(``bench/export_bench.py`` has the figures).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import msgspec

if TYPE_CHECKING:
    from concurrent.futures import Future

from annotations.export import ExportReport, Filters, batches, export_keys
from annotations.export.formats import ExportFormat, ExportOptions, ImportOptions
from annotations.export.line_schema import SCHEMA_VERSION, AttributeColumns, attribute_columns
from annotations.export.output import atomic_dir, atomic_file, files_named, json_controls_escaped
from annotations.export.reading import (
    InMeta,
    annotation,
    checked_span,
    imported_status,
    read_json_lines,
)
from annotations.export.tokens import DocTokens, doc_tokens, fit_tokens
from annotations.labels import LabelSchema
from annotations.model import Annotation, Problem, SpanData, Status
from annotations.storage import Store, now, stamp

ANSWERS = {
    Status.DONE: "accept",
    Status.REVIEWED: "accept",
    Status.SKIPPED: "ignore",
    Status.FLAGGED: "reject",
    Status.IN_PROGRESS: "ignore",
    Status.NEW: "ignore",
}
# Not the inverse of ANSWERS: ``accept`` is read back as done, never reviewed. An
# import is an annotator's work coming in; a reviewer's settled annotation is made
# by ``newsmark review`` in this database, not by importing a file.
STATUS_OF_ANSWER = {"accept": Status.DONE, "ignore": Status.SKIPPED, "reject": Status.FLAGGED}
SESSION_PREFIX = "newsmark-"
WORKERS_ENV = "NEWSMARK_EXPORT_WORKERS"
PARALLEL_MIN = 2000  # fewer annotations than this: not worth starting processes


class Token(msgspec.Struct, gc=False):  # no cycles: skip the GC's tracking
    text: str
    start: int
    end: int
    id: int
    ws: bool


class TaskSpan(msgspec.Struct, gc=False):
    start: int
    end: int
    token_start: int
    token_end: int
    label: str
    text: str
    attributes: dict[str, Any]


class Meta(msgspec.Struct):
    id: int | None
    title: str | None
    source: str | None
    url: str | None
    published: str | None
    status: str
    schema_version: int = SCHEMA_VERSION


class Task(msgspec.Struct, kw_only=True):
    text: str
    tokens: msgspec.Raw
    spans: list[TaskSpan]
    meta: Meta
    answer: str
    input_hash: int = msgspec.field(name="_input_hash")
    task_hash: int = msgspec.field(name="_task_hash")
    annotator_id: str = msgspec.field(name="_annotator_id")
    session_id: str = msgspec.field(name="_session_id")
    timestamp: int = msgspec.field(name="_timestamp")


def hash32(data: str) -> int:
    """A stable signed 32-bit hash, the size Prodigy's hashes have."""
    return int.from_bytes(hashlib.blake2b(data.encode("utf-8"), digest_size=4).digest(), "big", signed=True)


def epoch_seconds(stamp: str) -> int:
    return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()) if stamp else 0


class Encoder:
    """Annotations to JSON lines.

    It remembers the last article's plain tokens (cut nowhere) and reuses them
    for that article's other annotators whose spans all line up with them;
    an annotation whose spans cut a token gets tokens of its own, so every
    line's tokens are exactly ``doc_tokens(text, its spans)``.
    """

    def __init__(self, columns: AttributeColumns | None = None) -> None:
        self._json = msgspec.json.Encoder()
        self._columns = columns or AttributeColumns()
        self._last: tuple[int | None, str, msgspec.Raw | None, DocTokens] | None = None

    def line(self, ann: Annotation) -> tuple[bytes, int]:
        """(the line, with its newline; how many spans it holds)."""
        tokens, raw = self._tokens(ann)
        spans = []
        of = self._columns.of
        for span in ann.spans:
            first, last = tokens.token_range(span.start, span.end)
            spans.append(
                TaskSpan(span.start, span.end, first, last, span.label, span.text, of(span.attributes))
            )
        input_hash = hash32(ann.text)
        task_key = ";".join(f"{s.start},{s.end},{s.label}" for s in ann.spans)
        task = Task(
            text=ann.text,
            tokens=raw,
            spans=spans,
            meta=Meta(ann.article_id, ann.title, ann.source, ann.url, ann.published, ann.status.value),
            answer=ANSWERS[ann.status],
            input_hash=input_hash,
            task_hash=hash32(f"{input_hash}|{task_key}"),
            annotator_id=ann.annotator,
            session_id=SESSION_PREFIX + ann.annotator,
            timestamp=epoch_seconds(ann.updated_at),
        )
        return json_controls_escaped(self._json.encode(task)) + b"\n", len(spans)

    def _tokens(self, ann: Annotation) -> tuple[DocTokens, msgspec.Raw]:
        last = self._last
        if last is None or last[0] != ann.article_id or last[1] is not ann.text:
            last = self._last = (ann.article_id, ann.text, None, doc_tokens(ann.text))
        plain = last[3]
        tokens = fit_tokens(ann.text, plain, ann.spans)
        if tokens is not plain:  # this annotation's own cuts: not shared
            return tokens, self._encode_tokens(tokens)
        raw = last[2]
        if raw is None:  # encoded once, when first written
            raw = self._encode_tokens(plain)
            self._last = (last[0], last[1], raw, plain)
        return plain, raw

    def _encode_tokens(self, tokens: DocTokens) -> msgspec.Raw:
        return msgspec.Raw(
            self._json.encode(
                list(map(Token, tokens.words, tokens.starts, tokens.ends, count(), map(bool, tokens.spaces)))
            )
        )


def write(
    store: Store,
    filters: Filters,
    out: BinaryIO,
    *,
    workers: int | None = None,
    schema: LabelSchema | None = None,
    columns: AttributeColumns | None = None,
) -> ExportReport:
    """Write the chosen work to ``out``, in article then annotator order.

    ``schema`` gives the attribute keys of every span (default: the packaged
    one), or ``columns`` when the caller has them already.
    """
    keys = export_keys(store, filters)
    report = keys.report(ExportReport())
    columns = columns or attribute_columns(store, schema)
    if workers is None:  # $NEWSMARK_EXPORT_WORKERS, else one per core (at most 4)
        workers = int(os.environ.get(WORKERS_ENV) or min(4, os.cpu_count() or 1))
    if workers > 1 and len(keys) >= PARALLEL_MIN:
        chunks = _parallel(str(store.path), keys, filters.labels, workers, columns)
    else:
        encoder = Encoder(columns)
        chunks = (_encode(encoder, store.export_annotations(c, labels=filters.labels)) for c in batches(keys))
    for data, lines, spans in chunks:
        out.write(data)
        report.annotations += lines
        report.spans += spans
    return report


def _encode(encoder: Encoder, anns: Sequence[Annotation]) -> tuple[bytes, int, int]:
    lines = []
    spans = 0
    for ann in anns:
        line, n = encoder.line(ann)
        lines.append(line)
        spans += n
    return b"".join(lines), len(lines), spans


# -- worker processes ------------------------------------------------------------
#
# Each worker opens its own connection (SQLite connections do not cross
# processes) and turns a batch of keys into bytes; the parent keeps a few
# batches in flight and writes the results in order, so memory stays bounded
# whatever the size of the export.

_worker: tuple[Store, Encoder, tuple[str, ...]] | None = None


def _init_worker(db_path: str, labels: tuple[str, ...], columns: AttributeColumns) -> None:
    global _worker
    _worker = (Store(db_path), Encoder(columns), labels)


def _work(keys: Sequence[tuple[int, int, str, str, str]]) -> tuple[bytes, int, int]:
    assert _worker is not None
    store, encoder, labels = _worker
    return _encode(encoder, store.export_annotations(keys, labels=labels))


def _parallel(
    db_path: str,
    keys: Sequence[tuple[int, int, str, str, str]],
    labels: tuple[str, ...],
    workers: int,
    columns: AttributeColumns,
) -> Iterator[tuple[bytes, int, int]]:
    # Imported here: the process pool costs 15 ms to import, and only a big export uses it.
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    context = get_context("fork") if os.name == "posix" else get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=(db_path, labels, columns)
    ) as pool:
        pending: list[Future[tuple[bytes, int, int]]] = []
        for chunk in batches(keys):
            pending.append(pool.submit(_work, chunk))
            if len(pending) >= 2 * workers:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()


# -- the format -------------------------------------------------------------------


def export(store: Store, filters: Filters, target: str, options: ExportOptions) -> ExportReport:
    """Write the chosen work to the file ``target`` (``-``: standard output), or to a
    Hugging Face dataset folder when ``target`` ends in ``/`` or is a folder."""
    if target != "-" and (target.endswith(("/", os.sep)) or os.path.isdir(target)):
        from annotations.export import hf_card

        # train.jsonl and a Hugging Face dataset card, in place of a folder holding only those
        ours = (hf_card.DATA_FILE, hf_card.CARD_FILE)
        with atomic_dir(target, lambda path: files_named(path, ours.__contains__)) as folder:
            attributes = attribute_columns(store, options.schema)
            with (folder / hf_card.DATA_FILE).open("wb") as out:
                report = write(store, filters, out, columns=attributes)
            (folder / hf_card.CARD_FILE).write_text(
                hf_card.card(attributes, report.annotations, report.spans), "utf-8"
            )
            report.files = [hf_card.DATA_FILE, hf_card.CARD_FILE]
            return report
    with atomic_file(target) as out:
        return write(store, filters, out, schema=options.schema)


class InSpan(msgspec.Struct):
    start: int
    end: int
    label: str
    text: str | None = None
    attributes: dict[str, Any] = {}


class InTask(msgspec.Struct):
    text: str
    spans: list[InSpan] = []
    meta: InMeta = InMeta()
    answer: str | None = None
    annotator_id: str | None = msgspec.field(default=None, name="_annotator_id")
    timestamp: float | None = msgspec.field(default=None, name="_timestamp")


def read(path: str | Path, options: ImportOptions) -> Iterator[Annotation | Problem]:
    """Each task of a JSONL file (ours or Prodigy's) as an Annotation, or the Problem of its line."""
    return read_json_lines(
        path, InTask, lambda task: _task_annotation(task, options.annotator), options.max_size
    )


def _task_annotation(task: InTask, annotator: str | None) -> Annotation:
    text = task.text
    spans: list[SpanData] = [
        checked_span(
            text, s.start, s.end, s.label, s.text, {k: v for k, v in s.attributes.items() if v is not None}
        )
        for s in task.spans
    ]
    status = _task_status(task.answer, task.meta.status)
    ours = task.meta.status is not None  # meta.status: our JSONL's, from schema_version 1 on
    return annotation(
        text, annotator or task.annotator_id, status, _stamp(task.timestamp), spans, task.meta, ours=ours
    )


def _task_status(answer: str | None, status: str | None) -> Status:
    """A task's status: ``meta.status`` where our export wrote it, else from ``answer``.

    No answer at all is work in progress (an older export's unfinished work);
    ``reviewed`` comes back as done (see :func:`imported_status`).
    """
    if answer is not None and answer not in STATUS_OF_ANSWER:
        raise ValueError(f"unknown answer {answer!r}: accept, ignore or reject")
    if status is not None:
        return imported_status(status, "meta.status")
    return Status.IN_PROGRESS if answer is None else STATUS_OF_ANSWER[answer]


def _stamp(seconds: float | None) -> str:
    if seconds is None:
        return now()
    try:
        return stamp(datetime.fromtimestamp(seconds, UTC))
    except (OverflowError, OSError, ValueError):  # out of the range a date can have
        raise ValueError(f"_timestamp {seconds!r} is not a time (seconds since 1970)") from None


FORMAT = ExportFormat(
    name="jsonl",
    description="Prodigy-style tasks: tokens, spans, attributes",
    writer=export,
    writes="file-or-folder",
    target="FILE or DIR/",
    answers=True,
    options=("schema",),
    reader=read,
)
