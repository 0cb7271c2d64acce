#!/usr/bin/env python3
"""How fast ``newsmark export`` streams, and how much memory it takes.

Usage:
    python bench/export_bench.py [--articles 100000] [--spans 10] [--db PATH]
                                 [--runs 3] [--format jsonl] [--workers N]

Builds (or reuses, with ``--db`` naming an existing file) a database of
synthetic articles (``bench/query_bench.py``'s rows: cleaned news text of
about 3,000 characters, ~530 tokens) where annotator "alice" has marked every
article done with ``--spans`` spans of one to three tokens each. Then runs the
real command, ``newsmark export --db DB --format F -o OUT``, in a child process
``--runs`` times, and prints the median wall time, the output size, and the
peak memory: the largest resident set of any one process, and the peak of the
sum of proportional set sizes (PSS) over the command and its worker
processes, which counts memory that forked processes share only once.

The issue's floor: 1,000,000 spans over 100,000 articles to JSONL in <= 20 s,
peak memory under 200 MB.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import db_size, mib, workdir  # noqa: E402
from query_bench import build  # noqa: E402

from annotations.store import Store, now  # noqa: E402
from annotations.tokens import split_tokens  # noqa: E402


def add_annotations(db: Path, spans_per_article: int, seed: int) -> int:
    """Give annotator alice ``spans_per_article`` word spans and a done status on every article."""
    store = Store(db)
    conn = store.conn
    alice = store.annotator_id("alice")
    rng = random.Random(seed)
    stamp = now()
    total = 0
    conn.execute("BEGIN IMMEDIATE")
    for article_id, text in conn.execute("SELECT id, clean_text FROM articles").fetchall():
        parts = split_tokens(text)
        pos, words = 0, []
        for i, part in enumerate(parts):
            if i % 2 and part[0].isalnum():
                words.append((pos, pos + len(part)))
            pos += len(part)
        rows = []
        for _ in range(min(spans_per_article, len(words))):
            i = rng.randrange(len(words))
            j = min(len(words) - 1, i + rng.choice((0, 0, 1, 2)))
            start, end = words[i][0], words[j][1]
            rows.append((article_id, alice, start, end, rng.choice(("ACTOR", "CASUALTY", "LOCATION")),
                         text[start:end], "{}", stamp, stamp))
        conn.executemany('INSERT INTO spans (article_id, annotator_id, start, "end", label, text,'
                         " attributes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         rows)
        conn.execute("INSERT INTO article_status VALUES (?, ?, 'done', ?)", (article_id, alice, stamp))
        total += len(rows)
    conn.execute("COMMIT")
    store.close()
    return total


def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def _memory(pids: list[int]) -> tuple[int, int]:
    """(largest RSS, sum of PSS) in bytes over ``pids``."""
    largest = pss = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    largest = max(largest, int(line.split()[1]) * 1024)
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1]) * 1024
        except OSError:
            pass
    return largest, pss


def run_export(db: Path, out: Path, fmt: str, workers: int | None) -> tuple[float, int, int]:
    """(seconds, peak largest RSS, peak PSS sum) of one ``newsmark export`` run."""
    env = dict(os.environ)
    if workers is not None:
        env["NEWSMARK_EXPORT_WORKERS"] = str(workers)
    cmd = [sys.executable, "-m", "annotations", "export", "--db", str(db), "--format", fmt,
           "-o", str(out)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True)
    peak_rss = peak_pss = 0
    while proc.poll() is None:
        rss, pss = _memory(_tree(proc.pid))
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        time.sleep(0.05)
    seconds = time.perf_counter() - t0
    err = proc.stderr.read() if proc.stderr else ""
    if proc.returncode:
        raise SystemExit(f"export failed ({proc.returncode}): {err}")
    print(f"    {seconds:6.2f} s  largest RSS {mib(peak_rss)}  PSS sum {mib(peak_pss)}  "
          f"{err.strip().splitlines()[0]}", flush=True)
    return seconds, peak_rss, peak_pss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--spans", type=int, default=10, help="spans per article")
    parser.add_argument("--db", type=Path, default=None, help="reuse or keep this database")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--format", default="jsonl")
    parser.add_argument("--workers", type=int, default=None, help="export worker processes")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with workdir(None, keep=False) as work:
        db = args.db or work / "export.db"
        if not db.exists():
            print(f"building {args.articles:,} articles in {db} ...", flush=True)
            build(db, args.articles, args.seed, "rebuild")
            t0 = time.perf_counter()
            spans = add_annotations(db, args.spans, args.seed)
            print(f"  added {spans:,} spans in {time.perf_counter() - t0:.0f} s; {mib(db_size(db))}")
        with Store(db) as store:
            articles = store.article_count()
            spans = store.conn.execute("SELECT count(*) FROM spans").fetchone()[0]
        out = work / f"export.{args.format}"
        print(f"export of {articles:,} articles, {spans:,} spans as {args.format}:")
        runs = [run_export(db, out, args.format, args.workers) for _ in range(args.runs)]
        size = out.stat().st_size if out.is_file() else 0
        print(f"median {statistics.median(r[0] for r in runs):.2f} s "
              f"(min {min(r[0] for r in runs):.2f}, max {max(r[0] for r in runs):.2f}); "
              f"output {mib(size)}; peak largest RSS {mib(max(r[1] for r in runs))}, "
              f"peak PSS sum {mib(max(r[2] for r in runs))}")


if __name__ == "__main__":
    main()
