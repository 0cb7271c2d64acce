#!/usr/bin/env python3
"""Load a JSONL export with Hugging Face ``datasets`` itself, and say what it made of it.

Usage:
    pip install -e '.[bench]'
    python bench/hf_datasets_bench.py [--articles 5000] [--runs 3] [--late]

Builds a database of ``--articles`` synthetic articles done by one annotator,
four spans each, with attributes set on some CASUALTY and LOCATION spans only
(so that attribute keys vary by label, as in real work), exports it with
``newsmark export --format jsonl``, and loads it with
``datasets.load_dataset("json", data_files=...)`` (offline, a fresh cache each
run). It prints the export's size, the median load time, the feature type of
``spans`` (a list of records is right; ``Json`` or a string is the failure the
line schema fixes) and checks every span's values against the database.

It then does the same for the export written into a folder (``-o DIR/``:
``train.jsonl`` and a dataset card with the features), loaded with
``datasets.load_dataset(DIR)``.

``--late`` sets attributes only in the last fifth of the articles: the case
where a key is null in the whole first chunk ``datasets`` reads (10 MB), from
which it infers the features when it has no card. See the README's note on it.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotations.model import Annotation, SpanData, Status  # noqa: E402
from annotations.storage import Store, now  # noqa: E402

WORDS = (
    "the army said two soldiers were killed near Saraqeb in northwest Syria on Tuesday "
    "and Turkey's ministry reported 1,200 displaced after shelling of the town"
).split()


def build(db: Path, n: int, late: bool, seed: int = 1) -> None:
    rng = random.Random(seed)
    with Store(db) as store, store.transaction():
        for i in range(n):
            words = [rng.choice(WORDS) for _ in range(rng.randint(200, 500))]
            text = " ".join(words)
            edges, pos = [], 0
            for word in words:
                edges.append((pos, pos + len(word)))
                pos += len(word) + 1
            may = not late or i >= n * 0.8
            spans = []
            for k in sorted(rng.sample(range(len(words)), 4)):
                start, end = edges[k]
                label = rng.choice(("ACTOR", "CASUALTY", "LOCATION"))
                attributes: dict = {}
                if may and label == "CASUALTY" and rng.random() < 0.5:
                    attributes = {"kind": rng.choice(("killed", "wounded")), "count": rng.randint(1, 90)}
                elif may and label == "LOCATION" and rng.random() < 0.3:
                    attributes = {"lat": rng.uniform(-90, 90), "lon": rng.uniform(-180, 180)}
                spans.append(SpanData(start, end, label, text[start:end], attributes))
            store.import_annotation(
                Annotation(None, text, "alice", Status.DONE, now(), spans, f"Article {i}", "wire", None, None)
            )


def load(path: Path, cache: Path):
    """A file through the json builder; a folder (the export with its card) as a dataset."""
    import datasets

    datasets.disable_progress_bars()
    if path.is_dir():
        return datasets.load_dataset(str(path), split="train", cache_dir=str(cache))
    return datasets.load_dataset("json", data_files=str(path), split="train", cache_dir=str(cache))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--late", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="newsmark-hf-"))
    try:
        db = work / "bench.db"
        build(db, args.articles, args.late)
        for target in (work / "train.jsonl", work / "folder"):
            export = [
                sys.executable,
                "-m",
                "tui",
                "export",
                "--db",
                str(db),
                "-o",
                f"{target}/" if target.name == "folder" else str(target),
            ]
            subprocess.run(export, check=True, stderr=subprocess.DEVNULL)
            size = (
                sum(f.stat().st_size for f in target.rglob("*")) if target.is_dir() else target.stat().st_size
            )
            print(
                f"\nexport {'into a folder, with its card' if target.is_dir() else 'to a file'}: "
                f"{args.articles:,} articles, {size / 2**20:.1f} MiB"
                f"{' (attributes only in the last fifth)' if args.late else ''}"
            )
            measure(db, target, work, args.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def measure(db: Path, target: Path, work: Path, runs: int) -> None:
    times, ds = [], None
    for run in range(runs):
        cache = work / f"cache-{target.name}-{run}"
        start = time.perf_counter()
        try:
            ds = load(target, cache)
        except Exception as exc:  # the failure is the finding: say it and go on
            print(f"datasets.load_dataset failed: {type(exc).__name__}: {exc} (cause: {exc.__cause__!r})")
            return
        times.append(time.perf_counter() - start)
    assert ds is not None
    print(f"load_dataset: median {statistics.median(times):.2f} s of {runs}")
    print(f"spans feature: {str(ds.features['spans'])[:400]}")
    with Store(db) as store:
        saved = {a.article_id: a for a in store.export_annotations(store.export_keys())}
    checked = 0
    for row in ds:
        ann = saved[row["meta"]["id"]]
        assert [(s["start"], s["end"], s["label"]) for s in row["spans"]] == [
            (s.start, s.end, s.label) for s in ann.spans
        ]
        for got, span in zip(row["spans"], ann.spans):
            assert isinstance(got, dict), "spans are not records"
            assert {k: v for k, v in got["attributes"].items() if v is not None} == span.attributes
            checked += 1
    print(f"checked {checked:,} spans against the database: all records, all values right")


if __name__ == "__main__":
    main()
