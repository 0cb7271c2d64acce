#!/usr/bin/env python3
"""Score newsmark's cleaners on the shared cleaning benchmark, and time them.

Usage:
    python bench/cleaning_bench.py ../shared/bench/cleaning [--mode text|html|both] [--out DIR]

For each page it runs the same cleaner ``newsmark import`` uses (plain text ->
``clean_plaintext``, HTML -> ``clean_html``), writes ``<id>.txt`` into an output
folder and scores that folder with the benchmark's own ``score.py`` (4-word
shingles, per-document precision and recall, F1 of the means).

Speed: the plain-text cleaner is timed on one core over the whole set, several
rounds; the median articles/second is printed.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from annotations.cleaning import clean_html, clean_plaintext  # noqa: E402


def load_scorer(bench: Path):
    spec = importlib.util.spec_from_file_location("aeb_score", bench / "score.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def run_text(bench: Path, out: Path) -> dict[str, str]:
    outputs = {}
    for path in sorted((bench / "text").glob("*.txt")):
        outputs[path.stem] = clean_plaintext(path.read_text("utf-8")).text
        (out / f"{path.stem}.txt").write_text(outputs[path.stem], "utf-8")
    return outputs


def run_html(bench: Path, out: Path) -> dict[str, str]:
    outputs = {}
    for path in sorted((bench / "html").glob("*.html.gz")):
        doc_id = path.name.removesuffix(".html.gz")
        html = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
        outputs[doc_id] = clean_html(html).text
        (out / f"{doc_id}.txt").write_text(outputs[doc_id], "utf-8")
    return outputs


def time_text(bench: Path, rounds: int) -> float:
    """Median articles/second of the plain-text cleaner over ``rounds`` passes."""
    raws = [p.read_text("utf-8") for p in sorted((bench / "text").glob("*.txt"))]
    rates = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for raw in raws:
            clean_plaintext(raw)
        rates.append(len(raws) / (time.perf_counter() - t0))
    return statistics.median(rates)


def report(name: str, scorer, gt: dict, preds: dict) -> dict:
    m = scorer.evaluate(gt, preds, 4, n_bootstrap=0)
    print(
        f"{name:<6} F1 {m['f1']:.3f}  P {m['precision']:.3f}  R {m['recall']:.3f}  "
        f"exact {m['accuracy']:.3f}  empty {m['n_empty']}  (n={len(gt)})"
    )
    return m


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("bench", type=Path, help="the shared cleaning benchmark folder")
    ap.add_argument("--mode", choices=["text", "html", "both"], default="both")
    ap.add_argument("--out", type=Path, help="keep the cleaned outputs here (default: a temp folder)")
    ap.add_argument("--rounds", type=int, default=5, help="timing rounds for the speed figure")
    ap.add_argument("--per-doc", action="store_true", help="print each document's F1, worst first")
    args = ap.parse_args()

    scorer = load_scorer(args.bench)
    gt = scorer.load_gt(args.bench / "ground-truth.json")
    with tempfile.TemporaryDirectory() as tmp:
        base = args.out or Path(tmp)
        for mode, runner in (("text", run_text), ("html", run_html)):
            if args.mode not in (mode, "both"):
                continue
            out = base / mode
            out.mkdir(parents=True, exist_ok=True)
            preds = runner(args.bench, out)
            m = report(mode, scorer, gt, preds)
            if args.per_doc:
                rows = []
                for doc_id, d in m["per_doc"].items():
                    tp, fp, fn = d["tp_fp_fn"]
                    p = scorer._prec(tp, fp, fn)
                    r = scorer._rec(tp, fp, fn)
                    rows.append((2 * p * r / (p + r) if p + r else 0.0, p, r, doc_id))
                for f, p, r, doc_id in sorted(rows)[:25]:
                    print(f"   {f:.3f}  P {p:.3f}  R {r:.3f}  {doc_id}")
    if args.mode in ("text", "both"):
        rate = time_text(args.bench, args.rounds)
        print(
            f"speed  plain-text cleaner: {rate:,.0f} articles/s on one core "
            f"(median of {args.rounds} passes over {len(gt)} pages)"
        )


if __name__ == "__main__":
    main()
