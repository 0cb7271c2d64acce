"""Assignments: which annotators are given which articles (``newsmark assign``).

An annotator with assignments sees their own articles and the unassigned ones
as "todo", not those given only to others; one without any sees everything, as
before assignments existed. Whether an annotator has assignments is asked each
time (one index probe), never cached: another process may assign or clear meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from annotations.storage.sqlite.annotators import Annotators
from annotations.storage.sqlite.connection import Database, column, marks
from annotations.storage.sqlite.rows import FINISHED
from annotations.storage.types import AssignmentCount, now

# The ids of the articles assigned to someone, but not to annotator ``?``.
# Two parameters, both the annotator's id. These are the articles that leave
# their "todo" view: given to others, and not theirs to do.
OTHERS_ONLY_SQL = (
    "SELECT DISTINCT o.article_id FROM assignments o WHERE o.annotator_id != ?"
    " AND NOT EXISTS (SELECT 1 FROM assignments s"
    "  WHERE s.annotator_id = ? AND s.article_id = o.article_id)"
)


class Assignments:
    """The assignments table."""

    def __init__(self, db: Database, annotators: Annotators) -> None:
        self.db = db
        self.annotators = annotators

    def assign(self, plan: Mapping[str, Iterable[int]]) -> dict[str, int]:
        """Save a plan (annotator -> article ids) in one transaction; return the new rows per annotator.

        An assignment already there is kept as it was (its first ``assigned_at``)
        and not counted; annotators are created on first use.
        """
        added: dict[str, int] = {}
        stamp = now()
        with self.db.transaction() as conn:
            for name, article_ids in plan.items():
                annotator_id = self.annotators.id(name)
                before = conn.total_changes
                conn.executemany(
                    "INSERT OR IGNORE INTO assignments (annotator_id, article_id, assigned_at)"
                    " VALUES (?, ?, ?)",
                    ((annotator_id, int(article_id), stamp) for article_id in article_ids),
                )
                added[name] = conn.total_changes - before
        return added

    def clear_assignments(self, annotators: Sequence[str] | None = None) -> int:
        """Remove the assignments of ``annotators`` (None: everyone's); return how many went."""
        with self.db.transaction() as conn:
            if annotators is None:
                return conn.execute("DELETE FROM assignments").rowcount
            ids = self.annotators.known_ids(annotators)
            if not ids:
                return 0
            return conn.execute(
                f"DELETE FROM assignments WHERE annotator_id IN ({marks(len(ids))})", ids
            ).rowcount

    def unassigned_todo_ids(self, annotators: Sequence[str]) -> list[int]:
        """Ids of the articles still to assign, ascending: assigned to nobody, and
        finished (done, skipped, flagged, reviewed) by none of ``annotators``.

        A second ``assign`` run therefore only deals out what came since (new
        imports, or articles whose assignments were cleared).
        """
        ids = self.annotators.known_ids(annotators)
        sql = "SELECT id FROM articles a WHERE NOT EXISTS (SELECT 1 FROM assignments s WHERE s.article_id = a.id)"
        if ids:
            sql += (
                " AND NOT EXISTS (SELECT 1 FROM article_status st WHERE st.article_id = a.id"
                f" AND st.annotator_id IN ({marks(len(ids))}) AND st.status IN ({FINISHED}))"
            )
        return list(column(self.db.conn.execute(sql + " ORDER BY id", ids)))

    def assignment_counts(self) -> dict[str, AssignmentCount]:
        """annotator -> (articles assigned to them, how many of those they finished);
        only annotators with assignments appear."""
        rows = self.db.conn.execute(
            "SELECT an.name, count(*), count(st.article_id) FROM assignments s"
            " JOIN annotators an ON an.id = s.annotator_id"
            " LEFT JOIN article_status st ON st.article_id = s.article_id"
            f"  AND st.annotator_id = s.annotator_id AND st.status IN ({FINISHED})"
            " GROUP BY an.name ORDER BY an.name"
        )
        return {name: AssignmentCount(assigned, finished) for name, assigned, finished in rows}

    def has_assignments(self, annotator: str) -> bool:
        """Whether ``annotator`` has been given any article (their "todo" is then their queue)."""
        annotator_id = self.annotators.known_id(annotator)
        return annotator_id is not None and self.has_assignments_id(annotator_id)

    def has_assignments_id(self, annotator_id: int) -> bool:
        """One probe of the assignments primary key; -1 (an unknown annotator) has none."""
        row = self.db.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM assignments WHERE annotator_id = ?)", (annotator_id,)
        ).fetchone()
        return bool(row[0] == 1)
