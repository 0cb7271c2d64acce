#!/usr/bin/env python3
"""How fast ``newsmark export`` writes each format, and how much memory it takes.

Usage:
    python bench/export_bench.py [--articles 100000] [--spans 10] [--db PATH]
                                 [--runs 3] [--format jsonl,spacy] [--workers N]

Builds (or reuses, with ``--db`` naming an existing file) a database of
synthetic articles (``bench/query_bench.py``'s rows from the deterministic
corpus of ``bench/make_corpus.py``: cleaned news text of about 3,000
characters, ~530 tokens) where annotator "alice" has marked every article
done with ``--spans`` spans of one to three tokens each. Then, for every
format in ``annotations.export.FORMATS`` (or those of ``--format``), runs the
real command, ``newsmark export --db DB --format F -o OUT``, in a child
process of its own ``--runs`` times, and prints a table: the median wall
time, spans written per second, the output size, and the peak memory: the
largest resident set of any one process (its ``VmHWM``, the kernel's
high-water mark), and the peak of the sum of proportional set sizes (PSS) over
the command and its worker processes, which counts memory that forked
processes share only once; both are sampled every 50 ms.

The issue's floors, at 100,000 articles and 1,000,000 spans: JSONL at
>= 100,000 spans/s; the spaCy export (shards of 5,000 docs) under 400 MB peak.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import db_size, mib, workdir  # noqa: E402
from query_bench import build  # noqa: E402

from annotations.export import FORMATS  # noqa: E402
from annotations.storage import Store, now  # noqa: E402
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
            rows.append(
                (
                    article_id,
                    alice,
                    start,
                    end,
                    rng.choice(("ACTOR", "CASUALTY", "LOCATION")),
                    text[start:end],
                    "{}",
                    stamp,
                    stamp,
                )
            )
        conn.executemany(
            'INSERT INTO spans (article_id, annotator_id, start, "end", label, text,'
            " attributes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
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
    """(largest peak RSS, sum of PSS) in bytes over ``pids``.

    The peak is each process's ``VmHWM``, its resident high-water mark since
    it started (exec'd), so a sample misses nothing before it. (The kernel's
    ``ru_maxrss`` of a child is no use here: it keeps the high-water mark of
    the forking parent, this script, across the exec.)
    """
    largest = pss = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    largest = max(largest, int(line.split()[1]) * 1024)
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1]) * 1024
        except OSError:
            pass
    return largest, pss


SPANS = re.compile(r"exported (\d+) annotation\(s\) with (\d+) span\(s\)")
TARGETS = {"brat": "export-brat", "spacy": "export.spacy"}  # a folder; a file or a folder


@dataclass(frozen=True)
class Run:
    seconds: float
    spans: int  # written, as the command reports them
    largest_rss: int  # bytes
    pss_sum: int  # bytes, sampled
    size: int  # bytes of the output (all files of a folder)


def output_size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size if path.exists() else 0


def run_export(db: Path, out: Path, fmt: str, workers: int | None) -> Run:
    """One ``newsmark export`` run in a child process, timed and its memory watched."""
    env = dict(os.environ)
    if workers is not None:
        env["NEWSMARK_EXPORT_WORKERS"] = str(workers)
    cmd = [sys.executable, "-m", "tui", "export", "--db", str(db), "--format", fmt, "-o", str(out)]
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
        raise RuntimeError(f"export failed ({proc.returncode}): {err.strip()[-500:]}")
    found = SPANS.search(err)
    run = Run(seconds, int(found.group(2)) if found else 0, peak_rss, peak_pss, output_size(out))
    print(
        f"    {fmt:<12} {seconds:7.2f} s  largest RSS {mib(run.largest_rss):>11}  "
        f"PSS sum {mib(peak_pss):>11}  {err.strip().splitlines()[0]}",
        flush=True,
    )
    return run


def report(results: dict[str, list[Run] | str], articles: int) -> None:
    """The table: per format, medians over its runs, and the peaks over them."""
    print(f"\n{articles:,} articles | median of runs | spans/s = spans written / median s")
    print(
        f"{'format':<12} {'runs':>4} {'seconds':>9} {'spans/s':>11} {'largest RSS':>13} "
        f"{'PSS sum':>13} {'output':>13}"
    )
    for fmt, runs in results.items():
        if isinstance(runs, str):
            print(f"{fmt:<12} failed: {runs}")
            continue
        seconds = statistics.median(r.seconds for r in runs)
        print(
            f"{fmt:<12} {len(runs):>4} {seconds:>9.2f} {runs[0].spans / seconds:>11,.0f} "
            f"{mib(max(r.largest_rss for r in runs)):>13} "
            f"{mib(max(r.pss_sum for r in runs)):>13} {mib(runs[-1].size):>13}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--spans", type=int, default=10, help="spans per article")
    parser.add_argument("--db", type=Path, default=None, help="reuse or keep this database")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--format",
        default=",".join(FORMATS),
        help="formats to run, comma-separated (default: all of FORMATS)",
    )
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
        formats = [f.strip() for f in args.format.split(",") if f.strip()]
        print(f"export of {articles:,} articles, {spans:,} spans, {args.runs} run(s) per format:")
        results: dict[str, list[Run] | str] = {}
        for fmt in formats:
            out = work / TARGETS.get(fmt, f"export.{fmt}")
            try:
                results[fmt] = [run_export(db, out, fmt, args.workers) for _ in range(args.runs)]
            except RuntimeError as exc:
                print(f"    {fmt}: {exc}", flush=True)
                results[fmt] = str(exc).splitlines()[-1][:200]
            shutil.rmtree(out) if out.is_dir() else out.unlink(missing_ok=True)
        report(results, articles)


if __name__ == "__main__":
    main()
