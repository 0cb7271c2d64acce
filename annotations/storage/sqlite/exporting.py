"""Reading work out for export, and saving work read from annotation files.

Export reads in two steps so that it can stream and split the work: the keys
(which annotator's work on which article) first, then the articles and spans
for a batch of keys at a time. Which keys a reviewed export takes is export
policy, decided in :mod:`annotations.export.selection` from the reads here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from annotations.model import Annotation, AttributeKey, SpanData, Status, attribute_key
from annotations.storage.sqlite.annotators import Annotators
from annotations.storage.sqlite.articles import Articles
from annotations.storage.sqlite.connection import Database, marks
from annotations.storage.sqlite.rows import SPAN_INSERT, span_values
from annotations.storage.types import ExportKey, ImportResult

# (start, end, label, attributes) of each span of one annotator's work on one article.
SpanVersions = dict[tuple[int, int], list[tuple[int, int, str, AttributeKey]]]


class Exporting:
    """Bulk reads for export and review comparison; the import of annotations."""

    def __init__(self, db: Database, annotators: Annotators, articles: Articles) -> None:
        self.db = db
        self.annotators = annotators
        self.articles = articles

    def export_keys(
        self,
        *,
        annotators: Sequence[str] = (),
        statuses: Sequence[str] | None = ("done",),
        since: str | None = None,
    ) -> list[ExportKey]:
        """(article id, annotator id, annotator, status, status time) of the work to export.

        Ordered by article id, then annotator name. ``statuses=None`` takes
        everything, including spans an annotator left without a status
        (counted as in progress). ``since`` (ISO 8601, UTC) keeps the work
        changed at or after it: its status or any of its spans.
        """
        if statuses is None or Status.IN_PROGRESS.value in statuses:
            pairs = (
                "SELECT article_id, annotator_id FROM article_status"
                " UNION SELECT article_id, annotator_id FROM spans"
            )
        else:
            pairs = "SELECT article_id, annotator_id FROM article_status"
        sql = (
            "SELECT p.article_id, p.annotator_id, an.name,"
            f" coalesce(st.status, '{Status.IN_PROGRESS.value}'), coalesce(st.updated_at, '')"
            f" FROM ({pairs}) p JOIN annotators an ON an.id = p.annotator_id"
            " LEFT JOIN article_status st"
            "  ON st.article_id = p.article_id AND st.annotator_id = p.annotator_id"
            " WHERE 1"
        )
        params: list[Any] = []
        if annotators:
            sql += f" AND an.name IN ({marks(len(annotators))})"
            params += annotators
        if statuses is not None:
            sql += f" AND coalesce(st.status, '{Status.IN_PROGRESS.value}') IN ({marks(len(statuses))})"
            params += statuses
        if since is not None:
            sql += (
                " AND (st.updated_at >= ? OR EXISTS (SELECT 1 FROM spans s"
                "  WHERE s.article_id = p.article_id AND s.annotator_id = p.annotator_id"
                "  AND s.updated_at >= ?))"
            )
            params += (since, since)
        rows = self.db.conn.execute(sql + " ORDER BY p.article_id, an.name", params).fetchall()
        return list(map(ExportKey._make, rows))

    def attribute_names(self) -> list[str]:
        """Every attribute key any saved span has (the export gives every span them all)."""
        return [
            row[0]
            for row in self.db.conn.execute(
                "SELECT DISTINCT j.key FROM spans, json_each(spans.attributes) j"
                " WHERE spans.attributes <> '{}' ORDER BY 1"
            )
        ]

    def export_annotations(
        self, keys: Sequence[tuple[int, int, str, str, str]], *, labels: Sequence[str] = ()
    ) -> list[Annotation]:
        """The :class:`Annotation` for each key from :meth:`export_keys`, in the same order.

        ``labels`` keeps only spans with those labels (the work's time still
        counts every span). Spans come sorted by start, then end.
        """
        conn = self.db.conn
        ids = sorted({k[0] for k in keys})
        articles: dict[int, tuple[Any, ...]] = {}
        spans: dict[tuple[int, int], list[tuple[Any, ...]]] = {}
        for chunk, qs in self.db.chunks(ids):
            for row in conn.execute(
                f"SELECT id, title, source, url, published, clean_text FROM articles WHERE id IN ({qs})",
                chunk,
            ):
                articles[row[0]] = row
            for row in conn.execute(
                'SELECT article_id, annotator_id, start, "end", label, text, attributes, updated_at'
                f' FROM spans WHERE article_id IN ({qs}) ORDER BY article_id, start, "end", id',
                chunk,
            ):
                spans.setdefault((row[0], row[1]), []).append(row)
        wanted = frozenset(labels)
        out: list[Annotation] = []
        for article_id, annotator_id, annotator, status, status_time in keys:
            _, title, source, url, published, text = articles[article_id]
            rows = spans.get((article_id, annotator_id), ())
            updated = max(status_time, max((r[7] for r in rows), default=""))
            out.append(
                Annotation(
                    article_id,
                    text,
                    annotator,
                    Status(status),
                    updated,
                    [
                        SpanData(r[2], r[3], r[4], r[5], json.loads(r[6]) if r[6] != "{}" else {})
                        for r in rows
                        if not wanted or r[4] in wanted
                    ],
                    title,
                    source,
                    url,
                    published,
                )
            )
        return out

    def span_versions(
        self, article_ids: Sequence[int], *, labels: Sequence[str] = ()
    ) -> Iterator[tuple[list[int], SpanVersions]]:
        """The spans of ``article_ids`` as review compares them, a chunk of articles at a time.

        Each chunk of ids with (article id, annotator id) -> (start, end, label,
        attributes) of its spans (unsorted; only spans of ``labels`` when given).
        An unset attribute reads the same as ``null`` (see :func:`attribute_key`).
        """
        wanted = frozenset(labels)
        for chunk, qs in self.db.chunks(article_ids):
            spans: SpanVersions = {}
            for article_id, annotator_id, start, end, label, attrs in self.db.conn.execute(
                f'SELECT article_id, annotator_id, start, "end", label, attributes FROM spans WHERE article_id IN ({qs})',
                chunk,
            ):
                if not wanted or label in wanted:
                    attributes = attribute_key(json.loads(attrs)) if attrs != "{}" else ()
                    spans.setdefault((article_id, annotator_id), []).append((start, end, label, attributes))
            yield chunk, spans

    def changed_since(
        self, keys: Sequence[tuple[int, int, str, str, str]], since: str
    ) -> set[tuple[int, int]]:
        """The (article id, annotator id) of the keys whose status or any span changed since."""
        changed = {(k[0], k[1]) for k in keys if k[4] >= since}
        ids = sorted({k[0] for k in keys if (k[0], k[1]) not in changed})
        for chunk, qs in self.db.chunks(ids):
            changed.update(
                self.db.conn.execute(
                    f"SELECT DISTINCT article_id, annotator_id FROM spans WHERE article_id IN ({qs}) AND updated_at >= ?",
                    [*chunk, since],
                )
            )
        return changed

    def finished_work(self, annotators: Sequence[str] = ()) -> dict[int, dict[str, list[SpanData]]]:
        """article id -> annotator -> spans, for articles two or more of ``annotators``
        (default: anyone) marked done; the spans sorted by start, then end."""
        conn = self.db.conn
        sql = (
            "SELECT st.article_id, an.name FROM article_status st"
            " JOIN annotators an ON an.id = st.annotator_id WHERE st.status = 'done'"
        )
        params: list[Any] = []
        if annotators:
            sql += f" AND an.name IN ({marks(len(annotators))})"
            params += annotators
        done: dict[int, dict[str, list[SpanData]]] = {}
        for article_id, name in conn.execute(sql, params):
            done.setdefault(article_id, {})[name] = []
        work = {a: by for a, by in sorted(done.items()) if len(by) >= 2}
        for chunk, qs in self.db.chunks(list(work)):
            for article_id, name, start, end, label, text, attrs in conn.execute(
                'SELECT s.article_id, an.name, s.start, s."end", s.label, s.text, s.attributes'
                " FROM spans s JOIN annotators an ON an.id = s.annotator_id"
                f" WHERE s.article_id IN ({qs})"
                ' ORDER BY s.article_id, s.start, s."end", s.id',
                chunk,
            ):
                spans = work[article_id].get(name)
                if spans is not None:
                    spans.append(SpanData(start, end, label, text, json.loads(attrs)))
        return work

    def import_annotation(self, ann: Annotation) -> ImportResult:
        """Save an annotation read from a file; return (article id, spans added, spans already there).

        The article is the one with this text (see :meth:`Articles.article_with_text`).
        Spans are merged: one with the same offsets and label as a saved span
        is not added again, and nothing saved is removed. The status becomes
        the file's. Times come from the file; nothing goes in the undo log (an
        import is not the annotator's action to undo in the app).
        """
        with self.db.transaction() as conn:
            annotator_id = self.annotators.id(ann.annotator)
            article_id = self.articles.article_with_text(ann)
            have = {
                (s, e, label)
                for s, e, label in conn.execute(
                    'SELECT start, "end", label FROM spans WHERE article_id = ? AND annotator_id = ?',
                    (article_id, annotator_id),
                )
            }
            added = 0
            for span in ann.spans:
                if (span.start, span.end, span.label) in have:
                    continue
                have.add((span.start, span.end, span.label))
                conn.execute(SPAN_INSERT, span_values(article_id, annotator_id, span, ann.updated_at))
                added += 1
            conn.execute(
                "INSERT INTO article_status (article_id, annotator_id, status, updated_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (article_id, annotator_id) DO UPDATE SET"
                " status = excluded.status, updated_at = max(updated_at, excluded.updated_at)",
                (article_id, annotator_id, ann.status.value, ann.updated_at),
            )
        return ImportResult(article_id, added, len(ann.spans) - added)
