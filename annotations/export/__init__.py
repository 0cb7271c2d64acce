"""``newsmark export``: saved annotations as training data, one module per format.

- ``jsonl``: Prodigy's task shape (:mod:`.jsonl`), read by spaCy and Hugging
  Face loaders; the one format that keeps everything.
- ``doccano``: ``{"text", "label": [[start, end, label], ...]}``, UTF-16 offsets (:mod:`.doccano`).
- ``labelstudio``: a JSON list of Label Studio tasks, one per article (:mod:`.labelstudio`).
- ``brat``: a folder of ``.txt``/``.ann`` standoff files and ``annotation.conf`` (:mod:`.brat`).
- ``conll``: a token per line with a BIO tag, sentences apart (:mod:`.conll`).
- ``spacy``: ``.spacy`` DocBins, one file or a folder of shards (:mod:`.docbin`; spaCy is
  an optional extra).

Every format reads the same stream of :class:`~annotations.model.Annotation`
(one annotator's work on one article) chosen by :class:`Filters` in
:func:`export_keys` (with ``Filters.reviewed``: one per article, the reviewed
one where there is one), and the same
tokens (:mod:`.tokens`). Files are written under a temporary name and renamed
(:mod:`.output`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from annotations.labels import LabelSchema
from annotations.model import Annotation, Status
from annotations.storage import Store, stamp

FORMATS = ("jsonl", "doccano", "labelstudio", "brat", "conll", "spacy")
STATUS_CHOICES = ("done", "reviewed", "skipped", "flagged", "in_progress", "all")
REVIEWED_STATUSES = (Status.DONE.value, Status.REVIEWED.value)  # --status with --reviewed
# Finished work: what an export holds unless --status says otherwise. Formats that
# say each record's answer (accept / ignore / reject) take all of it; the others
# cannot tell a skipped article from one with no entities, so they take only the
# accepted work (done and reviewed), never a skipped page as a negative example.
FINISHED_STATUSES = (Status.DONE.value, Status.REVIEWED.value, Status.SKIPPED.value, Status.FLAGGED.value)
ACCEPTED_STATUSES = REVIEWED_STATUSES
ANSWER_FORMATS = frozenset({"jsonl", "doccano", "labelstudio"})


def default_statuses(fmt: str, reviewed: bool = False) -> tuple[str, ...]:
    """The statuses ``fmt`` exports when none are asked for (see :data:`FINISHED_STATUSES`)."""
    if reviewed or fmt not in ANSWER_FORMATS:
        return ACCEPTED_STATUSES
    return FINISHED_STATUSES


BATCH = 200  # annotations read per query round


@dataclass(frozen=True, slots=True)
class Filters:
    """Which work to export. Empty ``annotators``/``labels``: all of them.

    ``statuses=None`` is everything (``--status all``); ``()`` (the default) is
    the format's finished work, :func:`default_statuses` (:func:`export` fills
    it in; the store's readers take it as done and reviewed). ``since`` is ISO
    8601 UTC. ``reviewed``: at most one annotation per article, the reviewed
    one where there is one (see :meth:`Store.reviewed_export_keys`).
    """

    annotators: tuple[str, ...] = ()
    statuses: tuple[str, ...] | None = ()
    labels: tuple[str, ...] = ()
    since: str | None = None
    reviewed: bool = False


@dataclass(slots=True)
class ExportReport:
    """What an export wrote. ``dropped``: overlapping spans a format could not hold.

    With ``Filters.reviewed``, the articles left out: ``left_out``, done by
    several annotators who disagree and not reviewed yet; ``left_out_unfinished``,
    only unfinished work by several annotators, which differs.
    """

    annotations: int = 0
    spans: int = 0
    dropped: int = 0
    files: list[str] = field(default_factory=list)
    left_out: int = 0
    left_out_unfinished: int = 0


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


class ExportKeys(list):  # list[tuple[int, int, str, str, str]]
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
    at most one annotation per article (:meth:`Store.reviewed_export_keys`).
    """
    statuses = ACCEPTED_STATUSES if filters.statuses == () else filters.statuses
    if not filters.reviewed:
        return ExportKeys(
            store.export_keys(annotators=filters.annotators, statuses=statuses, since=filters.since)
        )
    chosen, left_out, unfinished = store.reviewed_export_keys(
        annotators=filters.annotators, statuses=statuses, labels=filters.labels, since=filters.since
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


def annotations(store: Store, filters: Filters, report: ExportReport | None = None) -> Iterator[Annotation]:
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


class ExportError(Exception):
    """An export that cannot be made as asked (a missing extra, a bad target)."""


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
    """Write the chosen work to ``target`` (a file, ``-`` for stdout, or a folder for brat).

    ``schema``: the label schema, whose attributes every JSONL span carries
    (default: the packaged one). ``offsets``: how doccano counts, ``utf16``
    (doccano's own) or ``codepoints`` (:mod:`.offsets`). ``shard_size``: docs
    per ``.spacy`` file (default :data:`.docbin.SHARD_SIZE`). ``columns``: CoNLL's
    4 (``token POS chunk NER``) or 2 (``token NER``).
    """
    from annotations.export.output import atomic_dir, atomic_file

    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    if filters.statuses == ():
        filters = replace(filters, statuses=default_statuses(fmt, filters.reviewed))
    if fmt == "brat":
        if target == "-":
            raise ExportError("brat writes a folder: give one with -o DIR")
        from annotations.export import brat

        with atomic_dir(target) as folder:
            return brat.write(store, filters, folder)
    if fmt == "spacy":
        from annotations.export import docbin

        docbin.require_spacy()
        return docbin.write(store, filters, target, shard_size or docbin.SHARD_SIZE)
    if fmt == "jsonl":
        from annotations.export import jsonl

        if target != "-" and (target.endswith(("/", os.sep)) or os.path.isdir(target)):
            from annotations.export import hf_card

            with atomic_dir(target) as folder:  # train.jsonl and a Hugging Face dataset card
                attributes = jsonl.attribute_columns(store, schema)
                with (folder / hf_card.DATA_FILE).open("wb") as out:
                    report = jsonl.write(store, filters, out, columns=attributes)
                (folder / hf_card.CARD_FILE).write_text(
                    hf_card.card(attributes, report.annotations, report.spans), "utf-8"
                )
                report.files = [hf_card.DATA_FILE, hf_card.CARD_FILE]
                return report
        with atomic_file(target) as out:
            return jsonl.write(store, filters, out, schema=schema)
    if fmt == "doccano":
        from annotations.export import doccano

        with atomic_file(target) as out:
            return doccano.write(store, filters, out, offsets=offsets)
    if fmt == "labelstudio":
        from annotations.export import labelstudio

        return labelstudio.export(store, filters, target, schema)
    from annotations.export import conll

    with atomic_file(target) as out:
        return conll.write(store, filters, out, columns=columns)
