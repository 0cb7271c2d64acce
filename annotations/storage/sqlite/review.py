"""Review: the queue of articles to review, the annotators' work on one, and the decisions.

A reviewer settles what the annotators made differently. The reviewer's
outcome is an annotation like any other (spans under the reviewer's name,
status "reviewed"); review_decisions records which disagreements are settled,
and how, so the reviewer can stop and come back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from annotations.model import Span, SpanData, Status
from annotations.storage.sqlite.annotations import Annotations
from annotations.storage.sqlite.annotators import Annotators
from annotations.storage.sqlite.connection import Database, column, marks
from annotations.storage.sqlite.rows import SPAN_INSERT, span_values, write_decision, write_status
from annotations.storage.sqlite.undo import EditLog
from annotations.storage.types import REVIEW_VIEWS, Extent, now


class Reviews:
    """The review queue and the review_decisions table."""

    def __init__(self, db: Database, annotators: Annotators, log: EditLog, annotations: Annotations) -> None:
        self.db = db
        self.annotators = annotators
        self.log = log
        self.annotations = annotations

    def _filter(self, reviewer: str, annotators: Sequence[str]) -> tuple[str, list[Any]]:
        """SQL (on ``st``, article_status) for "done by one of ``annotators``, not the reviewer"."""
        reviewer_id = self.annotators.known_or_nobody(reviewer)
        if annotators:
            ids = [i for i in self.annotators.known_ids(annotators) if i != reviewer_id] or [-1]
            return f"st.annotator_id IN ({marks(len(ids))})", ids
        return "st.annotator_id != ?", [reviewer_id]

    def review_ids(
        self,
        reviewer: str,
        annotators: Sequence[str] = (),
        view: str = "review",
        after_id: int = 0,
        limit: int = -1,
    ) -> list[int]:
        """Articles done by two or more of ``annotators`` (default: anyone but the reviewer).

        ``view``: "review" (not yet reviewed by ``reviewer``), "reviewed", or
        "all"; in article order, after ``after_id``, at most ``limit`` (-1: all).
        Grouped on the status table's primary key, so a page stops early.
        """
        if view not in REVIEW_VIEWS:
            raise ValueError(f"unknown review view {view!r}; one of {', '.join(REVIEW_VIEWS)}")
        where, params = self._filter(reviewer, annotators)
        sql = (
            f"SELECT st.article_id FROM article_status st WHERE st.status = 'done' AND {where}"
            " AND st.article_id > ? GROUP BY st.article_id HAVING count(*) >= 2"
        )
        params.append(after_id)
        if view != "all":
            sql += (
                f" AND {'NOT ' if view == 'review' else ''}EXISTS (SELECT 1 FROM article_status r"
                " WHERE r.article_id = st.article_id AND r.annotator_id = ? AND r.status = 'reviewed')"
            )
            params.append(self.annotators.known_or_nobody(reviewer))
        sql += " ORDER BY st.article_id LIMIT ?"
        return list(column(self.db.conn.execute(sql, (*params, limit))))

    def reviewed_count(self, reviewer: str, annotators: Sequence[str] = ()) -> int:
        """How many articles of the review queue ``reviewer`` marked reviewed.

        ``len(review_ids(..., "reviewed"))`` without walking the whole queue: the
        reviewer's status index, then a primary-key probe per reviewed article.
        """
        where, params = self._filter(reviewer, annotators)
        row = self.db.conn.execute(
            "SELECT count(*) FROM article_status r WHERE r.annotator_id = ? AND r.status = 'reviewed'"
            " AND (SELECT count(*) FROM article_status st WHERE st.article_id = r.article_id"
            f" AND st.status = 'done' AND {where}) >= 2",
            (self.annotators.known_or_nobody(reviewer), *params),
        ).fetchone()
        return int(row[0])

    def review_work(
        self, article_id: int, reviewer: str, annotators: Sequence[str] = ()
    ) -> dict[str, list[Span]]:
        """annotator -> spans, for the annotators (not the reviewer) who marked the article done."""
        where, params = self._filter(reviewer, annotators)
        names = [
            n
            for (n,) in self.db.conn.execute(
                "SELECT an.name FROM article_status st JOIN annotators an ON an.id = st.annotator_id"
                f" WHERE st.article_id = ? AND st.status = 'done' AND {where} ORDER BY an.name",
                (article_id, *params),
            )
        ]
        work: dict[str, list[Span]] = {n: [] for n in names}
        for span in self.annotations.spans(article_id):
            if span.annotator in work:
                work[span.annotator].append(span)
        return work

    def start_review(self, article_id: int, reviewer: str, spans: Sequence[SpanData]) -> bool:
        """Begin the reviewer's annotation with ``spans`` (those all annotators agree on).

        Only the first time (the reviewer has no status on the article yet);
        not in the undo log, like the automatic "in progress". True if started.
        """
        with self.db.transaction() as conn:
            reviewer_id = self.annotators.id(reviewer)
            if conn.execute(
                "SELECT 1 FROM article_status WHERE article_id = ? AND annotator_id = ?",
                (article_id, reviewer_id),
            ).fetchone():
                return False
            stamp = now()
            conn.executemany(SPAN_INSERT, [span_values(article_id, reviewer_id, s, stamp) for s in spans])
            write_status(conn, article_id, reviewer_id, Status.IN_PROGRESS.value)
        return True

    def decisions(self, article_id: int, reviewer: str) -> dict[Extent, str]:
        """(start, end) of each settled disagreement -> how: an annotator's name, or a word."""
        reviewer_id = self.annotators.known_or_nobody(reviewer)
        return {
            Extent(s, e): c
            for s, e, c in self.db.conn.execute(
                'SELECT start, "end", choice FROM review_decisions WHERE article_id = ? AND reviewer_id = ?',
                (article_id, reviewer_id),
            )
        }

    def decide(self, article_id: int, reviewer: str, start: int, end: int, choice: str) -> None:
        """Record how the disagreement over ``start:end`` was settled, logged for undo."""
        with self.db.transaction() as conn:
            reviewer_id = self.annotators.id(reviewer)
            old = self.decisions(article_id, reviewer).get(Extent(start, end))
            if old == choice:
                return
            write_decision(conn, article_id, reviewer_id, {"start": start, "end": end, "choice": choice})
            self.log.record(
                reviewer_id,
                article_id,
                "decide",
                {"start": start, "end": end, "choice": old},
                {"start": start, "end": end, "choice": choice},
            )
