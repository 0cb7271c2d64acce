"""What every part of the export shares: which work (:class:`Filters`), what was
written (:class:`ExportReport`), and the error of an export that cannot be made.

Apart from the package's ``__init__`` so that the format registry
(:mod:`.formats`) names them without importing the package that looks formats up.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Filters:
    """Which work to export. Empty ``annotators``/``labels``: all of them.

    ``statuses=None`` is everything (``--status all``); ``()`` (the default) is
    the format's finished work, :func:`~annotations.export.default_statuses` (:func:`~annotations.export.export` fills
    it in; the store's readers take it as done and reviewed). ``since`` is ISO
    8601 UTC. ``reviewed``: at most one annotation per article, the reviewed
    one where there is one (see :func:`~annotations.export.export_keys`).
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


class ExportError(Exception):
    """An export that cannot be made as asked (a missing extra, a bad target)."""
