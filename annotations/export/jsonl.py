"""The JSONL export: one Prodigy-style task per line, per article and annotator.

    {"text": ..., "tokens": [{"text", "start", "end", "id", "ws"}, ...],
     "spans": [{"start", "end", "token_start", "token_end", "label", "text",
                "attributes"?}, ...],
     "meta": {"id", "title", "source", "url", "published"},
     "answer": "accept" | "ignore" | "reject",  (left out while in progress)
     "_input_hash", "_task_hash", "_annotator_id", "_session_id", "_timestamp"}

``accept`` is done or reviewed (a reviewer's annotation, under the reviewer's
name); read back, ``accept`` is done.

Speed: a 100,000-article export writes about 50 million tokens. Tokens are
encoded with msgspec (about three times faster than building dicts for the
standard ``json``), once per article however many annotators it has, and
batches of annotations are encoded in worker processes while the parent
writes them out in order (``bench/export_bench.py`` has the figures).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import datetime
from itertools import count
from multiprocessing import get_context
from typing import BinaryIO

import msgspec

from annotations.export import ExportReport, Filters, batches, export_keys
from annotations.export.tokens import doc_tokens
from annotations.model import Annotation, Status
from annotations.store import Store

ANSWERS = {Status.DONE: "accept", Status.REVIEWED: "accept", Status.SKIPPED: "ignore",
           Status.FLAGGED: "reject"}
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


class TaskSpan(msgspec.Struct, omit_defaults=True, gc=False):
    start: int
    end: int
    token_start: int
    token_end: int
    label: str
    text: str
    attributes: dict = {}


class Meta(msgspec.Struct):
    id: int | None
    title: str | None
    source: str | None
    url: str | None
    published: str | None


class Task(msgspec.Struct, kw_only=True, omit_defaults=True):
    text: str
    tokens: msgspec.Raw
    spans: list[TaskSpan]
    meta: Meta
    answer: str | None = None
    input_hash: int = msgspec.field(name="_input_hash")
    task_hash: int = msgspec.field(name="_task_hash")
    annotator_id: str = msgspec.field(name="_annotator_id")
    session_id: str = msgspec.field(name="_session_id")
    timestamp: int = msgspec.field(name="_timestamp")


def hash32(data: str) -> int:
    """A stable signed 32-bit hash, the size Prodigy's hashes have."""
    return int.from_bytes(hashlib.blake2b(data.encode("utf-8"), digest_size=4).digest(), "big",
                          signed=True)


def epoch_seconds(stamp: str) -> int:
    return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()) if stamp else 0


class Encoder:
    """Annotations to JSON lines; remembers the last article's tokens for its other annotators."""

    def __init__(self) -> None:
        self._json = msgspec.json.Encoder()
        self._last: tuple[int | None, str, msgspec.Raw, object] | None = None

    def line(self, ann: Annotation) -> tuple[bytes, int]:
        """(the line, with its newline; how many spans it holds)."""
        tokens, raw = self._tokens(ann)
        spans = []
        for span in ann.spans:
            first, last = tokens.token_range(span.start, span.end)
            spans.append(TaskSpan(span.start, span.end, first, last, span.label, span.text,
                                  dict(span.attributes)))
        input_hash = hash32(ann.text)
        task_key = ";".join(f"{s.start},{s.end},{s.label}" for s in ann.spans)
        task = Task(
            text=ann.text, tokens=raw, spans=spans,
            meta=Meta(ann.article_id, ann.title, ann.source, ann.url, ann.published),
            answer=ANSWERS.get(ann.status), input_hash=input_hash,
            task_hash=hash32(f"{input_hash}|{task_key}"), annotator_id=ann.annotator,
            session_id=SESSION_PREFIX + ann.annotator, timestamp=epoch_seconds(ann.updated_at),
        )
        return self._json.encode(task) + b"\n", len(spans)

    def _tokens(self, ann: Annotation):  # -> (DocTokens, Raw)
        last = self._last
        if last is not None and last[0] == ann.article_id and last[1] is ann.text:
            tokens = last[3]
            if all(tokens.aligned(s.start, s.end) for s in ann.spans):  # type: ignore[attr-defined]
                return tokens, last[2]
        tokens = doc_tokens(ann.text, ann.spans)
        raw = msgspec.Raw(self._json.encode(list(map(
            Token, tokens.words, tokens.starts, tokens.ends, count(), map(bool, tokens.spaces)))))
        self._last = (ann.article_id, ann.text, raw, tokens)
        return tokens, raw


def write(store: Store, filters: Filters, out: BinaryIO, *, workers: int | None = None) -> ExportReport:
    """Write the chosen work to ``out``, in article then annotator order."""
    keys = export_keys(store, filters)
    report = keys.report(ExportReport())
    if workers is None:  # $NEWSMARK_EXPORT_WORKERS, else one per core (at most 4)
        workers = int(os.environ.get(WORKERS_ENV) or min(4, os.cpu_count() or 1))
    if workers > 1 and len(keys) >= PARALLEL_MIN:
        chunks = _parallel(str(store.path), keys, filters.labels, workers)
    else:
        encoder = Encoder()
        chunks = (_encode(encoder, store.export_annotations(c, labels=filters.labels))
                  for c in batches(keys))
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


def _init_worker(db_path: str, labels: tuple[str, ...]) -> None:
    global _worker
    _worker = (Store(db_path), Encoder(), labels)


def _work(keys: Sequence[tuple[int, int, str, str, str]]) -> tuple[bytes, int, int]:
    assert _worker is not None
    store, encoder, labels = _worker
    return _encode(encoder, store.export_annotations(keys, labels=labels))


def _parallel(db_path: str, keys: Sequence[tuple[int, int, str, str, str]],
              labels: tuple[str, ...], workers: int) -> Iterator[tuple[bytes, int, int]]:
    context = get_context("fork") if os.name == "posix" else get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                             initargs=(db_path, labels)) as pool:
        pending: list[Future[tuple[bytes, int, int]]] = []
        for chunk in batches(keys):
            pending.append(pool.submit(_work, chunk))
            if len(pending) >= 2 * workers:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()
