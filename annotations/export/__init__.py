"""``newsmark export``: saved annotations as training data, one module per format.

The formats (jsonl, doccano, labelstudio, brat, conll, spacy) are registered in
:mod:`.formats`: each format module declares its entry (writer, reader,
extra), and :func:`export` looks the writer up there.

Every format reads the same stream of :class:`~annotations.model.Annotation`
(one annotator's work on one article) chosen by :class:`Filters` in
:func:`export_keys` (with ``Filters.reviewed``: one per article, the reviewed
one where there is one), and the same
tokens (:mod:`.tokens`). Files are written under a temporary name and renamed
(:mod:`.output`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from annotations.export.selection import reviewed_keys
from annotations.export.types import ExportError as ExportError  # the package's public names
from annotations.export.types import ExportReport as ExportReport
from annotations.export.types import Filters as Filters
from annotations.labels import LabelSchema
from annotations.model import Annotation, Status
from annotations.storage import ExportKey, Store, stamp

STATUS_CHOICES = ("done", "reviewed", "skipped", "flagged", "in_progress", "all")
REVIEWED_STATUSES = (Status.DONE.value, Status.REVIEWED.value)  # --status with --reviewed
# Finished work: what an export holds unless --status says otherwise. Formats that
# say each record's answer (accept / ignore / reject) take all of it; the others
# cannot tell a skipped article from one with no entities, so they take only the
# accepted work (done and reviewed), never a skipped page as a negative example.
FINISHED_STATUSES = (Status.DONE.value, Status.REVIEWED.value, Status.SKIPPED.value, Status.FLAGGED.value)
ACCEPTED_STATUSES = REVIEWED_STATUSES


def __getattr__(name: str) -> Any:
    """``FORMATS`` (the format names, in order) and ``ANSWER_FORMATS`` (those whose records
    say their answer), read from the registry (:mod:`.formats`) on first use, so that
    importing this package imports no format module."""
    from annotations.export.formats import names, registry

    if name == "FORMATS":
        return names()
    if name == "ANSWER_FORMATS":
        return frozenset(f.name for f in registry().values() if f.answers)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def default_statuses(fmt: str, reviewed: bool = False) -> tuple[str, ...]:
    """The statuses ``fmt`` exports when none are asked for (see :data:`FINISHED_STATUSES`)."""
    from annotations.export.formats import FORMAT_MODULES, get

    if reviewed or fmt not in FORMAT_MODULES or not get(fmt).answers:
        return ACCEPTED_STATUSES
    return FINISHED_STATUSES


BATCH = 200  # annotations read per query round


def parse_since(value: str) -> str:
    """A date or date-time (naive means UTC) as the store's timestamp format."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"not a date or date-time: {value!r} (use e.g. 2026-11-01 or 2026-11-01T09:30)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return stamp(moment)


class ExportKeys(list[ExportKey]):
    """The keys of the work to export, with the counts of articles ``--reviewed`` left out."""

    left_out: int = 0
    left_out_unfinished: int = 0

    def report(self, report: ExportReport) -> ExportReport:
        """``report`` with these counts of articles left out."""
        report.left_out, report.left_out_unfinished = self.left_out, self.left_out_unfinished
        return report


def export_keys(store: Store, filters: Filters) -> ExportKeys:
    """(article id, annotator id, annotator, status, status time) of the work to export.

    The one place the work is chosen, for every format: with ``filters.reviewed``,
    at most one annotation per article (:func:`annotations.export.selection.reviewed_keys`).
    """
    statuses = ACCEPTED_STATUSES if filters.statuses == () else filters.statuses
    if not filters.reviewed:
        return ExportKeys(
            store.export_keys(annotators=filters.annotators, statuses=statuses, since=filters.since)
        )
    chosen, left_out, unfinished = reviewed_keys(
        store, annotators=filters.annotators, statuses=statuses, labels=filters.labels, since=filters.since
    )
    keys = ExportKeys(chosen)
    keys.left_out, keys.left_out_unfinished = left_out, unfinished
    return keys


def batches(
    keys: Sequence[tuple[int, int, str, str, str]], size: int | None = None
) -> Iterator[Sequence[tuple[int, int, str, str, str]]]:
    size = size or BATCH
    for lo in range(0, len(keys), size):
        yield keys[lo : lo + size]


def chosen_annotations(
    store: Store, filters: Filters, report: ExportReport | None = None
) -> Iterator[Annotation]:
    """The chosen work, one annotation at a time, read a batch at a time.

    ``report`` gets the counts of articles left out (``Filters.reviewed``).
    """
    keys = export_keys(store, filters)
    if report is not None:
        keys.report(report)
    for chunk in batches(keys):
        yield from store.export_annotations(chunk, labels=filters.labels)


def article_meta(ann: Annotation) -> dict[str, int | str | None]:
    """The article's ``meta`` as doccano and Label Studio records carry it."""
    return {
        "id": ann.article_id,
        "title": ann.title,
        "source": ann.source,
        "url": ann.url,
        "published": ann.published,
    }


def export(
    store: Store,
    fmt: str,
    target: str,
    filters: Filters,
    schema: LabelSchema | None = None,
    offsets: str = "utf16",
    shard_size: int | None = None,
    columns: int = 4,
) -> ExportReport:
    """Write the chosen work to ``target`` (a file, ``-`` for stdout, or a folder) in format ``fmt``.

    The writer is the registered format's (:mod:`.formats`); ``schema``,
    ``offsets``, ``shard_size`` and ``columns`` reach it as one
    :class:`~.formats.ExportOptions` (see there for what each means).
    """
    from annotations.export.formats import ExportOptions, get

    entry = get(fmt)
    if entry.writes == "folder" and target == "-":
        raise ExportError(f"{entry.name} writes a folder: give one with -o DIR")
    if filters.statuses == ():
        filters = replace(filters, statuses=default_statuses(fmt, filters.reviewed))
    options = ExportOptions(schema=schema, offsets=offsets, shard_size=shard_size, columns=columns)
    return entry.writer(store, filters, target, options)
