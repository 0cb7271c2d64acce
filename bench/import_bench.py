#!/usr/bin/env python3
"""Time ``newsmark import`` end to end on a synthetic corpus.

Usage:
    python bench/import_bench.py --articles 100000 [--format txt|jsonl] [--repeat R]
                                 [--cli] [--profile [N]] [--workdir DIR] [--keep]
                                 [--no-suggest | --both]

Writes a corpus with make_corpus.py's generator, then imports it R times, each
time into a fresh database, with the importer the CLI uses
(``annotations.importing.import_paths``): reading, both passes, cleaning,
storing, FTS indexing, short transactions (Store.add_articles). Prints articles/s per run and
their median, and the database size. The floor from the issue: 300 articles/s
for 100,000 plain-text articles.

New articles get the rules' suggestions as the CLI's import gives them (issue 15);
``--no-suggest`` times the import without them, ``--both`` alternates the two in one
run (each its own median) to show what suggesting costs.

``--cli`` also times the ``newsmark import`` command itself (a subprocess: adds
interpreter start-up and the report). ``--profile N`` imports the first N
articles (default 5,000) under cProfile and prints where the time goes: pass 1
(line counting), reading, cleaning, storing; and the top 15 functions.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import db_size, mib, workdir  # noqa: E402
from make_corpus import write_corpus  # noqa: E402

from annotations.importing import import_paths  # noqa: E402
from annotations.storage import Store  # noqa: E402

FLOOR = 300.0  # articles/s, end to end, 100,000 plain-text articles

# Phases of an import, as (label, function name, file suffix) for the profile
# breakdown; cumulative times, so nested phases overlap their parent.
PHASES = (
    ("pass 1: read + count lines", "count_lines", "importing.py"),
    ("pass 2: whole", "import_input", "importing.py"),
    ("  read files (decode)", "read_input", "readers.py"),
    ("  sanitize", "stored_text", "controls.py"),
    ("  clean (clean_plaintext)", "clean_plaintext", "plaintext.py"),
    ("  content hash", "content_hash", "importing.py"),
    ("  store: INSERT + FTS trigger", "add_article", "store.py"),
    ("  store: batches (COMMITs)", "in_batches", "connection.py"),
    ("pass 1 + 2: _known() lookups", "_known", "importing.py"),
)


def import_once(corpus: Path, db: Path, suggest: bool = True) -> tuple[float, int, int]:
    """Import ``corpus`` into a new ``db``: (seconds, articles added, problems)."""
    t0 = time.perf_counter()
    with Store(db) as store:  # opening (migrations) is part of an import too
        report = import_paths(store, [str(corpus)], fetch=False, suggest=suggest)
    return time.perf_counter() - t0, report.added, len(report.problems)


def import_cli(corpus: Path, db: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        ["newsmark", "import", str(corpus), "--db", str(db), "--no-fetch"],
        check=True,
        stdout=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    return time.perf_counter() - t0


def profile(corpus: Path, db: Path, n: int) -> None:
    prof = cProfile.Profile()
    prof.enable()
    seconds, added, _ = import_once(corpus, db)
    prof.disable()
    stats = pstats.Stats(prof)
    # Total under the profiler is inflated; shares are what to read.
    total = sum(v[3] for k, v in stats.stats.items() if k[2] == "import_paths")  # type: ignore[attr-defined]
    print(
        f"\nprofile of {n:,} articles ({added:,} added, {seconds:.1f} s under cProfile; "
        f"{added / seconds:,.0f} articles/s with profiler overhead)"
    )
    for label, func, suffix in PHASES:
        cum = sum(
            v[3]
            for k, v in stats.stats.items()  # type: ignore[attr-defined]
            if k[2] == func and k[0].endswith(suffix)
        )
        calls = sum(
            v[1]
            for k, v in stats.stats.items()  # type: ignore[attr-defined]
            if k[2] == func and k[0].endswith(suffix)
        )
        print(f"  {label:<34} {cum:7.2f} s  {100 * cum / total:5.1f} %  ({calls:,} calls)")
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(15)
    print(out.getvalue())
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(15)
    print(out.getvalue())


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--format", choices=("txt", "jsonl"), default="txt")
    ap.add_argument("--repeat", type=int, default=1, help="timed imports, each into a fresh database")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-suggest", action="store_true", help="import without the rules' suggestions")
    ap.add_argument("--both", action="store_true", help="time imports with and without suggestions")
    ap.add_argument("--cli", action="store_true", help="also time the newsmark command (subprocess)")
    ap.add_argument(
        "--profile",
        type=int,
        nargs="?",
        const=5000,
        default=None,
        metavar="N",
        help="profile an import of N articles (default 5,000)",
    )
    ap.add_argument("--workdir", type=Path, default=None, help="where the corpus and databases go")
    ap.add_argument("--keep", action="store_true", help="keep the corpus and databases")
    args = ap.parse_args(argv)

    with workdir(args.workdir, args.keep) as work:
        rates: list[float] = []
        if args.repeat > 0:
            corpus = work / f"corpus-{args.format}-{args.articles}"
            t0 = time.perf_counter()
            files = write_corpus(corpus, args.articles, args.seed, args.format)
            print(
                f"corpus: {args.articles:,} {args.format} articles in {files:,} files "
                f"({time.perf_counter() - t0:.1f} s to generate), seed {args.seed}"
            )
            modes = [True, False] if args.both else [not args.no_suggest]
            by_mode: dict[bool, list[float]] = {mode: [] for mode in modes}
            for run in range(1, args.repeat + 1):
                for mode in modes:
                    db = work / f"import-{run}.db"
                    seconds, added, problems = import_once(corpus, db, suggest=mode)
                    rates.append(args.articles / seconds)
                    by_mode[mode].append(rates[-1])
                    print(
                        f"run {run} ({'with' if mode else 'without'} suggestions): {seconds:8.1f} s  {rates[-1]:8,.0f} articles/s  "
                        f"added {added:,}  problems {problems:,}  db {mib(db_size(db))}"
                        f" ({db_size(db) / max(added, 1):,.0f} B/article)"
                    )
                    if run < args.repeat or mode != modes[-1]:
                        os.unlink(db)
            if args.cli:
                db = work / "import-cli.db"
                seconds = import_cli(corpus, db)
                print(
                    f"cli:   {seconds:8.1f} s  {args.articles / seconds:8,.0f} articles/s  "
                    f"(newsmark import, subprocess)"
                )
            for mode, mode_rates in by_mode.items():
                median = statistics.median(mode_rates)
                verdict = "meets" if median >= FLOOR else "MISSES"
                print(
                    f"\nimport, {args.format}, {args.articles:,} articles, {'with' if mode else 'without'} "
                    f"suggestions: median {median:,.0f} articles/s over {len(mode_rates)} run(s); "
                    f"{verdict} the floor of {FLOOR:.0f} articles/s"
                )
        if args.profile:
            small = work / f"corpus-{args.format}-{args.profile}"
            write_corpus(small, args.profile, args.seed, args.format)
            profile(small, work / "profile.db", args.profile)


if __name__ == "__main__":
    main()
