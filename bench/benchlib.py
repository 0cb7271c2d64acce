"""Small helpers the scale benchmarks share: work folders, timing, sizes.

Not a benchmark itself; ``import_bench.py`` and ``query_bench.py`` import it.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# The benchmarks run from a checkout: make `annotations` importable without installing.
REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


@contextmanager
def workdir(path: Path | None, keep: bool) -> Iterator[Path]:
    """``path`` (created) or a fresh temp folder; removed afterwards unless ``keep``.

    A folder the user named is only emptied of what we put there, never removed
    wholesale if it existed before: it may hold other things.
    """
    existed = path is not None and path.exists()
    folder = Path(tempfile.mkdtemp(prefix="newsmark-bench-")) if path is None else path
    folder.mkdir(parents=True, exist_ok=True)
    before = set(folder.iterdir()) if existed else set()
    try:
        yield folder
    finally:
        if keep:
            print(f"kept work files in {folder}")
        elif existed:
            for item in set(folder.iterdir()) - before:
                shutil.rmtree(item) if item.is_dir() else item.unlink()
        else:
            shutil.rmtree(folder, ignore_errors=True)


def db_size(db: Path) -> int:
    """Bytes of a SQLite database with its WAL and shared-memory files."""
    return sum(p.stat().st_size for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")) if p.exists())


def mib(n: int) -> str:
    return f"{n / 2**20:,.1f} MiB"


@dataclass(frozen=True)
class Timing:
    """Seconds per call over a series of runs."""

    runs: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def p95(self) -> float:
        # Nearest-rank: with 200 runs, the 190th fastest.
        ordered = sorted(self.runs)
        return ordered[max(0, round(0.95 * len(ordered)) - 1)]

    @property
    def max(self) -> float:
        return max(self.runs)


def time_calls(call: Callable[[int], object], runs: int, budget: float, warmup: int = 3) -> Timing:
    """Time ``call(i)`` for i in range(runs), stopping early (after 5 runs) past ``budget`` seconds.

    The machine is shared and noisy: medians and p95 of many short runs say
    more than one long run. Warm-up calls bring the pages into the cache first.
    """
    for i in range(warmup):
        call(-1 - i)
    times: list[float] = []
    started = time.perf_counter()
    for i in range(runs):
        t0 = time.perf_counter()
        call(i)
        times.append(time.perf_counter() - t0)
        if len(times) >= 5 and time.perf_counter() - started > budget:
            break
    return Timing(times)
