"""``newsmark backup``: a consistent copy of a live database, and the restore the README gives.

Real SQLite files, a real writer process beside the backup, the real ``newsmark`` command.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import add_text

from annotations.storage import BackupError, Store, backup_database

NEWSMARK = shutil.which("newsmark")
needs_newsmark = pytest.mark.skipif(NEWSMARK is None, reason="the newsmark command is not on PATH")
ARTICLES = 1500  # about 10 MB: the copy takes long enough for the writer to commit during it
TIMEOUT = 60.0  # a loaded 2-core machine


def _text(n: int) -> str:
    return f"Article {n} " + "soldiers were killed near the town of Idlib on Tuesday. " * 100


@pytest.fixture(scope="module")
def big_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database of ARTICLES articles, made once; each test copies it."""
    path = tmp_path_factory.mktemp("big") / "big.db"
    with Store(path) as store, store.transaction():
        for n in range(ARTICLES):
            add_text(store, _text(n), n)
    return path


@pytest.fixture
def live_db(big_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "newsmark.db"
    shutil.copy(big_db, path)
    return path


WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from annotations.storage import Store

    db, stop, articles = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    n = 0
    with Store(db, durable=True) as store:  # the annotator app's settings
        while not stop.exists():
            store.add_span(n % articles + 1, f"writer{n // articles}", 0, 7, "ACTOR")
            n += 1
    print(n)
    """
)


class Writer:
    """Another process adding one span per transaction until told to stop."""

    def __init__(self, db: Path, tmp_path: Path) -> None:
        self.db, self.stop = db, tmp_path / "stop-writer"
        self.proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db), str(self.stop), str(ARTICLES)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
        )

    def wait_for_spans(self, n: int) -> None:
        deadline = time.monotonic() + TIMEOUT
        while span_ids(self.db).__len__() < n:
            assert self.proc.poll() is None, self.proc.communicate()
            assert time.monotonic() < deadline, f"the writer did not reach {n} spans"
            time.sleep(0.05)

    def finish(self) -> int:
        """Stop it; how many spans it wrote (it must not have failed once)."""
        self.stop.touch()
        out, err = self.proc.communicate(timeout=TIMEOUT)
        assert self.proc.returncode == 0, err
        assert err == "", err
        return int(out)


@pytest.fixture
def writer(live_db: Path, tmp_path: Path) -> Iterator[Writer]:
    started = Writer(live_db, tmp_path)
    try:
        yield started
    finally:
        if started.proc.poll() is None:
            started.stop.touch()
            try:
                started.proc.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                started.proc.kill()


def span_ids(db: Path) -> list[int]:
    """Every span id in the file, read as a file (no migration, no Store)."""
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=rw", uri=True)
    try:
        conn.execute("PRAGMA busy_timeout = 10000")
        return [row[0] for row in conn.execute("SELECT id FROM spans ORDER BY id")]
    finally:
        conn.close()


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return ", ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


def run_backup(*args: str) -> subprocess.CompletedProcess[str]:
    assert NEWSMARK is not None
    return subprocess.run(
        [NEWSMARK, "backup", *args], capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


@needs_newsmark
def test_backup_while_another_process_writes(live_db: Path, writer: Writer, tmp_path: Path) -> None:
    writer.wait_for_spans(30)
    before = span_ids(live_db)  # committed before the backup began
    copy = tmp_path / "backup.db"
    result = run_backup("--db", str(live_db), str(copy))
    assert result.returncode == 0, result.stderr
    writer.wait_for_spans(len(span_ids(copy)) + 30)  # it went on writing after the backup
    written = writer.finish()

    assert integrity(copy) == "ok"
    copied = span_ids(copy)
    assert set(before) <= set(copied)
    # One snapshot: the writer's spans up to some point, none missing in between.
    assert copied == list(range(1, len(copied) + 1))
    assert len(before) <= len(copied) < written
    assert f"{ARTICLES} article(s), {len(copied)} span(s) by " in result.stdout, result.stdout
    assert not Path(f"{copy}-wal").exists() and not Path(f"{copy}-journal").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".backup.db")] == []


def test_repeated_backups_under_writes_are_each_a_consistent_snapshot(
    live_db: Path, writer: Writer, tmp_path: Path
) -> None:
    writer.wait_for_spans(10)
    counts = []
    for n in range(4):
        before = len(span_ids(live_db))
        done = backup_database(live_db, tmp_path / f"b{n}.db")
        copied = span_ids(done.target)
        assert integrity(done.target) == "ok"
        assert copied == list(range(1, len(copied) + 1))
        assert len(copied) >= before and done.spans == len(copied) and done.articles == ARTICLES
        counts.append(len(copied))
        writer.wait_for_spans(len(copied) + 10)
    assert counts == sorted(counts) and counts[0] < counts[-1]
    writer.finish()


@pytest.fixture
def small_db(tmp_path: Path) -> Path:
    path = tmp_path / "newsmark.db"
    with Store(path) as store:
        article = add_text(store, "Turkey said two of its soldiers were killed.")
        store.add_span(article, "alice", 0, 6, "ACTOR")
    return path


@needs_newsmark
@pytest.mark.parametrize(
    ("target", "says"),
    [
        ("missing/x.db", "{tmp}/missing/x.db: no such folder: {tmp}/missing"),
        (".", "{tmp}: is a folder: give the backup's file name, e.g. {tmp}/newsmark.db"),
        ("newsmark.db", "{tmp}/newsmark.db: is the database being backed up"),
        ("old.db", "{tmp}/old.db: already exists (--force replaces it)"),
    ],
)
def test_bad_targets_are_refused_with_a_clear_message(
    small_db: Path, tmp_path: Path, target: str, says: str
) -> None:
    (tmp_path / "old.db").write_text("an older backup")
    result = run_backup("--db", str(small_db), str(tmp_path / target))
    assert result.returncode == 1
    assert result.stderr == f"newsmark backup: {says.format(tmp=tmp_path)}\n"
    assert (tmp_path / "old.db").read_text() == "an older backup"
    assert span_ids(small_db) == [1]


@needs_newsmark
def test_force_replaces_an_old_backup(small_db: Path, tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    old.write_text("an older backup")
    result = run_backup("--db", str(small_db), str(old), "--force")
    assert result.returncode == 0, result.stderr
    assert (
        result.stdout == f"backed up {small_db} to {old}: 1 article(s), 1 span(s) by 1 annotator(s), 0.2 MB\n"
    )
    assert span_ids(old) == [1] and integrity(old) == "ok"


@pytest.mark.parametrize("kind", ["wal", "device"])
def test_force_never_replaces_an_open_database_or_a_device(small_db: Path, tmp_path: Path, kind: str) -> None:
    target = tmp_path / "target.db"
    if kind == "wal":
        shutil.copy(small_db, target)
        Path(f"{target}-wal").write_bytes(b"")
        says = f"{target}: is open, or was not closed cleanly (target.db-wal exists): not replaced"
    else:
        target.symlink_to("/dev/null")
        says = f"{target}: exists and is not a regular file: not replaced"
    with pytest.raises(BackupError) as refused:
        backup_database(small_db, target, force=True)
    assert str(refused.value).startswith(says)
    assert target.is_symlink() if kind == "device" else span_ids(target) == [1]


@needs_newsmark
@pytest.mark.parametrize(
    ("source", "says"),
    [
        ("none.db", "{tmp}/none.db: no such database"),
        ("junk.db", "{tmp}/junk.db: cannot read: file is not a database"),
        ("other.db", "{tmp}/other.db: not a newsmark database (no articles, annotators, spans table)"),
    ],
)
def test_bad_sources_are_named(tmp_path: Path, source: str, says: str) -> None:
    (tmp_path / "junk.db").write_text("not sqlite at all " * 100)
    sqlite3.connect(tmp_path / "other.db").execute("CREATE TABLE t (x)").connection.close()
    result = run_backup("--db", str(tmp_path / source), str(tmp_path / "b.db"))
    assert result.returncode == 1
    assert result.stderr == f"newsmark backup: {says.format(tmp=tmp_path)}\n"
    assert not (tmp_path / "b.db").exists()
    assert not (tmp_path / "none.db").exists()  # a backup never creates its source


@needs_newsmark
def test_a_hostile_target_name_is_printed_inert(small_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "b\x1b[2J\x1b]52;c;aGk=\x07.db"
    result = run_backup("--db", str(small_db), str(target))
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert span_ids(target) == [1]


def test_a_damaged_source_leaves_the_old_backup_alone(small_db: Path, tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    backup_database(small_db, old)
    damaged = tmp_path / "damaged.db"
    shutil.copy(small_db, damaged)
    with damaged.open("r+b") as f:  # the root page of the spans table's rows is filled with noise
        page = _root_page(small_db, "spans")
        f.seek((page - 1) * 4096 + 8)
        f.write(os.urandom(4000))
    with pytest.raises(BackupError) as refused:
        backup_database(damaged, old, force=True)
    assert refused.value.path == damaged and refused.value.reason.endswith("the database may be damaged")
    assert span_ids(old) == [1] and integrity(old) == "ok"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".old.db")] == []  # no temporary left


def _root_page(db: Path, table: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0])
    finally:
        conn.close()


KILLED_WRITER = textwrap.dedent(
    """
    import os, sys
    from annotations.storage import Store

    store = Store(sys.argv[1], durable=True)
    store.conn.execute("PRAGMA wal_autocheckpoint = 0")  # the spans stay in the -wal file
    for n in range(5):
        store.add_span(1, "bob", 7, 11, "ACTOR")
    os._exit(0)  # killed: no close, no checkpoint, the -wal file is left behind
    """
)


def test_restore_as_the_readme_says(small_db: Path, tmp_path: Path) -> None:
    """Stop everyone, remove the -wal and -shm files, copy the backup over the database.

    Without removing them, SQLite replays the stale -wal over the restored file: the
    spans made after the backup come back, and the restore silently did nothing.
    """
    copy = backup_database(small_db, tmp_path / "backup.db").target
    subprocess.run(
        [sys.executable, "-c", KILLED_WRITER, str(small_db)],
        check=True,
        timeout=TIMEOUT,
        cwd=Path(__file__).resolve().parent.parent,
    )
    wal, shm = Path(f"{small_db}-wal"), Path(f"{small_db}-shm")
    assert wal.stat().st_size > 0

    careless = tmp_path / "careless"
    careless.mkdir()
    for path in (small_db, wal, shm):
        shutil.copy(path, careless / path.name)
    shutil.copy(copy, careless / small_db.name)  # the restore without removing the -wal
    assert span_ids(careless / small_db.name) == [1, 2, 3, 4, 5, 6]  # not the backup

    wal.unlink()
    shm.unlink()
    shutil.copy(copy, small_db)
    assert span_ids(small_db) == [1] and integrity(small_db) == "ok"
    with Store(small_db) as store:  # and it is a working database again
        store.add_span(1, "alice", 7, 11, "ACTOR")
        assert [s.text for s in store.spans(1)] == ["Turkey", "said"]
