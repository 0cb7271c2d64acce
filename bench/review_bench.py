#!/usr/bin/env python3
"""Time the reviewer's workflow (``newsmark review``) on a big database.

Usage:
    python bench/review_bench.py [--articles 100000] [--db PATH] [--runs 5] [--reviewed 0.25]

Why: the review queue is a GROUP BY over ``article_status`` (articles done by
two or more annotators) and each key that settles a disagreement is one fsynced
transaction with undo entries; both grow with the database. Timed with the
store opened as the app opens it (``Store(path, durable=True)``), medians over
``--runs`` after one warm-up call, for reviewer "rita":

* ``review_ids``: "review" 0..200 (the list's first screen), "all" (the whole
  queue, the app's worker thread), "review" after a mid-database id, limit 1 (``d``);
* opening a fresh article: ``review_work`` + ``review.compare`` + ``review.start``
  + ``decisions``, as ``ReviewScreen.open_article`` does;
* ``review.accept`` of one region (one undo group), then ``store.undo`` of it;
* ``reviewed_count(rita)``: the progress figure after each ``d``.

Building (once; ``--db`` naming an existing file reuses it): the articles are
``query_bench.build``'s (generated news text, ~3,000 characters). Annotators
alice, bob and carol get an overlap-2 plan (``annotations.assign.plan``); both
annotators of each article mark it done with 8 spans, of which 2 differ (one
relabelled, one a word longer or shorter): two disagreements per article.
Rita has already reviewed the first ``--reviewed`` share (the first screen of
"review" must skip them). Spans and statuses go in with executemany in one
transaction, not ``add_span`` (which logs undo entries). The timed writes are
removed afterwards, so the database can be reused.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import db_size, mib, time_calls  # noqa: E402
from query_bench import build  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from annotations import review  # noqa: E402
from annotations.assign import plan  # noqa: E402
from annotations.storage import Store, now  # noqa: E402
from annotations.tokens import tokenize  # noqa: E402

ANNOTATORS = ("alice", "bob", "carol")
REVIEWER = "rita"
LABELS = ("ACTOR", "CASUALTY", "LOCATION")
SPANS = 8  # per annotator and article
BATCH = 10_000  # articles per executemany batch
SPAN_SQL = (
    'INSERT INTO spans (article_id, annotator_id, start, "end", label, text, attributes,'
    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, '{}', ?, ?)"
)
STATUS_SQL = "INSERT INTO article_status (article_id, annotator_id, status, updated_at) VALUES (?, ?, ?, ?)"
DECISION_SQL = (
    'INSERT INTO review_decisions (article_id, reviewer_id, start, "end", choice, decided_at)'
    " VALUES (?, ?, ?, ?, ?, ?)"
)


def versions(text: str, rng: random.Random) -> tuple[list, list, list]:
    """Two annotators' spans: 8 each, 2 of them different; and the 2 regions they disagree on."""
    words = [(a, b) for a, b in tokenize(text) if text[a].isalnum()]
    # Slots 3 words apart, a span one or two words long: a span a word longer never meets the next.
    slots = sorted(rng.sample(range(0, len(words) - 2, 3), SPANS))
    first = [(i, i + rng.choice((0, 1)), rng.choice(LABELS)) for i in slots]
    second = list(first)
    relabel, resize = rng.sample(range(SPANS), 2)
    i, j, label = first[relabel]
    second[relabel] = (i, j, next(x for x in LABELS if x != label))
    i, j, label = first[resize]
    second[resize] = (i, i if j > i else i + 1, label)
    regions = [(words[first[k][0]][0], words[max(first[k][1], second[k][1])][1]) for k in (relabel, resize)]
    a, b = ([(words[i][0], words[j][1], label) for i, j, label in v] for v in (first, second))
    return a, b, regions


def annotate(db: Path, seed: int, reviewed_share: float) -> None:
    store = Store(db)
    conn = store.conn
    ids = [i for (i,) in conn.execute("SELECT id FROM articles ORDER BY id")]
    given = plan(ids, ANNOTATORS, 2, seed=seed)
    store.assign(given)
    pairs: dict[int, list[str]] = {}
    for name in sorted(given):
        for article_id in given[name]:
            pairs.setdefault(article_id, []).append(name)
    who = {name: store.annotator_id(name) for name in (*ANNOTATORS, REVIEWER)}
    last_reviewed = ids[int(len(ids) * reviewed_share) - 1] if reviewed_share > 0 else 0
    rng, stamp = random.Random(seed), now()
    spans, statuses, decisions = [], [], []

    def flush() -> None:
        conn.executemany(SPAN_SQL, spans)
        conn.executemany(STATUS_SQL, statuses)
        conn.executemany(DECISION_SQL, decisions)
        for rows in (spans, statuses, decisions):
            rows.clear()

    with store.transaction():
        for k, (article_id, text) in enumerate(
            conn.execute("SELECT id, clean_text FROM articles ORDER BY id")
        ):
            first, second, regions = versions(text, rng)
            names = pairs[article_id]
            work = [(names[0], first), (names[1], second)]
            if article_id <= last_reviewed:  # rita took the first annotator's version everywhere
                work.append((REVIEWER, first))
                decisions += [(article_id, who[REVIEWER], a, b, names[0], stamp) for a, b in regions]
            for name, version in work:
                spans += [
                    (article_id, who[name], a, b, label, text[a:b], stamp, stamp) for a, b, label in version
                ]
                statuses.append((article_id, who[name], "reviewed" if name == REVIEWER else "done", stamp))
            if k % BATCH == BATCH - 1:
                flush()
        flush()
    store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument(
        "--db",
        type=Path,
        default=Path("/tmp/nmbig/review100k.db"),
        help="database to build, or reuse if it exists (default: %(default)s)",
    )
    ap.add_argument("--runs", type=int, default=5, help="timed calls per case (medians)")
    ap.add_argument(
        "--reviewed",
        type=float,
        default=0.25,
        help="share of the articles rita has already reviewed, from the top (build only)",
    )
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    console = Console(highlight=False)
    if not console.is_terminal:
        console = Console(highlight=False, width=120)

    db: Path = args.db
    if db.exists():
        console.print(f"reusing {db} ({mib(db_size(db))})")
    else:
        db.parent.mkdir(parents=True, exist_ok=True)
        console.print(
            f"building {db}: {args.articles:,} articles, {args.reviewed:.0%} reviewed by {REVIEWER}"
        )
        t0 = time.perf_counter()
        build(db, args.articles, args.seed, "rebuild")
        t1 = time.perf_counter()
        annotate(db, args.seed, args.reviewed)
        console.print(f"built in {t1 - t0:,.0f} s + annotations {time.perf_counter() - t1:,.0f} s")

    size = db_size(db)
    store = Store(db, durable=True)  # as the app opens it: every commit fsynced
    conn = store.conn
    n = store.article_count()
    spans = conn.execute("SELECT count(*) FROM spans").fetchone()[0]
    rita = store.annotator_id(REVIEWER)
    queue = store.review_ids(REVIEWER, (), "all")
    after_id = queue[len(queue) // 2]
    touched = {
        i for (i,) in conn.execute("SELECT article_id FROM article_status WHERE annotator_id = ?", (rita,))
    }
    fresh = random.Random(args.seed).sample([i for i in queue if i not in touched], args.runs + 1)
    (last_edit,) = conn.execute("SELECT coalesce(max(id), 0) FROM edits").fetchone()
    console.print(
        f"{n:,} articles, {spans:,} spans, {len(queue):,} in the review queue, "
        f"{store.view_count(REVIEWER, 'reviewed'):,} reviewed by {REVIEWER}; "
        f"{mib(size)}; SQLite {sqlite3.sqlite_version}"
    )

    opened: dict[int, tuple[int, review.Comparison]] = {}

    def open_article(i: int) -> None:
        article_id = fresh[i]
        comparison = review.compare(store.review_work(article_id, REVIEWER))
        review.start(store, article_id, REVIEWER, comparison)
        store.decisions(article_id, REVIEWER)
        opened[i] = (article_id, comparison)

    def accept(i: int) -> None:
        article_id, comparison = opened[i]
        region = comparison.regions[0]
        review.accept(store, article_id, REVIEWER, comparison, region, comparison.annotators[0])

    def undo(i: int) -> None:
        assert store.undo(REVIEWER).kind == "decide"  # the whole accept group came back

    cases = [
        (
            'review_ids "review", first 200 (first screen)',
            lambda i: store.review_ids(REVIEWER, (), "review", 0, 200),
        ),
        ('review_ids "all" (whole queue, worker thread)', lambda i: store.review_ids(REVIEWER, (), "all")),
        (
            f'review_ids "review" after {after_id:,}, 1 (d: next)',
            lambda i: store.review_ids(REVIEWER, (), "review", after_id, 1),
        ),
        ("open: review_work + compare + start + decisions", open_article),
        ("review.accept of one region (durable)", accept),
        ("store.undo (the accept)", undo),
        ("reviewed_count (status bar after d)", lambda i: store.reviewed_count(REVIEWER)),
    ]
    table = Table(title=f"review workflow: {n:,} articles, {mib(size)}, ms per call")
    for col in ("case", "runs", "median", "min", "max"):
        table.add_column(col, justify="left" if col == "case" else "right")
    try:
        for name, call in cases:
            timing = time_calls(call, args.runs, float("inf"), warmup=1)
            table.add_row(
                name,
                str(len(timing.runs)),
                *(f"{t * 1000:,.2f}" for t in (timing.median, min(timing.runs), timing.max)),
            )
            console.print(f"  {name}: median {timing.median * 1000:,.2f} ms", style="dim")
    finally:  # leave the database as it was: take back the reviews the benchmark opened
        marks = ", ".join("?" * len(fresh))
        with store.transaction():
            for table_, col in (
                ("spans", "annotator_id"),
                ("article_status", "annotator_id"),
                ("review_decisions", "reviewer_id"),
            ):
                conn.execute(
                    f"DELETE FROM {table_} WHERE {col} = ? AND article_id IN ({marks})", (rita, *fresh)
                )
            conn.execute("DELETE FROM edits WHERE annotator_id = ? AND id > ?", (rita, last_edit))
        store.close()
    console.print(table)


if __name__ == "__main__":
    main()
