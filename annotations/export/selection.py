"""Which work a reviewed export takes (``newsmark export --reviewed``): export policy, not storage.

The store answers the questions (the keys of the work, the spans to compare,
what changed since); the choice of at most one annotation per article is made here.
"""

from __future__ import annotations

from collections.abc import Sequence

from annotations.model import Status
from annotations.storage import ExportKey, ReviewedKeys, Store


def reviewed_keys(
    store: Store,
    *,
    annotators: Sequence[str],
    statuses: Sequence[str] | None,
    labels: Sequence[str],
    since: str | None,
) -> ReviewedKeys:
    """At most one annotation per article, of the work the export's filters pass
    (:func:`annotations.export.export_keys` gives them, the default statuses filled in).

    Returns (the keys, as :meth:`Store.export_keys` gives them; the number of
    articles left out because several annotators finished them and
    disagree; the number left out because several annotators' unfinished
    work on them differs). Among each article's work that passes
    ``annotators`` and ``statuses``, the one taken is:

    1. the reviewed annotation (status ``reviewed``): a reviewer's settled
       work. If several reviewers reviewed the article, the newest by
       status time (on a tie, the first by name).
    2. else the done work: the one annotator's who finished it; or, when
       several did and their spans are identical (the same start, end,
       label and attributes, every one, as review compares them: an unset
       attribute is the same as ``null``; only spans of ``labels`` when
       given, as those are what is exported), the first of them by name.
       When they differ, none: the article is left out, counted.
    3. else (only when other statuses are asked for) the rest of the work
       the same way: one annotation, or several with the same status and
       the same spans, the first by name; else left out, counted apart.

    ``since`` applies to the chosen work (its status or spans changed at
    or after it), after the choice: an article reviewed before ``since``
    stays settled by its review when an annotator edits it later, and is
    not exported again. A left-out article is counted when any of its
    work changed since. Spans are read only for the articles whose
    several annotations must be compared, a chunk of articles at a time.
    """
    keys = store.export_keys(annotators=annotators, statuses=statuses)
    reviewed, done = Status.REVIEWED.value, Status.DONE.value
    chosen: dict[int, ExportKey | None] = {}
    compare: dict[int, list[ExportKey]] = {}
    lo = 0
    while lo < len(keys):  # keys come grouped by article
        article_id = keys[lo][0]
        hi = lo + 1
        while hi < len(keys) and keys[hi][0] == article_id:
            hi += 1
        work = keys[lo:hi]
        lo = hi
        reviews = [k for k in work if k[3] == reviewed]
        if reviews:
            chosen[article_id] = max(reviews, key=lambda k: k[4])  # first of the newest
            continue
        tier = [k for k in work if k[3] == done] or work
        chosen[article_id] = tier[0] if len(tier) == 1 else None
        if len(tier) > 1:
            compare[article_id] = tier
    del keys
    left_out: list[ExportKey] = []  # one key per article left out
    for chunk, spans in store.span_versions(list(compare), labels=labels):
        for article_id in chunk:
            tier = compare.pop(article_id)
            versions = {(k[3], tuple(sorted(spans.get((article_id, k[1]), ())))) for k in tier}
            if len(versions) == 1:
                chosen[article_id] = tier[0]
            else:
                left_out.extend(tier)
    if since is not None:
        changed = store.changed_since([k for k in chosen.values() if k] + left_out, since)
        chosen = {a: k for a, k in chosen.items() if k and (k[0], k[1]) in changed}
        left_out = [k for k in left_out if (k[0], k[1]) in changed]
    disagree = {k[0] for k in left_out if k[3] == done}
    unfinished = {k[0] for k in left_out} - disagree
    return ReviewedKeys([k for k in chosen.values() if k], len(disagree), len(unfinished))
