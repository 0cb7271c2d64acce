"""How good and how fast the suggestions are, on ../shared/bench/suggest (or --gold DIR).

Imports the benchmark's ``articles.jsonl`` into a fresh database with ``newsmark
import``, runs ``newsmark suggest --output`` (``--direct``: the rules in this
process over the stored texts, for quick turns while developing them), and
prints the benchmark scorer's per-label precision, recall and F1, exact and
overlap, the CASUALTY attribute shares, and whether each floor of issue 15 holds.
``--speed`` also times :func:`annotations.suggest.suggest_text` on 1,000-word
texts made of the benchmark's articles (median of ``--runs``).

    python bench/suggest_bench.py [--gold DIR] [--direct] [--errors N] [--speed]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchlib import REPO, workdir

DEFAULT_GOLD = REPO.parent / "shared" / "bench" / "suggest"

# (label, measure) -> the floor of issue 15
FLOORS = {
    ("LOCATION", "overlap"): 0.85,
    ("ACTOR", "overlap"): 0.70,
    ("CASUALTY", "overlap"): 0.80,
    ("LOCATION", "exact"): 0.80,
    ("ACTOR", "exact"): 0.55,
    ("CASUALTY", "exact"): 0.65,
}
COUNT_FLOOR = 0.92


def newsmark(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-c", "from tui.cli import main; main()", *args]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)


def predict_direct(db: Path, out: Path) -> None:
    """What ``newsmark suggest --output`` writes, made in this process: id, text, meta, spans."""
    from annotations.storage import Store
    from annotations.suggest import suggest_text

    with Store(db) as store, open(out, "w", encoding="utf-8") as f:
        for row in store.db.query("SELECT id FROM articles ORDER BY id"):
            article = store.article(row["id"])
            assert article is not None
            spans = [
                {
                    "start": s.start,
                    "end": s.end,
                    "label": s.label,
                    "text": s.text,
                    "attributes": dict(s.attributes),
                    "origin": s.origin,
                }
                for s in suggest_text(article.clean_text)
            ]
            meta = {"id": article.id, "external_id": article.external_id, "url": article.url}
            line = {"id": article.external_id, "text": article.clean_text, "meta": meta, "spans": spans}
            f.write(json.dumps(line, ensure_ascii=False) + "\n")


def score(gold: Path, predictions: Path, errors: int) -> dict:
    scorer = [sys.executable, str(gold / "score.py"), str(gold), str(predictions)]
    if errors:
        shown = subprocess.run(
            [*scorer, "--errors", str(errors)], capture_output=True, text=True, check=False
        )
        print(shown.stdout, shown.stderr, sep="")
    done = subprocess.run([*scorer, "--json"], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def _label_figures(result: dict, label: str, measure: str) -> dict | None:
    """The scorer's P/R/F1 for ``label`` and ``measure`` (its JSON: per label, per measure)."""
    entry = result["labels"].get(label, {})
    return entry.get(measure)


def report(result: dict) -> bool:
    ok = True
    print(f"{'label':<10} {'measure':<8} {'P':>6} {'R':>6} {'F1':>6}  floor")
    for label in ("ACTOR", "LOCATION", "CASUALTY"):
        for measure in ("overlap", "exact"):
            fig = _label_figures(result, label, measure)
            if fig is None:
                print(f"{label:<10} {measure:<8} (not in the scorer's output)")
                continue
            floor = FLOORS.get((label, measure))
            held = floor is None or fig["f1"] >= floor
            ok &= held
            mark = "" if floor is None else f"{floor:.2f} {'ok' if held else 'BELOW'}"
            p = fig["precision"] if fig["precision"] is not None else 0.0
            print(f"{label:<10} {measure:<8} {p:6.3f} {fig['recall']:6.3f} {fig['f1']:6.3f}  {mark}")
    attributes = result.get("casualty_attributes") or {}
    if attributes.get("matched"):
        shares = "  ".join(
            f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in attributes.items()
        )
        print(f"CASUALTY attributes: {shares}")
        count = attributes.get("count")
        if isinstance(count, float):
            held = count >= COUNT_FLOOR
            ok &= held
            print(f"count right {count:.3f}  floor {COUNT_FLOOR:.2f} {'ok' if held else 'BELOW'}")
    return ok


def speed(gold: Path, runs: int) -> None:
    """Milliseconds per 1,000-word text (the benchmark's articles joined to that length)."""
    from annotations.suggest import suggest_text

    texts = [json.loads(line)["text"] for line in open(gold / "articles.jsonl", encoding="utf-8")]
    started = time.perf_counter()
    suggest_text("Turkish troops killed two people in Idlib.")
    print(f"first call (loads the lists and gazetteer): {1000 * (time.perf_counter() - started):.0f} ms")
    docs, words, current = [], 0, []
    for text in texts * 3:
        current.append(text)
        words += len(text.split())
        if words >= 1000:
            docs.append("\n\n".join(current))
            current, words = [], 0
    per_doc = []
    for doc in docs:
        n = len(doc.split())
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            suggest_text(doc)
            times.append(time.perf_counter() - t0)
        per_doc.append(1000 * statistics.median(times) * 1000 / n)
    print(
        f"suggest_text: {statistics.median(per_doc):.1f} ms per 1,000 words (median of {len(per_doc)} texts, "
        f"each the median of {runs} runs; slowest {max(per_doc):.1f} ms)"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gold", type=Path, default=DEFAULT_GOLD, help="the benchmark folder")
    ap.add_argument("--direct", action="store_true", help="run the rules in this process, not the CLI")
    ap.add_argument(
        "--errors", type=int, default=0, metavar="N", help="list N misses and false spans per label"
    )
    ap.add_argument("--speed", action="store_true", help="also time the rules on 1,000-word texts")
    ap.add_argument("--runs", type=int, default=5, help="timing runs per text (--speed)")
    ap.add_argument("--keep", type=Path, default=None, help="work in this folder and keep it")
    args = ap.parse_args()
    if not (args.gold / "articles.jsonl").is_file():
        print(f"suggest_bench: no articles.jsonl in {args.gold}", file=sys.stderr)
        return 2
    with workdir(args.keep, keep=args.keep is not None) as folder:
        db, out = folder / "suggest.db", folder / "suggestions.jsonl"
        done = newsmark("import", "--no-suggest", "--db", str(db), str(args.gold / "articles.jsonl"))
        if done.returncode != 0:
            print(done.stdout, done.stderr, sep="", file=sys.stderr)
            return 1
        started = time.perf_counter()
        if args.direct:
            predict_direct(db, out)
        else:
            done = newsmark("suggest", "--db", str(db), "--output", str(out))
            if done.returncode != 0:
                print(done.stdout, done.stderr, sep="", file=sys.stderr)
                return 1
        print(
            f"suggested in {time.perf_counter() - started:.2f} s ({'direct' if args.direct else 'newsmark suggest'})"
        )
        ok = report(score(args.gold, out, args.errors))
    if args.speed:
        speed(args.gold, args.runs)
    print("all floors hold" if ok else "some floors do not hold")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
