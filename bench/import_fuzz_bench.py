#!/usr/bin/env python3
"""The long run of the import fuzz test (issue 14): thousands of hostile inputs.

Usage:
    python bench/import_fuzz_bench.py [--cases 3000] [--seed N]

Each case is one to three files (plain text, HTML, article JSONL, JSONL tasks,
doccano, a Label Studio task list, or random bytes under any of those names; odd
encodings, control characters, lone surrogates, wrong types, NaN, huge numbers,
100,000-deep nesting; see ``tests/import_fuzz_inputs.py``) imported one by one into
a fresh database with ``import_paths``, the function ``newsmark import`` runs.
Prints the cases tried, the tracebacks (must be 0), the failed checks (a problem
not naming its file, a JSONL line neither imported nor named: must be 0), the
problems named, what was imported, and whether every database passed
``PRAGMA integrity_check``. Exit status 1 if anything failed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]  # the inputs live beside the test that uses them

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from annotations.storage import Store  # noqa: E402
from tests.import_fuzz_inputs import Outcome, check_import, check_store, input_file  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    tally = Counter[str]()
    failures: dict[str, str] = {}

    @seed(args.seed)
    @settings(
        max_examples=args.cases,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.lists(input_file(), min_size=1, max_size=3))
    def case(files: list[tuple[str, bytes]]) -> None:
        tally["cases"] += 1
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            with Store(folder / "fuzz.db") as store:
                for n, (name, data) in enumerate(files):
                    path = folder / f"{n}-{name}"
                    path.write_bytes(data)
                    tally["files"] += 1
                    try:
                        outcome = check_import(store, path)
                    except AssertionError as exc:
                        tally["failed checks"] += 1
                        failures.setdefault(f"check: {str(exc)[:200]}", repr(data[:300]))
                        continue
                    except Exception as exc:
                        tally["tracebacks"] += 1
                        last = traceback.format_exception(exc)[-1].strip()
                        failures.setdefault(f"traceback: {last[:200]}", repr(data[:300]))
                        continue
                    _count(tally, outcome)
                try:
                    check_store(store)
                    tally["databases intact"] += 1
                except AssertionError as exc:
                    tally["databases not intact"] += 1
                    failures.setdefault(f"store: {str(exc)[:200]}", "")

    started = time.perf_counter()
    case()
    elapsed = time.perf_counter() - started
    for key in ("cases", "files", "tracebacks", "failed checks", "problems named", "articles imported"):
        print(f"{key:>22}: {tally[key]:,}")
    print(f"{'annotations imported':>22}: {tally['annotations imported']:,}")
    print(f"{'integrity_check ok':>22}: {tally['databases intact']:,} of {tally['cases']:,} databases")
    print(f"{'time':>22}: {elapsed:,.0f} s ({tally['cases'] / elapsed:,.1f} cases/s)")
    for what, example in failures.items():
        print(f"FAILED {what}\n    e.g. {example}")
    bad = tally["tracebacks"] or tally["failed checks"] or tally["databases not intact"]
    sys.exit(1 if bad else 0)


def _count(tally: Counter[str], outcome: Outcome) -> None:
    tally["problems named"] += outcome.problems
    tally["articles imported"] += outcome.articles
    tally["annotations imported"] += outcome.annotations


if __name__ == "__main__":
    main()
