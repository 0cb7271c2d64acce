"""The article list per annotator: a view's ids, keyset pages, the rows on screen, counts.

The app shows a virtual list over up to a million articles: it takes a view's
ids once (list_ids), pages through them by position in memory, and asks
list_rows for the ~50 rows on screen. Nothing here uses OFFSET.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Sequence
from typing import Any

from annotations.model import VIEWS, ListRow, Status
from annotations.storage.sqlite.annotators import Annotators
from annotations.storage.sqlite.articles import Articles
from annotations.storage.sqlite.assignments import OTHERS_ONLY_SQL, Assignments
from annotations.storage.sqlite.connection import Database, column
from annotations.storage.sqlite.rows import FINISHED, STATUS_VIEWS
from annotations.storage.types import Progress


class Listing:
    """Read-only queries behind the article list and its counts."""

    def __init__(
        self, db: Database, annotators: Annotators, articles: Articles, assignments: Assignments
    ) -> None:
        self.db = db
        self.annotators = annotators
        self.articles = articles
        self.assignments = assignments

    def list_ids(self, annotator: str, view: str = "all") -> array[int]:
        """Ids of the articles in ``view`` (see ``VIEWS``), in article id order.

        Status views read the ``article_status_by_annotator`` index alone. "all"
        and "todo" need every article id: see :meth:`_unsorted_ids`; "todo" is
        those minus the annotator's done/skipped/flagged ids, filtered in Python
        with a set (on 1,000,000 articles about 0.22 s, against 0.33 s for SQL
        ``NOT IN``, 0.8-1.0 s for ``EXCEPT`` and 1.2 s for a ``NOT EXISTS``
        probe per article).

        For an annotator with assignments, "todo" also leaves out the articles
        assigned only to others (see ``OTHERS_ONLY_SQL``); without any, it is
        exactly as before, at the cost of one EXISTS probe.
        """
        conn = self.db.conn
        annotator_id = self._view_annotator(annotator, view)
        if view in STATUS_VIEWS:
            return array(
                "q",
                column(
                    conn.execute(
                        "SELECT article_id FROM article_status WHERE annotator_id = ? AND status = ?"
                        " ORDER BY article_id",
                        (annotator_id, view),
                    )
                ),
            )
        ids = self._unsorted_ids()
        if view == "todo":
            finished = set(
                column(
                    conn.execute(
                        f"SELECT article_id FROM article_status WHERE annotator_id = ? AND status IN ({FINISHED})",
                        (annotator_id,),
                    )
                )
            )
            if self.assignments.has_assignments_id(annotator_id):
                finished.update(column(conn.execute(OTHERS_ONLY_SQL, (annotator_id, annotator_id))))
            if finished:
                ids = [i for i in ids if i not in finished]
        ids.sort()
        return array("q", ids)

    def _unsorted_ids(self) -> list[int]:
        """Every article id, in no particular order.

        No ORDER BY on purpose: in id order SQLite walks the table itself, whose
        leaf pages are mostly article text (1.3 s on 1,000,000 articles);
        unordered, it reads the smallest covering index (``articles_source``:
        a source name and an id per entry), and the ids, already sorted within
        each source, sort fast in Python. One JSON array instead of a million
        rows through the cursor: about 0.2 s in all, against 0.34 s.
        """
        (ids,) = self.db.conn.execute("SELECT json_group_array(id) FROM articles").fetchone()
        result: list[int] = json.loads(ids)
        return result

    def ids_after(self, annotator: str, view: str, after_id: int, limit: int) -> list[int]:
        """Up to ``limit`` ids of ``view`` after ``after_id``, ascending (keyset paging).

        Lets the app draw the first screen before :meth:`list_ids` is back.
        """
        return self._ids_from(annotator, view, after_id, limit, ascending=True)

    def ids_before(self, annotator: str, view: str, before_id: int, limit: int) -> list[int]:
        """Up to ``limit`` ids of ``view`` just before ``before_id``, in ascending order."""
        ids = self._ids_from(annotator, view, before_id, limit, ascending=False)
        ids.reverse()
        return ids

    def _ids_from(self, annotator: str, view: str, key: int, limit: int, *, ascending: bool) -> list[int]:
        annotator_id = self._view_annotator(annotator, view)
        cmp, order = (">", "ASC") if ascending else ("<", "DESC")
        if view in STATUS_VIEWS:
            sql = (
                f"SELECT article_id FROM article_status WHERE annotator_id = ? AND status = ?"
                f" AND article_id {cmp} ? ORDER BY article_id {order} LIMIT ?"
            )
            params: tuple[Any, ...] = (annotator_id, view, key, limit)
        elif view == "all":
            sql = f"SELECT id FROM articles WHERE id {cmp} ? ORDER BY id {order} LIMIT ?"
            params = (key, limit)
        elif not self.assignments.has_assignments_id(annotator_id):
            # todo: a primary-key probe per article passed, only as far as the page reaches
            sql = (
                f"SELECT id FROM articles a WHERE id {cmp} ? AND NOT EXISTS ("
                f" SELECT 1 FROM article_status st WHERE st.article_id = a.id"
                f" AND st.annotator_id = ? AND st.status IN ({FINISHED}))"
                f" ORDER BY id {order} LIMIT ?"
            )
            params = (key, annotator_id, limit)
        else:  # todo with assignments: also theirs, or nobody's (two more index probes)
            sql = (
                f"SELECT id FROM articles a WHERE id {cmp} ? AND NOT EXISTS ("
                f" SELECT 1 FROM article_status st WHERE st.article_id = a.id"
                f" AND st.annotator_id = ? AND st.status IN ({FINISHED}))"
                " AND (EXISTS (SELECT 1 FROM assignments s"
                "  WHERE s.annotator_id = ? AND s.article_id = a.id)"
                "  OR NOT EXISTS (SELECT 1 FROM assignments s WHERE s.article_id = a.id))"
                f" ORDER BY id {order} LIMIT ?"
            )
            params = (key, annotator_id, annotator_id, limit)
        return list(column(self.db.conn.execute(sql, params)))

    def list_rows(self, annotator: str, ids: Sequence[int]) -> list[ListRow]:
        """The list rows for ``ids`` (a screenful), in the order given; unknown ids are left out."""
        annotator_id = self.annotators.known_or_nobody(annotator)
        found: dict[int, ListRow] = {}
        for chunk, marks in self.db.chunks(ids):
            rows = self.db.conn.execute(
                "SELECT a.id, a.title, a.source, a.published, st.status,"
                " (SELECT count(*) FROM spans s WHERE s.article_id = a.id AND s.annotator_id = ?)"
                " FROM articles a LEFT JOIN article_status st"
                "  ON st.article_id = a.id AND st.annotator_id = ?"
                f" WHERE a.id IN ({marks})",
                (annotator_id, annotator_id, *chunk),
            )
            for id_, title, source, published, status, spans in rows:
                found[id_] = ListRow(
                    id_, title, source, published, Status(status) if status else Status.NEW, spans
                )
        return [found[i] for i in ids if i in found]

    def progress(self, annotator: str) -> Progress:
        """(articles this annotator has marked done, all articles)."""
        return Progress(self.view_count(annotator, "done"), self.articles.article_count())

    def view_count(self, annotator: str, view: str) -> int:
        """How many articles ``view`` holds for this annotator, without listing them."""
        conn = self.db.conn
        annotator_id = self._view_annotator(annotator, view)
        if view == "all":
            return self.articles.article_count()
        if view in STATUS_VIEWS:
            row = conn.execute(
                "SELECT count(*) FROM article_status WHERE annotator_id = ? AND status = ?",
                (annotator_id, view),
            ).fetchone()
            return int(row[0])
        finished: int = conn.execute(
            f"SELECT count(*) FROM article_status WHERE annotator_id = ? AND status IN ({FINISHED})",
            (annotator_id,),
        ).fetchone()[0]
        if self.assignments.has_assignments_id(annotator_id):
            # less the unfinished ones given only to others
            finished += conn.execute(
                f"SELECT count(*) FROM ({OTHERS_ONLY_SQL}) o WHERE NOT EXISTS ("
                " SELECT 1 FROM article_status st WHERE st.article_id = o.article_id"
                f" AND st.annotator_id = ? AND st.status IN ({FINISHED}))",
                (annotator_id, annotator_id, annotator_id),
            ).fetchone()[0]
        return self.articles.article_count() - finished

    def next_todo(self, annotator: str, after_id: int) -> int | None:
        """The first "todo" article after ``after_id``, wrapping round to the start.

        An annotator with assignments gets their own unfinished assigned
        articles first (after ``after_id``, wrapping), and only when those are
        all finished the unassigned ones: their queue before the common pool.
        ``after_id`` itself comes back only if it is the one todo article left
        (of their own queue, for an annotator with assignments); None when
        there is nothing left to do.
        """
        annotator_id = self.annotators.known_id(annotator)
        if annotator_id is not None and self.assignments.has_assignments_id(annotator_id):
            own = (
                "SELECT s.article_id FROM assignments s WHERE s.annotator_id = ?"
                " AND s.article_id > ? AND NOT EXISTS (SELECT 1 FROM article_status st"
                "  WHERE st.article_id = s.article_id AND st.annotator_id = s.annotator_id"
                f"  AND st.status IN ({FINISHED})) ORDER BY s.article_id LIMIT 1"
            )
            for key in (after_id, 0):
                row = self.db.conn.execute(own, (annotator_id, key)).fetchone()
                if row is not None:
                    return int(row[0])
            # Their queue is finished: what is left in "todo" is unassigned.
        ids = self.ids_after(annotator, "todo", after_id, 1) or self.ids_after(annotator, "todo", 0, 1)
        return ids[0] if ids else None

    def _view_annotator(self, annotator: str, view: str) -> int:
        """The annotator's id for a list query; -1 (matching nothing) if they never wrote."""
        if view not in VIEWS:
            raise ValueError(f"unknown view {view!r}; one of {', '.join(VIEWS)}")
        return self.annotators.known_or_nobody(annotator)
