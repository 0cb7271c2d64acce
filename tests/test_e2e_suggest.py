"""End to end in a real terminal: the sample corpus imported with its suggestions, one
accepted with ``a`` in ``newsmark annotate`` (inside tmux), then exported as in-progress
work: the accepted suggestion is the annotator's span in the export."""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path

from conftest import SAMPLE_CORPUS
from tmux_terminal import NEEDS_TMUX, NEWSMARK, READY_TIMEOUT, Terminal

from annotations.model import Suggestion
from annotations.storage import Store

pytestmark = NEEDS_TMUX
WHO = "e2e"


def imported(tmp_path: Path) -> Path:
    """The sample corpus imported as a user would, suggestions on (the default)."""
    db = tmp_path / "suggest.db"
    assert NEWSMARK is not None
    subprocess.run([NEWSMARK, "import", str(SAMPLE_CORPUS), "--db", str(db)], check=True, capture_output=True)
    with Store(db) as store:
        article = store.article(1)
        assert article is not None
        if not any(s.start == 0 for s in store.suggestions(1)):  # rules silent: store one
            word = article.clean_text.split()[0]
            store.set_suggestions(1, [Suggestion(0, len(word), "ACTOR", word, "test.rule")], "test")
    return db


def test_accept_a_suggestion_with_a_then_export_it(term: Terminal, tmp_path: Path):
    db = imported(tmp_path)
    with Store(db) as store:
        first = next(s for s in store.suggestions(1) if s.start == 0)
    term.start(f"{shlex.quote(str(NEWSMARK))} annotate --db {shlex.quote(str(db))} --annotator {WHO}")
    term.wait_for("done ", "Turkey Says Syrian", timeout=READY_TIMEOUT)
    term.keys("Enter")  # open the first article: the cursor at its start, on the suggestion
    term.wait_for(f"suggested {first.label}", "a accept")
    term.keys("a")
    term.wait_for("saved", f"accepted {first.label}")
    term.keys("q")
    assert term.wait_exit() == 0
    with Store(db) as store:
        spans = store.spans(1, WHO)
    assert [(s.start, s.end, s.label, s.origin) for s in spans] == [
        (first.start, first.end, first.label, first.origin)
    ]
    out = subprocess.run(
        [NEWSMARK, "export", "--db", str(db), "--format", "jsonl", "--status", "in_progress"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    records = [json.loads(line) for line in out.splitlines() if line.strip()]
    exported = [
        (span["start"], span["end"], span["label"])
        for record in records
        if record.get("_annotator_id") == WHO
        for span in record.get("spans", [])
    ]
    assert exported == [(first.start, first.end, first.label)], records
