#!/usr/bin/env python3
"""Peak memory of ``newsmark import`` for one huge JSONL line (issue 14: under 300 MB).

Usage:
    python bench/import_memory_bench.py [--mb 50] [--repeat 3] [--repo DIR] [--workdir DIR] [--keep]

Writes a JSONL file of one article whose ``"text"`` is ``--mb`` MB (10**6 bytes) of
news-like paragraphs, imports it ``--repeat`` times, each time into a fresh database
in a child process (``newsmark import`` as the CLI runs it), and prints each run's peak
resident memory (the child's ``ru_maxrss``), their median, and what was imported.

``--repo DIR``: run the importer of another checkout (``git archive HEAD | tar -x -C
DIR`` gives one of the last commit), to measure before and after a change.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import REPO, workdir  # noqa: E402

LIMIT_MB = 300.0
SENTENCES = (
    "Shelling hit the town of Saraqeb on Monday, killing four civilians and wounding seven others.",
    "The attack came a day after government forces retook two villages south of the town.",
    "Aid groups said they had suspended deliveries until the roads were safe again.",
    "A spokesman for the regional council said the water supply had been cut for a week.",
    "Residents fled north towards the border, where camps are already full.",
)
# The child imports and reports its own peak: ru_maxrss of RUSAGE_SELF, in KiB on Linux.
CHILD = (
    "import resource, sys\n"
    "sys.argv = ['newsmark', 'import', '--no-fetch', '--db', sys.argv[1], sys.argv[2]]\n"
    "from annotations.cli import main\n"
    "try:\n"
    "    main()\n"
    "except SystemExit as exc:\n"
    "    code = exc.code\n"
    "print('PEAK_KIB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def write_line(path: Path, size: int) -> int:
    """One JSONL article of about ``size`` bytes of text (paragraphs of sentences)."""
    paragraph = " ".join(SENTENCES)
    pieces, length, n = [], 0, 0
    while length < size:
        piece = f"{paragraph} (Report {n}.)"
        pieces.append(piece)
        length += len(piece) + 2
        n += 1
    text = "\n\n".join(pieces)[:size]
    path.write_text(json.dumps({"title": "A very long report", "text": text}) + "\n", "utf-8")
    return len(text)


def run(repo: Path, db: Path, data: Path) -> tuple[float, int, str]:
    """One import in a child process: (peak MB, 10**6 bytes, exit status, its output)."""
    env = {**os.environ, "PYTHONPATH": str(repo)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(db), str(data)],
        capture_output=True,
        text=True,
        env=env,
        cwd=repo,
        check=False,
    )
    peak = next(
        (int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("PEAK_KIB")),
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    return peak * 1024 / 10**6, done.returncode, (done.stdout + done.stderr).strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=50.0, help="size of the line's text, in 10**6 bytes")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--repo", type=Path, default=REPO, help="checkout whose importer runs")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    with workdir(args.workdir, args.keep) as folder:
        data = folder / "huge.jsonl"
        chars = write_line(data, int(args.mb * 10**6))
        print(f"one JSONL line, text of {chars:,} characters ({data.stat().st_size / 10**6:.1f} MB file)")
        print(f"importer: {args.repo}")
        peaks = []
        for i in range(args.repeat):
            db = folder / f"run{i}.db"
            peak, status, output = run(args.repo, db, data)
            peaks.append(peak)
            imported = next((ln.split()[0] for ln in output.splitlines() if "imported" in ln), "?")
            print(f"run {i + 1}: peak {peak:,.0f} MB, exit status {status}, imported {imported}")
            if status != 0:
                print(output[-2000:])
            db.unlink(missing_ok=True)
        median = statistics.median(peaks)
        verdict = "under" if median < LIMIT_MB else "OVER"
        print(f"median peak: {median:,.0f} MB ({verdict} the {LIMIT_MB:.0f} MB limit)")


if __name__ == "__main__":
    main()
