"""Issue 14: import never loses the good because of the bad.

Text is stored as given but for control characters (counted); every file and every
JSONL line is its own unit; a file whose paragraphs all repeat is imported; only
regular files are read, none over the size limit. Real files, real SQLite, the
command run in-process (CliRunner) or as a process where a hang must be caught.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotations.cli import main
from annotations.corpus.controls import offset_map, stored_text
from annotations.corpus.discover import Input
from annotations.corpus.readers import read_input
from annotations.importing import import_paths
from annotations.input_files import parse_size
from annotations.model import Problem
from annotations.session.annotate import AnnotateSession
from annotations.storage import Store
from tests.conftest import stored_articles
from tests.test_import import BODY, body

DEEP = "[" * 100_000 + "]" * 100_000


def _import(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["import", "--no-fetch", *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def _line(record: object) -> str:
    return json.dumps(record)


# -- 1. control characters: only they go, counted -------------------------------------


def test_only_the_control_characters_go_and_the_summary_counts_them(tmp_path):
    text = BODY.replace("Kelmar", "Kel\x1b[2Jmar\x00", 1).replace("officials", "offi\x9bcials", 1)
    record = {
        "text": text + "\r\nLast\rline.",
        "title": "Shelling\x1b]0;pwned\x07 in Kelmar",
        "source": "The\x00 Dispatch",
        "byline": "Jane\x1b[31m Doe",
        "url": "https://x.example/\x1ba",
        "id": "id\x00-7",
        "meta": {"k\x1bey": ["v\x9bal", {"x": "\x00y"}]},
    }
    (tmp_path / "a.jsonl").write_text(_line(record) + "\n" + _line({"text": body("Varna")}) + "\n")
    status, output = _import(tmp_path / "a.jsonl", "--db", tmp_path / "n.db")
    assert status == 0, output
    with Store(tmp_path / "n.db") as store:
        art, clean = stored_articles(store)
    assert "Kel[2Jmar" in art.clean_text and "offi" + "cials" in art.clean_text  # [2J stays as text
    assert "\r" not in art.raw_text and "Last\nline." in art.raw_text
    assert art.title == "Shelling]0;pwned in Kelmar"
    assert (art.source, art.byline, art.url, art.external_id) == (
        "The Dispatch",
        "Jane[31m Doe",
        "https://x.example/a",
        "id-7",
    )
    assert art.meta == {"key": ["val", {"x": "y"}]}
    for value in (art.raw_text, art.clean_text, art.title, json.dumps(art.meta, ensure_ascii=False)):
        assert not any(ord(c) < 32 and c not in "\t\n" or 0x7F <= ord(c) <= 0x9F for c in value)
    assert clean.clean_text == stored_text(clean.clean_text)
    # 3 in the text (CR is a line break), 2 in the title, 1 each in source, byline, url, id, 3 in meta
    assert "removed 12 control characters from 1 article" in output


def test_a_lone_surrogate_becomes_u_fffd_and_is_counted(tmp_path):
    line = _line({"text": BODY[:80] + "@" + BODY[80:], "title": "T@"})
    (tmp_path / "a.jsonl").write_text(line.replace("@", "\\ud800", 1).replace("@", "\\udc80") + "\n")
    status, output = _import(tmp_path / "a.jsonl", "--db", tmp_path / "n.db")
    assert status == 0, output
    with Store(tmp_path / "n.db") as store:
        (art,) = stored_articles(store)
    assert art.title == "T\ufffd" and BODY[:80] + "\ufffd" + BODY[80:90] in art.clean_text
    assert "replaced 2 lone surrogates with U+FFFD in 1 article" in output


def test_offsets_follow_the_text_when_controls_go():
    text = "a\x00b\r\ncd\re\x1bf"
    stored = stored_text(text)
    assert stored == "ab\ncd\nef"
    move = offset_map(text)
    for old, char in enumerate(text):
        if char not in "\x00\x1b" and text[old : old + 2] != "\r\n":
            assert stored[move(old)] == ("\n" if char == "\r" else char)


TEXT = "Before\x00 the\r\n shelling\x1b[2J, Kelmar was quiet.\x9b Then Idlib\x07 burned."
PLACES = ("Kelmar", "Idlib")


def _annotation_file(tmp_path: Path, kind: str) -> Path:
    """One annotated record in ``kind``'s format, its spans after control characters."""
    where = [(TEXT.index(p), TEXT.index(p) + len(p), p) for p in PLACES]
    if kind == "jsonl":
        spans = [{"start": s, "end": e, "label": "LOCATION", "text": t} for s, e, t in where]
        record = {"text": TEXT, "spans": spans, "answer": "accept", "_annotator_id": "a\x1bnn"}
        path = tmp_path / "tasks.jsonl"
        path.write_text(_line(record) + "\n")
    elif kind == "doccano":
        record = {"text": TEXT, "label": [[s, e, "LOCATION"] for s, e, _ in where], "annotator": "a\x1bnn"}
        path = tmp_path / "doccano.jsonl"
        path.write_text(_line(record) + "\n")
    else:
        results = [
            {"id": f"r{n}", "from_name": "label", "to_name": "text", "type": "labels"}
            | {"value": {"start": s, "end": e, "text": t, "labels": ["LOCATION"]}}
            for n, (s, e, t) in enumerate(where)
        ]
        task = {"data": {"text": TEXT}, "annotations": [{"result": results, "created_username": "a\x1bnn"}]}
        path = tmp_path / "tasks.json"
        path.write_text(json.dumps([task]))
    return path


@pytest.mark.parametrize("kind", ["jsonl", "doccano", "labelstudio"])
def test_annotation_files_lose_their_controls_and_keep_their_spans_right(tmp_path, kind):
    path = _annotation_file(tmp_path, kind)
    extra = ["--offsets", "codepoints"] if kind == "doccano" else []
    status, output = _import(path, "--db", tmp_path / "n.db", *extra)
    assert status == 0, output
    with Store(tmp_path / "n.db") as store:
        (art,) = stored_articles(store)
        spans = store.spans(art.id, "ann")
    assert art.clean_text == stored_text(TEXT) and "[2J" in art.clean_text
    assert sorted(s.text for s in spans) == sorted(PLACES)
    assert all(art.clean_text[s.start : s.end] == s.text for s in spans)
    assert "removed 5 control characters from 1 article" in output  # 4 in the text, 1 in the name


def test_tagging_works_after_where_a_nul_was(tmp_path):
    """A NUL kept in the text cut it short for SQLite: no span could be saved after it."""
    path = _annotation_file(tmp_path, "jsonl")
    assert _import(path, "--db", tmp_path / "n.db")[0] == 0
    with Store(tmp_path / "n.db") as store:
        session = AnnotateSession(store, "ann")
        session.open(1)
        assert session.article is not None
        text = session.article.clean_text
        start = text.index("burned")
        change = session.tag(start, start + len("burned"), "CASUALTY")
        assert change.span is not None and change.span.text == "burned"
        assert {s.text for s in store.spans(1, "ann")} == {"Kelmar", "Idlib", "burned"}


def test_a_span_of_only_control_characters_is_refused_by_name(tmp_path):
    record = {"text": "Shelling \x1b\x1b hit Kelmar.", "spans": [{"start": 9, "end": 11, "label": "ACTOR"}]}
    (tmp_path / "t.jsonl").write_text(_line(record | {"_annotator_id": "ann"}) + "\n")
    status, output = _import(tmp_path / "t.jsonl", "--db", tmp_path / "n.db")
    assert status == 1
    assert f"{tmp_path / 't.jsonl'}: span 9:11 'ACTOR'" in output and "only control characters" in output


# -- 2. every line its own unit --------------------------------------------------------


def _good_files(folder: Path, n: int = 11) -> list[Path]:
    folder.mkdir()
    paths = []
    for i in range(n):
        path = folder / f"good{i:02}.txt"
        path.write_text(body(f"Town{i}"))
        paths.append(path)
    return paths


def test_bad_lines_are_named_and_every_good_line_and_file_is_imported(tmp_path):
    _good_files(tmp_path / "good")
    articles = tmp_path / "bad.jsonl"
    lines = [
        _line({"text": body("Alpha")}),
        DEEP,
        _line({"text": body("Beta")}).replace("Beta", "Be\\ud800ta", 1),  # replaced, imported
        _line({"text": body("Gamma")}),
        f'{{"text": {json.dumps(body("Delta"))}, "meta": {{"x": NaN}}}}',
        f'{{"text": {json.dumps(body("Eps"))}, "id": {"9" * 5000}}}',
        _line({"text": body("Zeta"), "title": 5}),
        _line({"text": body("Eta"), "id": True}),
        f'{{"text": {json.dumps(body("Theta"))}, "meta": {{"x": 1e999}}}}',
        "[1, 2]",
        "{not json",
        _line({"text": body("Iota")}),
    ]
    articles.write_text("\n".join(lines) + "\n")
    tasks = tmp_path / "tasks.jsonl"
    task_lines = [
        _line({"text": body("Kappa"), "spans": [], "_annotator_id": "ann"}),
        _line({"text": body("Lambda"), "spans": [], "_annotator_id": "ann", "_timestamp": 1e20}),
        DEEP,
        _line({"text": body("Mu"), "spans": [], "_annotator_id": "ann", "_timestamp": "soon"}),
        _line({"text": body("Nu"), "spans": [], "_annotator_id": "ann", "_timestamp": 1})[:-2] + "99e999}",
        _line({"text": body("Xi"), "spans": [{"start": 0, "end": 10**30, "label": "ACTOR"}]})[:-1]
        + ', "_annotator_id": "ann"}',
        _line({"text": body("Omicron"), "spans": [], "_annotator_id": "ann", "_timestamp": 1_700_000_000}),
    ]
    tasks.write_text("\n".join(task_lines) + "\n")
    status, output = _import(tmp_path / "good", articles, tasks, "--db", tmp_path / "n.db")
    assert status == 1, output
    for number in (2, 5, 6, 7, 8, 9, 10, 11):
        assert f"{articles}:{number}: " in output
    for number in (2, 3, 4, 5, 6):
        assert f"{tasks}:{number}: " in output
    assert f"{articles}:2: JSON nested too deeply" in output
    assert f"{tasks}:2: _timestamp 1e+20 is not a time" in output
    assert "Traceback" not in output
    with Store(tmp_path / "n.db") as store:
        texts = [a.clean_text for a in stored_articles(store)]
        assert store.integrity_check() == ["ok"]
    towns = [f"Town{i}" for i in range(11)] + ["Alpha", "Be\ufffdta", "Gamma", "Iota", "Kappa", "Omicron"]
    assert sorted(t for t in towns if any(t in x for x in texts)) == sorted(towns)
    assert len(texts) == len(towns)


def test_exit_status_is_0_when_everything_was_imported(tmp_path):
    paths = _good_files(tmp_path / "good", 3)
    assert _import(*paths, "--db", tmp_path / "n.db")[0] == 0
    assert "Exit status: 0 when everything was imported, 1 when some input was refused" in " ".join(
        CliRunner().invoke(main, ["import", "--help"]).output.split()
    )


# -- 3. repeated paragraphs, nothing dropped silently ---------------------------------------


def test_a_file_whose_every_paragraph_repeats_is_imported_collapsed(tmp_path):
    doubled = "\n\n".join(p for p in BODY.split("\n\n") for _ in (1, 2))
    (tmp_path / "twice.txt").write_text(doubled)
    (tmp_path / "lines.txt").write_text("\n".join(p for p in body("Varna").split("\n\n") for _ in (1, 2)))
    status, output = _import(tmp_path, "--db", tmp_path / "n.db")
    assert status == 0, output
    with Store(tmp_path / "n.db") as store:
        texts = {Path(a.origin or "").name: a.clean_text for a in stored_articles(store)}
    assert texts["twice.txt"] == BODY
    assert texts["lines.txt"].count("Varna") == 1
    assert "collapsed repeated paragraphs in 2 articles" in output


def test_every_input_article_is_imported_or_named(tmp_path):
    (tmp_path / "ok.txt").write_text(BODY)
    (tmp_path / "menu.txt").write_text("Home\nWorld\nSport\n")
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "blank.jsonl").write_text("\n\n")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02" * 100)
    status, output = _import(tmp_path, "--db", tmp_path / "n.db")
    assert status == 1
    for name, reason in [
        ("menu.txt", "no article text found after cleaning"),
        ("empty.txt", "empty file"),
        ("blank.jsonl", "empty file"),
        ("bin.txt", "binary file"),
    ]:
        assert f"{tmp_path / name}: {reason}" in output


# -- 4. regular files only, sizes bounded -------------------------------------------------------


def _run_import(*args: str | Path, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
    """The command as a process: a hang is a timeout, not a stuck test run."""
    code = "import sys; from annotations.cli import main; sys.argv[0] = 'newsmark'; main()"
    return subprocess.run(
        [sys.executable, "-c", code, "import", "--no-fetch", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_fifo_device_and_socket_are_named_and_skipped_never_read(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "good.txt").write_text(BODY)
    os.mkfifo(corpus / "x.txt")
    os.mkfifo(tmp_path / "named.txt")
    (corpus / "zero.txt").symlink_to("/dev/zero")
    (corpus / "tasks.jsonl").symlink_to("/dev/zero")
    (corpus / "list.json").symlink_to("/dev/zero")
    sock_path = corpus / "s.txt"
    sock = None
    if len(str(sock_path)) < 100:
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(sock_path))
    try:
        done = _run_import(corpus, tmp_path / "named.txt", "--db", tmp_path / "n.db")
    finally:
        if sock is not None:
            sock.close()
    assert done.returncode == 1, done.stderr
    out = done.stdout + done.stderr
    assert f"{corpus / 'x.txt'}: not a regular file (a FIFO)" in out
    assert f"{tmp_path / 'named.txt'}: not a regular file (a FIFO)" in out
    assert (
        f"{corpus / 'zero.txt'}: not a regular file (a character device, through a symbolic link to /dev/zero)"
        in out
    )
    assert f"{corpus / 'tasks.jsonl'}: not a regular file" in out
    assert f"{corpus / 'list.json'}: not a regular file" in out
    if sock is not None:
        assert f"{sock_path}: not a regular file (a socket)" in out
    assert "1  imported" in out.replace("\u2502", " ")


def test_a_fifo_that_replaces_a_file_after_discovery_cannot_hang_the_reader(tmp_path):
    os.mkfifo(tmp_path / "late.txt")
    os.mkfifo(tmp_path / "late.jsonl")
    assert [str(p) for p in read_input(Input(str(tmp_path / "late.txt"), "txt", str(tmp_path)))] == [
        str(Problem(str(tmp_path / "late.txt"), "not a regular file (a FIFO): skipped"))
    ]
    (found,) = read_input(Input(str(tmp_path / "late.jsonl"), "jsonl", str(tmp_path)))
    assert isinstance(found, Problem) and "not a regular file (a FIFO)" in found.reason


def test_files_and_jsonl_lines_over_the_size_limit_are_refused_by_name(tmp_path):
    (tmp_path / "small.txt").write_text(BODY)
    (tmp_path / "big.txt").write_text(BODY * 20)
    (tmp_path / "big.html").write_text(f"<p>{BODY * 20}</p>")
    lines = [
        _line({"text": body("Alpha")}),
        _line({"text": body("Beta") * 20}),
        _line({"text": body("Gamma")}),
    ]
    (tmp_path / "a.jsonl").write_text("\n".join(lines) + "\n")
    status, output = _import(tmp_path, "--db", tmp_path / "n.db", "--max-size", "2k")
    assert status == 1
    assert f"{tmp_path / 'big.txt'}: file larger than the size limit" in output
    assert f"{tmp_path / 'big.html'}: file larger than the size limit" in output
    assert f"{tmp_path / 'a.jsonl'}:2: line larger than the size limit" in output and "--max-size" in output
    with Store(tmp_path / "n.db") as store:
        texts = " ".join(a.clean_text for a in stored_articles(store))
    assert "Alpha" in texts and "Gamma" in texts and "Beta" not in texts and len(texts) < 2000


def test_max_size_takes_bytes_and_units():
    assert parse_size("50MB") == 50 * 2**20
    assert parse_size("200k") == 200 * 1024
    assert parse_size("1.5G") == 3 * 2**29
    assert parse_size("123") == 123
    for bad in ("", "12q", "-1", "0", "MB"):
        with pytest.raises(ValueError):
            parse_size(bad)


def test_a_bad_max_size_is_a_usage_error(tmp_path):
    (tmp_path / "a.txt").write_text(BODY)
    result = CliRunner().invoke(main, ["import", str(tmp_path / "a.txt"), "--max-size", "lots"])
    assert result.exit_code == 2 and "--max-size" in result.output and "not a size" in result.output


def test_integrity_check_through_the_store(store):
    assert store.integrity_check() == ["ok"]


def test_import_paths_reports_without_raising(store, tmp_path):
    (tmp_path / "deep.jsonl").write_text(DEEP + "\n" + _line({"text": BODY}) + "\n")
    report = import_paths(store, [tmp_path], fetch=False)
    assert report.added == 1 and [str(p) for p in report.problems] == [
        f"{tmp_path / 'deep.jsonl'}:1: JSON nested too deeply"
    ]
