"""The `newsmark` command, run through click's runner against real files and databases."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLE_CORPUS, stored_articles

from annotations.storage import Store
from tui.cli import main

PARAGRAPH = (
    "Rebel fighters attacked an army checkpoint outside Harzen on Sunday, killing four soldiers "
    "and wounding seven others, the provincial governor said in a statement."
)


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args: str, env: dict[str, str] | None = None):
        return runner.invoke(main, list(args), env=env, catch_exceptions=False)

    return invoke


def stored_count(db_path: Path) -> int:
    with Store(db_path) as store:
        return store.article_count()


def test_import_sample_corpus_then_reimport_adds_nothing(run, db_path):
    first = run("import", str(SAMPLE_CORPUS), "--db", str(db_path), "--no-fetch")
    assert first.exit_code == 0, first.output
    count = stored_count(db_path)
    assert count >= 22  # the two seeds and at least 20 written for the project
    assert f"{count}  imported" in first.output.replace(" " * 2, "  ")
    second = run("import", str(SAMPLE_CORPUS), "--db", str(db_path), "--no-fetch")
    assert second.exit_code == 0
    assert "0  imported" in second.output and f"{count}  duplicates" in second.output
    assert stored_count(db_path) == count


def test_sample_corpus_articles_have_titles_and_clean_bodies(run, db_path):
    run("import", str(SAMPLE_CORPUS), "--db", str(db_path), "--no-fetch")
    with Store(db_path) as store:
        rows = [(a.origin, a.title, a.clean_text) for a in stored_articles(store)]
    assert rows
    for origin, title, text in rows:
        assert title, origin
        assert len(text.split()) > 100, origin
        for junk in ("Skip to content", "Subscribers agree", "push icon", "Accept all cookies"):
            assert junk not in text, (origin, junk)


def test_import_exit_status_and_messages_name_the_file(run, db_path, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": PARAGRAPH}) + "\n{oops\n")
    result = run("import", str(bad), str(tmp_path / "nope.txt"), "--db", str(db_path))
    assert result.exit_code == 1
    assert f"{bad}:2: invalid JSON" in result.output
    assert f"{tmp_path / 'nope.txt'}: no such file or folder" in result.output
    assert "1  imported" in result.output


def test_db_comes_from_environment(run, tmp_path):
    (tmp_path / "a.txt").write_text(PARAGRAPH)
    env_db = tmp_path / "from-env.db"
    result = run("import", str(tmp_path / "a.txt"), env={"NEWSMARK_DB": str(env_db)})
    assert result.exit_code == 0 and env_db.exists()


def test_unopenable_database_is_a_clear_error(run, tmp_path):
    not_db = tmp_path / "not.db"
    not_db.write_text("this is not a database " * 100)
    result = CliRunner().invoke(main, ["stats", "--db", str(not_db)])
    assert result.exit_code == 1 and f"newsmark stats: {not_db}: cannot open database" in result.output


def test_clean_prints_one_file_and_writes_many(run, tmp_path):
    seed = sorted(SAMPLE_CORPUS.glob("0*.txt"))[0]
    result = run("clean", str(seed))
    assert result.exit_code == 0
    assert result.output.startswith("Turkey said two of its soldiers were killed")
    assert result.output.rstrip().endswith("sent Turkish financial markets skidding.")
    out = tmp_path / "out"
    result = run(
        "clean", str(SAMPLE_CORPUS / "jsonl"), str(SAMPLE_CORPUS / "txt"), "-o", str(out), "--no-fetch"
    )
    assert result.exit_code == 0
    names = {p.name for p in out.glob("*.txt")}
    assert "articles-1.txt" in names and "harbor-wire_port-anselm-talks.txt" in names
    assert all(p.read_text().strip() for p in out.glob("*.txt"))


def test_stats_counts_statuses_and_labels(run, db_path):
    run("import", str(SAMPLE_CORPUS / "jsonl"), "--db", str(db_path))
    with Store(db_path) as store:
        store.add_span(1, "ana", 0, 5, "ACTOR")
        store.set_status(1, "ana", "done")
        total = store.article_count()
    result = run("stats", "--db", str(db_path), "--json")
    figures = json.loads(result.output)
    assert figures["articles"] == total
    assert figures["statuses"]["ana"] == {"done": 1, "new": total - 1}
    assert figures["labels"] == {"ana": {"ACTOR": 1}}
    table = run("stats", "--db", str(db_path)).output
    assert "ana" in table and "ACTOR" in table


def test_markup_in_titles_is_printed_literally(run, db_path, tmp_path):
    (tmp_path / "a.jsonl").write_text(json.dumps({"title": "[bold red]Alert[/] in Idlib", "text": PARAGRAPH}))
    run("import", str(tmp_path / "a.jsonl"), "--db", str(db_path))
    result = run("list", "--db", str(db_path))
    assert "[bold red]Alert[/] in Idlib" in result.output


def test_no_arguments_imports_the_sample_corpus_into_an_empty_default_db(tmp_path):
    # The installed command, as a user runs it, in an empty folder.
    env = {
        "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin",
        "HOME": str(tmp_path),
        "COLUMNS": "120",
    }
    result = subprocess.run(
        [sys.executable, "-m", "tui"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "imported the sample corpus" in result.stderr
    assert (
        "Turkey Says Syrian Air Strikes Kill Two Turkish Soldiers" in result.stdout.replace("\n", " ")
        or "Turkey Says" in result.stdout
    )
    assert (tmp_path / "newsmark.db").exists()


def test_reclean_updates_old_texts_and_keeps_annotated_ones(run, db_path):
    run("import", str(SAMPLE_CORPUS / "jsonl"), "--db", str(db_path))
    with Store(db_path) as store:
        total = store.article_count()
        for article_id in range(1, total + 1):  # as an older cleaner left them
            store.reclean(article_id, "stale text", "old")
        store.add_span(1, "ana", 0, 5, "ACTOR")
    result = run("reclean", "--db", str(db_path))
    assert result.exit_code == 0 and f"re-cleaned {total - 1}, kept 1" in result.output
    with Store(db_path) as store:
        assert store.article(1).clean_text == "stale text"  # its span points into it
        assert all(store.article(i).clean_text != "stale text" for i in range(2, total + 1))


def test_annotate_refuses_a_bad_label_schema_naming_file_and_line(run, db_path, tmp_path):
    labels = tmp_path / "labels.toml"
    labels.write_text(
        '[[labels]]\nname = "ACTOR"\nkey = "1"\ncolour = "blue"\n\n'
        '[[labels]]\nname = "PLACE"\nkey = "1"\ncolour = "green"\n'
    )
    result = CliRunner().invoke(main, ["annotate", "--db", str(db_path), "--labels", str(labels)])
    assert result.exit_code == 1
    assert f"{labels}:" in result.output and "key" in result.output


def test_annotate_refuses_a_keymap_with_an_unknown_action(run, db_path, tmp_path):
    keymap = tmp_path / "keymap.toml"
    keymap.write_text('[keys]\n"text.select" = "space"\n"text.explode" = "X"\n')
    result = CliRunner().invoke(main, ["annotate", "--db", str(db_path), "--keymap", str(keymap)])
    assert result.exit_code == 1
    assert f"{keymap}:3: unknown action id 'text.explode'" in result.output
