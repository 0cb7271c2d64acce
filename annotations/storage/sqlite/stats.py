"""Counts for ``newsmark stats``: articles, sources, and per annotator statuses and labels."""

from __future__ import annotations

from annotations.model import Status
from annotations.storage.sqlite.connection import Database
from annotations.storage.types import Stats


def stats(db: Database, articles: int) -> Stats:
    """Article count, and per annotator the status and label counts.

    Articles an annotator has not touched count as ``new`` for them. Suggestions
    are counted apart (accepted ones per label, rejected ones, and the corpus's per
    label) so that priming can be measured; they are never in ``labels`` until
    accepted, when they are the annotator's spans.
    """
    conn = db.conn
    (sources,) = conn.execute(
        "SELECT count(DISTINCT source) FROM articles WHERE source IS NOT NULL"
    ).fetchone()
    statuses: dict[str, dict[str, int]] = {}
    for name, status, n in conn.execute(
        "SELECT a.name, st.status, count(*) FROM article_status st"
        " JOIN annotators a ON a.id = st.annotator_id GROUP BY a.name, st.status"
    ):
        statuses.setdefault(name, {})[status] = n
    labels: dict[str, dict[str, int]] = {}
    for name, label, n in conn.execute(
        "SELECT a.name, s.label, count(*) FROM spans s"
        " JOIN annotators a ON a.id = s.annotator_id GROUP BY a.name, s.label"
    ):
        labels.setdefault(name, {})[label] = n
    for (name,) in conn.execute("SELECT name FROM annotators"):
        counts = statuses.setdefault(name, {})
        touched = sum(n for s, n in counts.items() if s != Status.NEW.value)
        counts[Status.NEW.value] = articles - touched
        labels.setdefault(name, {})
    from_suggestions: dict[str, dict[str, int]] = {name: {} for name in labels}
    for name, label, n in conn.execute(
        "SELECT a.name, s.label, count(*) FROM spans s JOIN annotators a ON a.id = s.annotator_id"
        " WHERE s.origin IS NOT NULL GROUP BY a.name, s.label"
    ):
        from_suggestions[name][label] = n
    rejected = {name: 0 for name in labels}
    for name, n in conn.execute(
        "SELECT a.name, count(*) FROM suggestion_answers an JOIN annotators a ON a.id = an.annotator_id"
        " WHERE an.answer = 'rejected' GROUP BY a.name"
    ):
        rejected[name] = n
    suggestions = dict(conn.execute("SELECT label, count(*) FROM suggestions GROUP BY label ORDER BY label"))
    return Stats(
        articles, sources, statuses, labels, _clitic_ends(db), from_suggestions, rejected, suggestions
    )


def _clitic_ends(db: Database) -> dict[str, int]:
    """Per annotator, the spans whose text ends in a possessive clitic ("Syria's").

    LIKE (case-blind for ASCII) passes only texts ending in s or an
    apostrophe; :func:`ends_with_clitic` decides, so the rule lives in one place.
    """
    from annotations.tokens import ends_with_clitic

    counts = {name: 0 for (name,) in db.conn.execute("SELECT name FROM annotators")}
    for name, text in db.conn.execute(
        "SELECT a.name, s.text FROM spans s JOIN annotators a ON a.id = s.annotator_id"
        " WHERE s.text LIKE '%s' OR s.text LIKE '%''' OR s.text LIKE '%\u2019'"
    ):
        counts[name] += ends_with_clitic(text)
    return counts
