"""Quality gate: the cleaners must keep their benchmark scores.

Runs the shared cleaning benchmark (``../shared/bench/cleaning``, or the folder
in ``$NEWSMARK_CLEANING_BENCH``) with its own scorer, the way
``bench/cleaning_bench.py`` does, and fails if a change drops F1 below the
issue's floors. Skipped where the benchmark is not present (it is not ours to
ship in the repo).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(os.environ.get("NEWSMARK_CLEANING_BENCH", ROOT.parent / "shared" / "bench" / "cleaning"))

pytestmark = pytest.mark.skipif(not (BENCH / "score.py").exists(), reason=f"no cleaning benchmark at {BENCH}")


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        spec = importlib.util.spec_from_file_location("cleaning_bench", ROOT / "bench" / "cleaning_bench.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "bench"))
    scorer = module.load_scorer(BENCH)
    return module, scorer, scorer.load_gt(BENCH / "ground-truth.json")


@pytest.mark.parametrize("mode, floor", [("text", 0.92), ("html", 0.96)])
def test_cleaner_f1_floor(bench, tmp_path, mode, floor):
    module, scorer, gt = bench
    runner = {"text": module.run_text, "html": module.run_html}[mode]
    preds = runner(BENCH, tmp_path)
    metrics = scorer.evaluate(gt, preds, 4, n_bootstrap=0)
    assert metrics["f1"] >= floor, f"{mode} F1 {metrics['f1']:.3f} < {floor}"
