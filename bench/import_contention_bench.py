#!/usr/bin/env python3
"""Annotators at work while an import runs: is any write lost, how long does each wait?

Usage:
    python bench/import_contention_bench.py [--articles 20000] [--annotators 8] [--rate 20]
                                            [--runs 3] [--format jsonl|txt] [--workdir DIR] [--keep]

Each run: a fresh database holding a few seed articles; ``--annotators`` processes,
each a real :class:`~annotations.session.annotate.AnnotateSession` on its own
:class:`~annotations.storage.Store` (``durable=True``, as the app opens it), tag a
span ``--rate`` times a second on a fixed schedule, while one more process runs
``newsmark import`` of a ``--articles`` corpus (bench/make_corpus.py; jsonl puts
20,000 articles in one file) into the same file.

A write's wait is measured from the moment it was DUE on the schedule, not from
when it started: a write that stalls one second makes the next twenty late too,
as an annotator would feel it. Only writes due while the import ran are counted.
Printed per run and as the median over runs: writes attempted, written, lost
(attempted but not in the database afterwards), failed with ``database is
locked``, median / p99 / max wait, and the import's articles/s; also the p99
of the writes due in the second before the import starts (what the machine's
load alone costs). The target (issue 14): nothing lost, p99 wait under 250 ms.

Speed without annotators is bench/import_bench.py's figure (same corpus:
``--articles 20000 --format jsonl``).

The machine's load matters: on a shared machine the figures are noisy.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import REPO, workdir  # noqa: E402
from make_corpus import write_corpus  # noqa: E402

TARGET_P99 = 0.250  # seconds, from the moment a write was due
SEED_ARTICLES = 48  # articles the annotators tag (not part of the imported corpus)
SPANS_PER_ARTICLE = 20  # an annotator tags this many spans, then opens the next article
LABEL = "ACTOR"


def annotator(
    t_start: Any, db: str, name: str, rate: float, phase: float, start: Any, stop_at: Any, out: Any
) -> None:
    """Tag a span ``rate`` times a second from ``t_start`` on, until one is due after ``stop_at``."""
    from annotations.session.annotate import AnnotateSession
    from annotations.session.errors import SessionError
    from annotations.storage import Store

    store = Store(db, durable=True)
    session = AnnotateSession(store, name)
    ids = [row.id for row in store.page(0, SEED_ARTICLES)]
    start.wait()
    t0 = t_start.value + phase
    writes: list[tuple[float, float, str | None]] = []
    k = 0
    while True:
        due = t0 + k / rate
        limit = stop_at.value
        if limit and due > limit:
            break
        block, within = divmod(k, SPANS_PER_ARTICLE)
        article_id = ids[block % len(ids)]
        offset = (block // len(ids)) * SPANS_PER_ARTICLE + within
        if session.article_id != article_id:
            session.open(article_id)
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        error: str | None = None
        try:
            session.tag(offset, offset + 1, LABEL)
        except SessionError as exc:
            error = str(exc)
        writes.append((due, time.monotonic() - due, error))
        k += 1
    store.close()
    out.put((name, writes))


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..1) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q * len(ordered)) - 1))]


def seed_db(work: Path, db: Path) -> None:
    from annotations.importing import import_paths
    from annotations.storage import Store

    seed = work / "seed"
    if not seed.exists():
        write_corpus(seed, SEED_ARTICLES, seed=99, fmt="jsonl")
    with Store(db) as store:
        report = import_paths(store, [str(seed)], fetch=False)
    assert report.added == SEED_ARTICLES, report


def one_run(work: Path, corpus: Path, run: int, args: argparse.Namespace) -> dict[str, float]:
    db = work / f"contention-{run}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    seed_db(work, db)
    ctx = mp.get_context("spawn")
    value = ctx.Value("d", 0.0)
    stop_at = ctx.Value("d", 0.0)
    start = ctx.Event()
    out = ctx.Queue()
    procs = [
        ctx.Process(
            target=annotator,
            args=(
                value,
                str(db),
                f"ann{i}",
                args.rate,
                i / (args.rate * args.annotators),
                start,
                stop_at,
                out,
            ),
        )
        for i in range(args.annotators)
    ]
    for p in procs:
        p.start()
    time.sleep(3.0)  # let them import and open the store; the schedule starts below
    value.value = time.monotonic() + 0.5
    start.set()
    time.sleep(1.5)  # a second of writing without an import: the baseline
    t_import = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "tui", "import", str(corpus), "--db", str(db), "--no-fetch"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, (str(REPO), os.environ.get("PYTHONPATH")))),
        },
    )
    t_end = time.monotonic()
    stop_at.value = t_end + 0.5
    results = dict(out.get(timeout=120) for _ in procs)
    for p in procs:
        p.join(timeout=30)
    from annotations.storage import Store

    with Store(db) as store:
        in_db = {
            name: store.conn.execute(
                "SELECT count(*) FROM spans s JOIN annotators a ON a.id = s.annotator_id WHERE a.name = ?",
                (name,),
            ).fetchone()[0]
            for name in results
        }
        imported = store.article_count() - SEED_ARTICLES
    attempted_all = sum(len(w) for w in results.values())
    saved_all = sum(1 for w in results.values() for _, _, e in w if e is None)
    lost = attempted_all - sum(in_db.values())
    during = [w for ws in results.values() for w in ws if t_import <= w[0] <= t_end]
    alone = [w[1] for ws in results.values() for w in ws if w[0] < t_import]
    waits = [w[1] for w in during]
    locked = sum(1 for w in during if w[2] and "locked" in w[2])
    failed = sum(1 for w in during if w[2])
    seconds = t_end - t_import
    row = {
        "attempted": float(len(during)),
        "written": float(len(during) - failed),
        "lost": float(lost),
        "locked": float(locked),
        "failed": float(failed),
        "median_ms": 1000 * statistics.median(waits),
        "p99_ms": 1000 * percentile(waits, 0.99),
        "max_ms": 1000 * max(waits),
        "import_rate": imported / seconds,
        "import_s": seconds,
    }
    print(
        f"run {run}: import {imported:,} articles in {seconds:.1f} s ({row['import_rate']:,.0f}/s, exit "
        f"{done.returncode}); writes during it {len(during):,}, written {len(during) - failed:,}, "
        f"lost {lost} (all run: {attempted_all:,} attempted, {saved_all:,} saved, "
        f"{sum(in_db.values()):,} in db), failed {failed} ({locked} locked); wait median "
        f"{row['median_ms']:.1f} ms, p99 {row['p99_ms']:.1f} ms, max {row['max_ms']:.1f} ms; "
        f"before the import: p99 {1000 * percentile(alone, 0.99):.1f} ms",
        flush=True,
    )
    if done.returncode not in (0, 1):
        print(done.stderr[-2000:])
    errors = sorted({w[2] for w in during if w[2]})
    for e in errors[:5]:
        print(f"    error: {e}")
    if not args.keep:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    return row


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=20_000)
    ap.add_argument("--annotators", type=int, default=8)
    ap.add_argument("--rate", type=float, default=20.0, help="spans per second per annotator")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--format", choices=("txt", "jsonl"), default="jsonl")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args(argv)
    with workdir(args.workdir, args.keep) as work:
        corpus = work / f"corpus-{args.format}-{args.articles}"
        if not corpus.exists():
            write_corpus(corpus, args.articles, args.seed, args.format)
        print(
            f"{args.annotators} annotators x {args.rate:g} spans/s beside an import of "
            f"{args.articles:,} {args.format} articles; {args.runs} run(s)",
            flush=True,
        )
        rows = [one_run(work, corpus, run, args) for run in range(1, args.runs + 1)]
        med = {key: statistics.median(r[key] for r in rows) for key in rows[0]}
        verdict = "meets" if med["lost"] == 0 and med["p99_ms"] <= 1000 * TARGET_P99 else "MISSES"
        print(
            f"\nmedian of {len(rows)} run(s): attempted {med['attempted']:,.0f}, written "
            f"{med['written']:,.0f}, lost {med['lost']:.0f}, failed {med['failed']:.0f} "
            f"(locked {med['locked']:.0f}); wait median {med['median_ms']:.1f} ms, p99 "
            f"{med['p99_ms']:.1f} ms, max {med['max_ms']:.1f} ms; import {med['import_rate']:,.0f} "
            f"articles/s; {verdict} the target (none lost, p99 <= {1000 * TARGET_P99:.0f} ms)"
        )
        print(
            f"worst run: lost {max(r['lost'] for r in rows):.0f}, p99 {max(r['p99_ms'] for r in rows):.1f} ms"
        )


if __name__ == "__main__":
    main()
