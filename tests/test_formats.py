"""The registry of export formats, and every format through it: one list that the CLI, the
dispatcher, the import, the README and these tests all read, so none of them can drift."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import import_module
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotations.cli import main
from annotations.corpus.annotation_files import annotation_kind, read_annotations
from annotations.export import (
    ACCEPTED_STATUSES,
    ANSWER_FORMATS,
    FINISHED_STATUSES,
    FORMATS,
    ExportError,
    Filters,
    default_statuses,
    export,
)
from annotations.export.formats import (
    FORMAT_MODULES,
    OPTION_NAMES,
    ExportFormat,
    get,
    names,
    readable,
    registry,
)
from annotations.importing import import_paths
from annotations.model import Status
from annotations.storage import Store
from tests.conftest import ROOT, SAMPLE_CORPUS

STATUSES = (Status.DONE, Status.SKIPPED, Status.FLAGGED, Status.IN_PROGRESS)
WHO = ("alice", "bob")


def _targets(tmp_path: Path, entry: ExportFormat) -> str:
    """Where ``entry`` is written: a folder for a folder format, else a file."""
    if entry.writes == "folder":
        return str(tmp_path / f"{entry.name}-out")
    suffix = {"spacy": ".spacy", "labelstudio": ".json"}.get(entry.name, ".jsonl")
    return str(tmp_path / f"out{suffix}")


@pytest.fixture
def sample(store: Store) -> Store:
    """The sample corpus, each article annotated by two annotators in every status."""
    report = import_paths(store, [str(SAMPLE_CORPUS)], fetch=False)
    assert report.added > 0
    for n, row in enumerate(store.page(0, 1000)):
        text = store.article(row.id).clean_text
        for k, who in enumerate(WHO):
            for m, (start, end) in enumerate(_words(text)[k : k + 3]):
                label = ("ACTOR", "LOCATION", "CASUALTY")[m]
                store.add_span(row.id, who, start, end, label, {"note": f"n{m}"} if m == 1 else None)
            store.set_status(row.id, who, STATUSES[(n + k) % len(STATUSES)])
    return store


def _words(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(r"[A-Z][a-z]{3,}", text)]


def _exported(store: Store) -> dict[tuple[int, str], tuple[Status, list[tuple[int, int, str]]]]:
    """Every article's and annotator's status and spans, as an export of all of them holds them."""
    found = {}
    for row in store.page(0, 1000):
        for who in WHO:
            spans = sorted((s.start, s.end, s.label) for s in store.spans(row.id, who))
            found[(row.id, who)] = (store.status(row.id, who), spans)
    return found


def test_the_formats_are_listed_in_order_once():
    assert FORMATS == ("jsonl", "doccano", "labelstudio", "brat", "conll", "spacy")
    assert names() == FORMATS == tuple(registry())
    assert len(FORMAT_MODULES) == len(FORMATS)


def test_each_module_declares_its_format():
    assert tuple(FORMAT_MODULES) == FORMATS
    for name, module in FORMAT_MODULES.items():
        assert import_module(module).FORMAT is registry()[name]


@pytest.mark.parametrize("name", FORMATS)
def test_a_format_uses_only_export_options(name):
    assert set(get(name).options) <= set(OPTION_NAMES)


def test_every_export_option_is_used_by_some_format():
    used = {option for entry in registry().values() for option in entry.options}
    assert used == set(OPTION_NAMES)


def test_an_entry_with_an_unknown_option_is_refused():
    with pytest.raises(ValueError, match="unknown options"):
        ExportFormat("x", "", writer=get("jsonl").writer, options=("colour",))


def test_an_unknown_format_is_an_export_error(store, tmp_path):
    with pytest.raises(ExportError, match="unknown format 'xml'; one of jsonl, doccano"):
        export(store, "xml", str(tmp_path / "x"), Filters())


@pytest.mark.parametrize("name", FORMATS)
def test_default_statuses_follow_whether_the_format_says_answers(name):
    expected = FINISHED_STATUSES if get(name).answers else ACCEPTED_STATUSES
    assert default_statuses(name) == expected
    assert default_statuses(name, reviewed=True) == ACCEPTED_STATUSES
    assert (name in ANSWER_FORMATS) is get(name).answers


def test_the_formats_read_back_are_those_with_a_reader():
    assert list(readable()) == ["jsonl", "doccano", "labelstudio"]


@pytest.mark.parametrize("name", FORMATS)
def test_every_format_exports_the_sample(sample, tmp_path, name):
    entry = get(name)
    target = _targets(tmp_path, entry)
    report = export(sample, name, target, Filters(statuses=None))
    assert report.annotations > 0 and report.spans > 0
    written = Path(target)
    if written.is_dir():
        assert [p for p in written.iterdir() if p.stat().st_size > 0]
    else:
        assert written.stat().st_size > 0
    assert entry.writes != "folder" or written.is_dir()


@pytest.mark.parametrize("name", [name for name in FORMATS if get(name).writes == "folder"])
def test_a_folder_format_refuses_standard_output(sample, name):
    with pytest.raises(ExportError, match="writes a folder"):
        export(sample, name, "-", Filters())


@pytest.mark.parametrize("name", list(readable()))
def test_every_format_with_a_reader_round_trips(sample, tmp_path, name):
    target = _targets(tmp_path, get(name))
    export(sample, name, target, Filters(statuses=None))
    assert annotation_kind(target) == name
    with Store(tmp_path / "other.db") as other:
        report = import_paths(other, [target], fetch=False)
        assert not report.problems and not report.failed
        assert _exported(other) == _exported(sample)


def test_reading_a_format_without_a_reader_is_refused(tmp_path):
    path = tmp_path / "x.conll"
    path.write_text("-DOCSTART- -X- O O\n")
    with pytest.raises(ValueError, match="not a format that can be imported: 'conll'"):
        list(read_annotations(path, "conll"))


def test_the_cli_offers_the_registered_formats(db_path):
    result = CliRunner().invoke(main, ["export", "--db", str(db_path), "--format", "xml"])
    assert result.exit_code == 2
    assert "'xml' is not one of " + ", ".join(f"'{n}'" for n in FORMATS) in result.output
    help_text = CliRunner().invoke(main, ["export", "--help"]).output
    for name in FORMATS:
        assert re.search(rf"\b{name}\b", help_text)


@pytest.mark.parametrize("name", [name for name in FORMATS if get(name).writes == "folder"])
def test_the_cli_refuses_a_folder_format_on_standard_output(db_path, name):
    result = CliRunner().invoke(main, ["export", "--db", str(db_path), "--format", name])
    assert result.exit_code == 2 and f"--format {name} needs -o DIR" in result.output


def test_importing_the_package_or_starting_the_cli_loads_no_format():
    code = (
        "import sys, annotations.export, annotations.cli; "
        f"loaded = [m for m in {list(FORMAT_MODULES.values())!r} if m in sys.modules]; "
        "assert not loaded, loaded; assert 'spacy' not in sys.modules"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr


def test_an_export_loads_only_its_own_format_module(store, db_path, tmp_path):
    """``--format`` is checked and the export run without importing the other formats."""
    out = tmp_path / "out.jsonl"
    code = (
        "import sys; from click.testing import CliRunner; from annotations.cli import main; "
        f"r = CliRunner().invoke(main, ['export', '--db', {str(db_path)!r}, '--format', 'doccano', "
        f"'-o', {str(out)!r}]); assert r.exit_code == 0, r.output; "
        f"print([m for m in {list(FORMAT_MODULES.values())!r} if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['annotations.export.doccano']"


def test_the_readme_table_lists_exactly_the_registered_formats_and_their_extras():
    readme = (ROOT / "README.md").read_text("utf-8").splitlines()
    header = readme.index("| format | what it writes | keeps | extra |")
    rows = {}
    for line in readme[header + 2 :]:
        if not line.startswith("| `"):
            break
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        name = re.match(r"`([a-z]+)`", cells[0]).group(1)
        rows[name] = None if cells[-1] == "—" else cells[-1].strip("`")
    assert rows == {name: entry.needs_extra for name, entry in registry().items()}
    assert list(rows) == list(FORMATS)
