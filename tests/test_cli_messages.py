"""The CLI's messages for path errors, read-only databases and the bare command.

Every command and every path it takes: a missing folder, a folder where a file belongs, a
file that is not a database, a database that is not there (for the commands that only
read), a file where a folder belongs. Each ends as ``newsmark <command>: <path>: <reason>``
(or click's usage error), a non-zero exit, never a traceback. A user who may only read a
database runs ``stats``, ``list``, ``agree`` and ``export`` on it (as root, the test runs
those as ``nobody``: root ignores file permissions).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import add_work

from annotations.model import SpanData, Status
from annotations.storage import Store
from tui.cli import annotate_command, main

NOBODY = 65534
TEXT = "Rebel fighters attacked an army checkpoint outside Harzen on Sunday."
READ_COMMANDS = (("stats",), ("list",), ("agree",), ("export", "-o", "{out}/x.jsonl"))


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def assert_clear_error(result: Result, named: str) -> None:
    """A message, not a crash: non-zero exit, the path named, no traceback."""
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert named in result.output, result.output


@pytest.fixture
def places(tmp_path: Path) -> dict[str, Path]:
    """A good database, and one bad path of each kind."""
    good = tmp_path / "good.db"
    with Store(good) as store:
        add_work(store, TEXT, [SpanData(0, 5, "ACTOR", "Rebel")])
    (tmp_path / "adir").mkdir()
    (tmp_path / "afile").write_text("not a folder")
    (tmp_path / "notdb").write_text("this is not a database " * 100)
    (tmp_path / "in.txt").write_text(TEXT)
    return {
        "good": good,
        "in": tmp_path / "in.txt",
        "no folder": tmp_path / "nope" / "x",
        "a folder": tmp_path / "adir",
        "not a database": tmp_path / "notdb",
        "missing": tmp_path / "missing.db",
        "under a file": tmp_path / "afile" / "x",
    }


DB_CASES = [
    (command, bad)
    for command in ("import", "export", "agree", "stats", "reclean", "list", "assign", "annotate", "review")
    for bad in ("no folder", "not a database", "under a file")
] + [(command, "missing") for command in ("export", "agree", "stats", "list")]


def command_args(command: str, db: Path, places: dict[str, Path]) -> list[str]:
    extra = {
        "import": [str(places["in"])],
        "export": ["-o", str(places["good"].parent / "out.jsonl")],
        "assign": ["--overlap", "1", "--annotators", "a"],
        "annotate": ["--annotator", "a"],
        "review": ["--reviewer", "r"],
    }.get(command, [])
    return [command, "--db", str(db), *extra]


@pytest.mark.parametrize(("command", "bad"), DB_CASES)
def test_a_bad_database_path_is_one_clear_line(command: str, bad: str, places: dict[str, Path]) -> None:
    db = places[bad]
    result = invoke(*command_args(command, db, places))
    assert_clear_error(result, str(db))
    assert f"newsmark {command}: {db}: " in result.output
    assert not places["missing"].exists()  # a read command makes no database


@pytest.mark.parametrize("command", ["stats", "export", "annotate"])
def test_a_folder_as_database_is_a_usage_error(command: str, places: dict[str, Path]) -> None:
    result = invoke(*command_args(command, places["a folder"], places))
    assert_clear_error(result, str(places["a folder"]))
    assert result.exit_code == 2


def test_a_folder_as_database_from_the_environment_is_a_clear_line(places: dict[str, Path]) -> None:
    result = CliRunner().invoke(main, ["stats"], env={"NEWSMARK_DB": str(places["a folder"])})
    assert_clear_error(result, f"newsmark stats: {places['a folder']}: ")


@pytest.mark.parametrize(
    ("fmt", "bad", "reason"),
    [
        ("jsonl", "no folder", "no such folder"),
        ("jsonl", "under a file", "not a folder"),
        ("conll", "a folder", "is a folder"),
        ("brat", "under a file", "not a folder"),
    ],
)
def test_export_output_errors(fmt: str, bad: str, reason: str, places: dict[str, Path]) -> None:
    target = places[bad]
    result = invoke("export", "--db", str(places["good"]), "--format", fmt, "-o", str(target))
    assert_clear_error(result, f"newsmark export: {target}: {reason}")


@pytest.mark.parametrize("fmt", ["jsonl", "brat"])
def test_export_never_replaces_a_folder_it_did_not_write(fmt: str, places: dict[str, Path]) -> None:
    """``-o ~`` or ``-o /tmp`` once replaced the whole folder: everything in it was lost."""
    folder = places["a folder"]
    (folder / "notes.txt").write_text("mine")
    (folder / "sub").mkdir()
    (folder / "sub" / "more.txt").write_text("mine too")
    result = invoke("export", "--db", str(places["good"]), "--format", fmt, "-o", str(folder))
    assert_clear_error(result, f"newsmark export: {folder}: this folder holds more than an export writes")
    assert (folder / "notes.txt").read_text() == "mine" and (folder / "sub" / "more.txt").exists()


def test_brat_export_does_not_replace_a_folder_of_plain_articles(places: dict[str, Path]) -> None:
    """brat writes ``.txt`` files too, but each beside its ``.ann``: a corpus folder is not an export."""
    corpus = places["a folder"]
    (corpus / "article.txt").write_text(TEXT)
    result = invoke("export", "--db", str(places["good"]), "--format", "brat", "-o", str(corpus))
    assert_clear_error(result, str(corpus))
    assert (corpus / "article.txt").read_text() == TEXT


def test_export_again_replaces_its_own_folder(places: dict[str, Path]) -> None:
    out = places["good"].parent / "brat-out"
    for _ in range(2):
        result = invoke("export", "--db", str(places["good"]), "--format", "brat", "-o", str(out))
        assert result.exit_code == 0, result.output
    assert (out / "annotation.conf").exists()


@pytest.mark.parametrize("command", ["export", "agree", "annotate"])
@pytest.mark.parametrize("bad", ["a folder", "no folder"])
def test_a_bad_label_schema_path(command: str, bad: str, places: dict[str, Path]) -> None:
    schema = places[bad]
    result = invoke(*command_args(command, places["good"], places), "--labels", str(schema))
    assert_clear_error(result, str(schema))


@pytest.mark.parametrize("bad", ["a folder", "no folder"])
def test_a_bad_keymap_path(bad: str, places: dict[str, Path]) -> None:
    keymap = places[bad]
    result = invoke(*command_args("annotate", places["good"], places), "--keymap", str(keymap))
    assert_clear_error(result, str(keymap))


def test_clean_into_a_file_or_under_one(places: dict[str, Path]) -> None:
    for target in (places["under a file"], places["good"]):
        result = invoke("clean", str(places["in"]), "-o", str(target))
        assert_clear_error(result, str(target))


def test_clean_never_overwrites_its_own_inputs(tmp_path: Path) -> None:
    """``clean corpus/*.txt -o corpus`` would replace each raw file with its cleaned text."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    raw = f"  {TEXT}\n\n\n  Read more: subscribe now!\n"
    (corpus / "a.txt").write_text(raw)
    result = invoke("clean", str(corpus / "a.txt"), "-o", str(corpus))
    assert_clear_error(result, f"{corpus / 'a.txt'}: is one of the inputs: not overwritten")
    assert (corpus / "a.txt").read_text() == raw


def test_a_real_process_prints_one_line_and_no_traceback(places: dict[str, Path]) -> None:
    target = "/nonexistent/x.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "tui", "export", "--db", str(places["good"]), "-o", target],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr == f"newsmark export: {target}: no such folder: /nonexistent\n"


# -- read-only databases ------------------------------------------------------------------


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[Path]:
    """A folder another user can reach (pytest's own is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="newsmark-ro-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for root, dirs, _files in os.walk(folder):
            for name in dirs:
                os.chmod(os.path.join(root, name), 0o755)
        shutil.rmtree(folder)


def run_as_reader(args: list[str]) -> tuple[int, str]:
    """Run the command as a user who may only read: ``nobody`` when we are root (in a forked
    child, which needs no Python of its own to be readable by nobody), else ourselves."""
    if os.geteuid() != 0:
        result = invoke(*args)
        return result.exit_code, result.output
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            result = invoke(*args)
            report = f"{result.exit_code}\n{result.output}"
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                report += f"\nTraceback: {result.exception!r}"
        except BaseException as exc:
            report = f"99\nTraceback: {exc!r}"
        with os.fdopen(write, "w") as out:
            out.write(report)
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as got:
        report = got.read()
    os.waitpid(pid, 0)
    code, _, output = report.partition("\n")
    return int(code), output


def read_only_database(shared: Path, *, writer_open: bool = False) -> tuple[Path, Path, Store | None]:
    """A database in a folder the reader cannot write, the file itself read-only, owned by
    someone else (root, when we are root); and a folder the reader may write exports to."""
    folder, out = shared / "db", shared / "out"
    folder.mkdir()
    out.mkdir()
    out.chmod(0o777)
    db = folder / "news.db"
    with Store(db) as store:
        add_work(store, TEXT, [SpanData(0, 5, "ACTOR", "Rebel")], annotator="alice")
        add_work(store, TEXT, [SpanData(0, 5, "ACTOR", "Rebel")], annotator="bob")
    writer = Store(db) if writer_open else None  # an annotator at work: -wal and -shm exist
    for path in folder.iterdir():
        path.chmod(0o444)
    folder.chmod(0o555)
    return db, out, writer


def warm_up(shared: Path) -> None:
    """Import every module the commands load on use while we may still read them all."""
    db = shared / "warm.db"
    with Store(db) as store:
        add_work(store, TEXT, [SpanData(0, 5, "ACTOR", "Rebel")])
    for args in (*READ_COMMANDS, ("reclean",)):
        invoke(*[a.format(out=shared) for a in args], "--db", str(db))


@pytest.mark.parametrize("writer_open", [False, True], ids=["closed", "annotator at work"])
@pytest.mark.parametrize("args", READ_COMMANDS, ids=lambda a: a[0])
def test_a_reader_without_write_access_runs_the_read_commands(
    shared: Path, args: tuple[str, ...], writer_open: bool
) -> None:
    warm_up(shared)
    db, out, writer = read_only_database(shared, writer_open=writer_open)
    try:
        before = sorted(p.name for p in db.parent.iterdir())
        code, output = run_as_reader([*[a.format(out=out) for a in args], "--db", str(db)])
    finally:
        if writer is not None:
            writer.close()
    assert code == 0, output
    assert "Traceback" not in output
    if args[0] == "export":
        assert TEXT in (out / "x.jsonl").read_text()
    elif args[0] == "stats":
        assert "1 articles" in output and "alice" in output
    elif args[0] == "list":
        assert "1 of 1 articles" in output
    if not writer_open:
        assert sorted(p.name for p in db.parent.iterdir()) == before


def test_a_reader_gets_a_clear_message_from_a_write_command(shared: Path) -> None:
    warm_up(shared)
    db, _out, _ = read_only_database(shared)
    code, output = run_as_reader(["reclean", "--db", str(db)])
    assert code == 1 and "Traceback" not in output
    assert f"newsmark reclean: {db}: no write access" in output


def test_export_does_not_replace_a_read_only_file(shared: Path) -> None:
    warm_up(shared)
    db, out, _ = read_only_database(shared)
    target = out / "x.jsonl"
    target.write_text("theirs")
    target.chmod(0o444)
    code, output = run_as_reader(["export", "--db", str(db), "-o", str(target)])
    assert code == 1 and f"newsmark export: {target}: file is read-only: not replaced" in output
    assert target.read_text() == "theirs"


def old_schema_database(path: Path) -> None:
    """A database as the first release made it: migration 1 only."""
    from annotations.storage.sqlite.migrations import MIGRATIONS

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.executescript(f"BEGIN; {MIGRATIONS[0].sql}; PRAGMA user_version = 1; COMMIT;")
    conn.close()


def test_an_old_read_only_database_says_it_needs_migrating(shared: Path) -> None:
    warm_up(shared)
    folder = shared / "db"
    folder.mkdir()
    db = folder / "old.db"
    old_schema_database(db)
    db.chmod(0o444)
    folder.chmod(0o555)
    code, output = run_as_reader(["stats", "--db", str(db)])
    assert code == 1 and "Traceback" not in output
    assert f"newsmark stats: {db}: " in output
    assert "needs migrating" in output and "write access" in output


def test_an_old_database_with_write_access_is_migrated_by_a_read_command(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    old_schema_database(db)
    result = invoke("stats", "--db", str(db))
    assert result.exit_code == 0, result.output
    assert "0 articles" in result.output


# -- the bare command -------------------------------------------------------------------


def test_the_bare_command_takes_annotates_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``newsmark --db X.db --annotator a`` is ``newsmark annotate --db X.db --annotator a``
    (the command's callback records what it was given instead of starting the app)."""
    calls: list[tuple[str, dict[str, object]]] = []
    for command in (annotate_command, main.commands["stats"]):
        assert command is not None
        name = command.name or ""
        monkeypatch.setattr(command, "callback", lambda name=name, **kw: calls.append((name, kw)))
    db = str(tmp_path / "x.db")
    for args in (["--db", db, "--annotator", "a"], [f"--db={db}"], ["stats", "--db", db]):
        result = invoke(*args)
        assert result.exit_code == 0, result.output
    assert calls == [
        (
            "annotate",
            {
                "db": db,
                "annotator": "a",
                "labels": None,
                "keymap": None,
                "theme": None,
                "no_suggestions": False,
            },
        ),
        (
            "annotate",
            {
                "db": db,
                "annotator": None,
                "labels": None,
                "keymap": None,
                "theme": None,
                "no_suggestions": False,
            },
        ),
        ("stats", {"db": db, "as_json": False}),
    ]


def test_the_bare_command_with_options_runs_annotate(tmp_path: Path) -> None:
    """Not only parsed: the annotate command is what runs (a bad keymap stops it before the app)."""
    keymap = tmp_path / "keymap.toml"
    keymap.write_text("[keys]\nno_such_action = 'z'\n")
    result = invoke("--db", str(tmp_path / "x.db"), "--keymap", str(keymap))
    assert result.exit_code == 1
    assert "No such option" not in result.output
    assert f"newsmark {annotate_command.name}: " in result.output and "no_such_action" in result.output


def test_help_still_lists_the_commands() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("annotate", "import", "export", "stats", "list", "review"):
        assert f"  {command} " in result.output
    assert invoke("--version").exit_code == 0
    assert "No such option" in invoke("--no-such-thing").output or invoke("--no-such-thing").exit_code == 2


def test_a_read_only_store_refuses_writes_and_makes_no_files(tmp_path: Path) -> None:
    """What the read commands open: nothing created beside the file, every write refused."""
    db = tmp_path / "news.db"
    with Store(db) as store:
        add_work(store, TEXT, [SpanData(0, 5, "ACTOR", "Rebel")])
    before = sorted(p.name for p in tmp_path.iterdir())
    with Store(db, read_only=True) as store:
        assert store.article_count() == 1
        with pytest.raises(sqlite3.OperationalError):
            store.set_status(1, "alice", Status.SKIPPED)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    with Store(db) as store:
        assert store.stats().statuses["alice"]["done"] == 1 and not store.stats().statuses["alice"].get(
            "skipped"
        )
