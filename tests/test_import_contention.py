"""Annotators are never locked out while an import runs (issue 14).

The import stores articles in short transactions (:meth:`Store.add_articles`) and
lets waiting writers go first between them (:mod:`annotations.storage.sqlite.turns`).
Checked here: real annotator processes beside a real ``newsmark import`` lose no
write and get their turns during it; a batch the database refuses loses only
itself, named by file and lines; the limits on a transaction hold. How long
writes wait is the bench's figure (bench/import_contention_bench.py), not a test's.
"""

from __future__ import annotations

import fcntl
import json
import multiprocessing as mp
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from annotations.importing import import_paths
from annotations.model import NewArticle
from annotations.storage import Store
from tests.conftest import add_text, stored_articles

WRITERS = 3
RATE = 20.0  # spans per second per annotator
IMPORTED = 2500  # articles in the one JSONL file the import reads


def article_line(i: int) -> str:
    """A small article whose every line is its own (no line is boilerplate of the source)."""
    text = "\n\n".join(
        f"Officials in district {i} said {n} families had left the area on day {i}-{n}, "
        f"and that aid convoy {i}/{n} had reached the camp before nightfall."
        for n in range(3)
    )
    return json.dumps({"id": f"a{i}", "title": f"Report {i}", "source": "wire", "text": text})


def annotate(db: str, name: str, go: Any, stop: Any, out: Any) -> None:
    """One annotator: tag a span every 1/RATE s on the seed articles until ``stop``."""
    from annotations.session.annotate import AnnotateSession
    from annotations.session.errors import SessionError

    store = Store(db, durable=True)  # as the app opens it
    session = AnnotateSession(store, name)
    ids = [row.id for row in store.page(0, 10)]
    attempted, errors = 0, []
    go.wait()
    t0 = time.monotonic()
    while not stop.is_set():
        article_id = ids[attempted % len(ids)]
        if session.article_id != article_id:
            session.open(article_id)
        offset = attempted // len(ids)
        try:
            session.tag(offset, offset + 1, "ACTOR")
        except SessionError as exc:
            errors.append(str(exc))
        attempted += 1
        time.sleep(max(0.0, t0 + attempted / RATE - time.monotonic()))
    store.close()
    out.put((name, attempted, errors))


def test_annotators_lose_nothing_and_get_turns_while_an_import_runs(tmp_path):
    db = tmp_path / "newsmark.db"
    with Store(db) as store:
        for n in range(4):
            add_text(store, " ".join(f"word{n}x{k}" for k in range(400)), n)
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(article_line(i) for i in range(IMPORTED)) + "\n")
    ctx = mp.get_context("spawn")
    go, stop, out = ctx.Event(), ctx.Event(), ctx.Queue()
    writers = [
        ctx.Process(target=annotate, args=(str(db), f"ann{i}", go, stop, out), daemon=True)
        for i in range(WRITERS)
    ]
    for w in writers:
        w.start()
    go.set()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tui", "import", str(corpus), "--db", str(db), "--no-fetch"],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )
    finally:
        time.sleep(0.3)
        stop.set()
        results = {
            name: (attempted, errors) for name, attempted, errors in (out.get(timeout=60) for _ in writers)
        }
        for w in writers:
            w.join(timeout=30)
    assert done.returncode == 0, done.stderr
    assert {name: errors for name, (_, errors) in results.items()} == {f"ann{i}": [] for i in range(WRITERS)}
    with Store(db) as store:
        assert store.article_count() == 4 + IMPORTED
        for name, (attempted, _) in results.items():
            assert attempted > 0
            saved = sum(len(store.spans(article_id, name)) for article_id in range(1, 5))
            assert saved == attempted, name
        # The annotators got turns while the import ran: spans saved between the
        # import's first and last article (with one transaction for the file, none).
        (between,) = store.conn.execute(
            "SELECT count(*) FROM spans WHERE created_at > (SELECT min(imported_at) FROM articles"
            " WHERE id > 4) AND created_at < (SELECT max(imported_at) FROM articles WHERE id > 4)"
        ).fetchone()
        assert between > 0
        assert store.conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def article_transactions(store: Store) -> list[int]:
    """Record, for each transaction of the store's connection, how many articles it adds."""
    seen: list[int] = []

    def trace(sql: str) -> None:
        if sql.startswith("BEGIN"):
            seen.append(0)
        elif sql.startswith("SELECT id, cleaner_version FROM articles"):  # one per add_article
            seen[-1] += 1

    store.conn.set_trace_callback(trace)
    return seen


def test_a_long_file_is_stored_in_transactions_of_at_most_batch_items(store, tmp_path):
    (tmp_path / "many.jsonl").write_text("\n".join(article_line(i) for i in range(7)))
    store.batch_items = 3
    seen = article_transactions(store)
    report = import_paths(store, [tmp_path], fetch=False)
    assert report.added == 7 and not report.problems
    assert [n for n in seen if n] == [3, 3, 1]
    assert [a.title for a in stored_articles(store)] == [f"Report {i}" for i in range(7)]


def test_a_transaction_ends_once_it_has_run_batch_seconds(store, tmp_path):
    (tmp_path / "many.jsonl").write_text("\n".join(article_line(i) for i in range(5)))
    store.batch_seconds = 0.0  # every article is past the limit: one transaction each
    seen = article_transactions(store)
    report = import_paths(store, [tmp_path], fetch=False)
    assert report.added == 5
    assert [n for n in seen if n] == [1] * 5


def test_a_batch_the_database_refuses_loses_only_itself_and_is_named(store, tmp_path):
    # A real database failure (a trigger refuses line 4's article; raw SQL on purpose):
    # its batch (lines 3-4) is rolled back, the batches before and after are saved.
    store.conn.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON articles WHEN new.title = 'Report 3'"
        " BEGIN SELECT RAISE(ABORT, 'refused'); END"
    )
    path = tmp_path / "batches.jsonl"
    path.write_text("\n".join(article_line(i) for i in range(6)))
    store.batch_items = 2
    report = import_paths(store, [tmp_path], fetch=False)
    assert [a.title for a in stored_articles(store)] == ["Report 0", "Report 1", "Report 4", "Report 5"]
    assert report.added == 4
    assert [str(p) for p in report.problems] == [
        f"{path}: 2 articles not imported (lines 3-4), database error: refused"
    ]


def wants_to_write(db_path: Path) -> bool:
    """Whether some writer holds its turn on the database (see annotations.storage.sqlite.turns)."""
    path = Path(f"{db_path}-turns")
    if not path.exists():  # made by the first write that takes its turn
        return False
    with path.open("rb") as turns:
        try:
            fcntl.flock(turns, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(turns, fcntl.LOCK_UN)
        return False


def test_a_writer_waiting_for_the_lock_gets_it_before_the_import(db_path):
    # Someone holds the write lock; an annotator's write waits for it (in SQLite's busy
    # handler), then an import's next batch does too. When the lock is free, the annotator
    # goes first: the importer waits for its turn instead of racing it (which, having
    # started to wait later, in shorter sleeps, it would win).
    with (
        Store(db_path, check_same_thread=False) as writer,
        Store(db_path, check_same_thread=False) as importer,
    ):
        article_id = add_text(writer, "the first article", 0)
        other = sqlite3.connect(db_path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        order: list[str] = []

        def write() -> None:
            writer.add_span(article_id, "ana", 0, 3, "ACTOR")
            order.append("writer")

        def load() -> None:
            list(importer.add_articles([NewArticle("h9", "text", "imported", "imported", "v1")]))
            order.append("importer")

        threads = [threading.Thread(target=write), threading.Thread(target=load)]
        threads[0].start()
        deadline = time.monotonic() + 10
        while not wants_to_write(db_path) and time.monotonic() < deadline:
            time.sleep(0.005)
        # The writer has slept in growing steps, the next one ends some 100 ms after the COMMIT
        # below; the importer, just started, looks again within milliseconds.
        time.sleep(0.25)
        threads[1].start()
        time.sleep(0.01)
        other.execute("COMMIT")
        other.close()
        for t in threads:
            t.join(10)
        assert order == ["writer", "importer"]
        assert importer.article_count() == 2


def test_writes_work_when_the_turn_file_cannot_be_made(db_path, tmp_path):
    Path(f"{db_path}-turns").mkdir()  # not a file: no turns, and writes still work
    with Store(db_path) as store:
        article_id = add_text(store, "some text to tag", 0)
        store.add_span(article_id, "ana", 0, 4, "ACTOR")
        assert list(store.add_articles([])) == []
        assert len(store.spans(article_id)) == 1


@pytest.mark.parametrize("batch", [1, 2, 100])
def test_annotation_files_are_imported_whatever_the_batch(tmp_path, batch):
    source = tmp_path / "source.db"
    with Store(source) as store:
        for n in range(3):
            article_id = add_text(store, f"text number {n} to tag", n)
            store.add_span(article_id, "ana", 0, 4, "ACTOR")
            store.set_status(article_id, "ana", "done")
    exported = tmp_path / "out" / "export.jsonl"
    exported.parent.mkdir()
    run = subprocess.run(
        [sys.executable, "-m", "tui", "export", "--db", str(source), "-o", str(exported)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    with Store(tmp_path / "target.db") as store:
        store.batch_items = batch
        report = import_paths(store, [exported.parent], fetch=False)
        assert (report.annotations, report.spans_added, report.problems) == (3, 3, [])


def test_a_write_that_cannot_get_the_lock_in_time_is_not_saved_and_says_so(db_path, monkeypatch):
    from annotations.session.annotate import AnnotateSession
    from annotations.session.errors import NotSaved
    from annotations.storage.sqlite import connection

    monkeypatch.setattr(connection, "BUSY_TIMEOUT", 0.2)  # instead of 5 s
    with Store(db_path) as store:
        article_id = add_text(store, "a text with words to tag", 0)
        session = AnnotateSession(store, "ana")
        session.open(article_id)
        session.tag(0, 1, "ACTOR")
        other = sqlite3.connect(db_path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # held longer than a writer waits
        with pytest.raises(NotSaved, match="database is locked"):
            session.tag(2, 6, "ACTOR")
        other.execute("ROLLBACK")
        other.close()
        assert [(s.start, s.end) for s in store.spans(article_id)] == [(0, 1)]
        assert [(s.start, s.end) for s in session.spans] == [(0, 1)]
        session.tag(2, 6, "ACTOR")  # the lock is free again: saved
        assert [(s.start, s.end) for s in store.spans(article_id)] == [(0, 1), (2, 6)]
