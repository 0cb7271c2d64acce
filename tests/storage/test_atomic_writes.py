"""Every write of the store is all or nothing, even a write that fails halfway.

SQLite-specific (it injects the failure with temporary triggers): the
operation is run once to count its row writes, then once per write with that
write made to fail (``RAISE(ABORT)``), each time on a fresh copy of the same
database; afterwards every table must hold exactly what it held before.
The operations are the app's: add, delete and edit a span, start, accept and
reject a review, a hand edit in a review that fails and is caught, and an import.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from annotations import review
from annotations.model import Status
from annotations.storage import Store
from tests.storage.conftest import article, where

Operation = Callable[[Store], None]


def dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of the file, as a reader that opens it afresh sees it."""
    conn = sqlite3.connect(path)
    try:
        tables = [
            n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        ]
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"'), key=repr) for t in tables}
    finally:
        conn.close()


def written_tables(conn: sqlite3.Connection) -> list[str]:
    """The ordinary tables (not FTS5's own, which only its triggers write)."""
    return [
        n
        for (n,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'articles_fts%'"
            " AND name NOT LIKE 'sqlite_%'"
        )
    ]


def arm(store: Store, fail_at: int) -> None:
    """Count row writes on this connection; make the ``fail_at``-th fail (0: none fails)."""
    conn = store.conn
    conn.execute("CREATE TEMP TABLE writes (n INTEGER NOT NULL, fail_at INTEGER NOT NULL)")
    conn.execute("INSERT INTO writes VALUES (0, ?)", (fail_at,))
    for table in written_tables(conn):
        for op in ("INSERT", "UPDATE", "DELETE"):
            conn.execute(
                f'CREATE TEMP TRIGGER "count_{table}_{op}" BEFORE {op} ON main."{table}" BEGIN'
                " UPDATE writes SET n = n + 1;"
                " SELECT RAISE(ABORT, 'injected failure') FROM writes WHERE n = fail_at;"
                " END"
            )


def writes(store: Store) -> int:
    return int(store.conn.execute("SELECT n FROM writes").fetchone()[0])


def check_every_failure(before: Path, operation: Operation, tmp_path: Path) -> int:
    """Fail each write of ``operation`` in turn; the file must be as ``before`` each time."""
    shutil.copy(before, tmp_path / "count.db")
    with Store(tmp_path / "count.db") as store:
        arm(store, 0)
        operation(store)
        total = writes(store)
    assert total > 0
    expected = dump(before)
    assert dump(tmp_path / "count.db") != expected  # the operation does write
    for k in range(1, total + 1):
        copy = tmp_path / f"fail-{k}.db"
        shutil.copy(before, copy)
        with Store(copy) as store:
            arm(store, k)
            with pytest.raises(sqlite3.DatabaseError, match="injected failure"):
                operation(store)
            assert not store.conn.in_transaction
        assert dump(copy) == expected, f"write {k} of {total} failed and left a change behind"
    return total


def saved(tmp_path: Path, build: Callable[[Store], None]) -> Path:
    """A closed database file (WAL checkpointed) holding what ``build`` made."""
    path = tmp_path / "before.db"
    with Store(path) as store:
        build(store)
    return path


# -- annotating ---------------------------------------------------------------------------------


def one_article(store: Store) -> None:
    _, article_id = store.add_article(article())
    store.add_span(article_id, "ana", *where("Turkish forces"), "ACTOR")
    store.add_span(article_id, "ana", *where("Monday"), "TIME")
    store.undo("ana")  # a redo stack, which the next action drops: one write more to fail
    store.set_status(article_id, "ana", Status.IN_PROGRESS, record=False)


def test_adding_a_span(tmp_path):
    before = saved(tmp_path, one_article)
    check_every_failure(
        before, lambda s: s.add_span(1, "ana", *where("Saraqeb"), "LOCATION", {"n": 1}), tmp_path
    )


def test_adding_a_span_as_a_new_annotator(tmp_path):
    before = saved(tmp_path, one_article)
    check_every_failure(before, lambda s: s.add_span(1, "bo", *where("Saraqeb"), "LOCATION"), tmp_path)


def test_deleting_a_span(tmp_path):
    before = saved(tmp_path, one_article)
    assert (
        check_every_failure(before, lambda s: s.delete_span(1) and None, tmp_path) == 4
    )  # the span, the session's row, the redo stack, the log


def test_editing_a_span(tmp_path):
    before = saved(tmp_path, one_article)
    check_every_failure(
        before, lambda s: s.update_span(1, label="LOCATION", attributes={"a": "b"}) and None, tmp_path
    )


def test_setting_a_status_and_undoing(tmp_path):
    before = saved(tmp_path, one_article)
    check_every_failure(before, lambda s: s.set_status(1, "ana", Status.DONE), tmp_path)
    check_every_failure(before, lambda s: s.undo("ana") and None, tmp_path)


# -- reviewing ----------------------------------------------------------------------------------

PLAN = {
    "alice": [("Turkish forces", "ACTOR"), ("Saraqeb", "LOCATION"), ("nine soldiers", "CASUALTY")],
    "bob": [("Turkish", "ACTOR"), ("Saraqeb", "LOCATION"), ("the ministry", "ACTOR")],
}


def two_annotators(store: Store) -> None:
    _, article_id = store.add_article(article())
    for who, spans in PLAN.items():
        for phrase, label in spans:
            store.add_span(article_id, who, *where(phrase), label)
        store.set_status(article_id, who, Status.DONE)


def started(store: Store) -> None:
    two_annotators(store)
    review.start(store, 1, "rita", comparison(store))


def comparison(store: Store) -> review.Comparison:
    return review.compare(store.review_work(1, "rita"))


def test_starting_a_review(tmp_path):
    before = saved(tmp_path, two_annotators)
    check_every_failure(before, lambda s: review.start(s, 1, "rita", comparison(s)) and None, tmp_path)


def test_accepting_and_rejecting_a_version(tmp_path):
    before = saved(tmp_path, started)

    def accept(store: Store) -> None:
        found = comparison(store)
        region = next(r for r in found.regions if r.covers(*where("Turkish")))
        review.accept(store, 1, "rita", found, region, "alice")

    def reject(store: Store) -> None:
        found = comparison(store)
        region = next(r for r in found.regions if r.covers(*where("nine soldiers")))
        review.reject(store, 1, "rita", found, region)

    assert check_every_failure(before, accept, tmp_path) > 3
    check_every_failure(before, reject, tmp_path)


def accepted(store: Store) -> None:
    started(store)
    found = comparison(store)
    region = next(r for r in found.regions if r.covers(*where("Turkish")))
    review.accept(store, 1, "rita", found, region, "bob")


def test_a_caught_failure_inside_a_review_edit_undoes_that_edit_alone(tmp_path):
    """The bug of issue 13: the undo log's write fails during a review delete, the screen
    catches the error and the group goes on; the span must not stay deleted without its log."""
    before = saved(tmp_path, accepted)

    def delete_by_hand(store: Store) -> None:
        (span,) = [s for s in store.spans(1, "rita") if s.text == "Turkish"]
        with store.edit_group():
            try:
                store.delete_span(span.id)
            except sqlite3.DatabaseError:
                raise sqlite3.DatabaseError("injected failure, caught and reported") from None

    check_every_failure(before, delete_by_hand, tmp_path)

    failing = tmp_path / "caught.db"
    shutil.copy(before, failing)
    with Store(failing) as store:
        logged = len(store.edits("rita"))
        arm(store, 2)  # the span's DELETE is write 1, the log's first write 2
        (span,) = [s for s in store.spans(1, "rita") if s.text == "Turkish"]
        with store.edit_group():
            with pytest.raises(sqlite3.DatabaseError):
                store.delete_span(span.id)
            store.conn.execute("UPDATE writes SET fail_at = 0")  # the rest of the group goes through
            store.decide(1, "rita", *where("Turkish forces"), review.EDITED)  # as settle_by_hand would
        assert store.span(span.id) == span  # not deleted: the failed edit was rolled back alone
        assert len(store.edits("rita")) == logged + 1  # the decision alone, one undo step
        assert store.undo("rita") is not None
        assert store.decisions(1, "rita") == {where("Turkish forces"): "bob"}
        assert store.span(span.id) == span
