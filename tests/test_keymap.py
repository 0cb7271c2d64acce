"""The table of actions (annotations/actions.py) is the one source of keys.

Screens and widgets bind from it, the help screen lists it, and a keymap file is
checked against it without Textual.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from rich.table import Table
from textual.widgets import Static
from tui_fixtures import build_db

from annotations.actions import ACTIONS, HELP_SCOPES, actions, help_rows, known_ids, tag_actions
from annotations.keymap import KeymapError, load_keymap
from annotations.labels import default_schema
from tui.app import NewsmarkApp
from tui.keymap import binding, tag_bindings
from tui.screens.annotate import AnnotateScreen
from tui.screens.edit_span import EditSpanScreen
from tui.screens.help import HelpScreen
from tui.screens.review import ReviewScreen
from tui.widgets.article_list import ArticleList
from tui.widgets.article_text import ArticleText

SCREENS_AND_WIDGETS = [AnnotateScreen, ReviewScreen, EditSpanScreen, HelpScreen, ArticleList, ArticleText]


def test_every_binding_of_every_screen_and_widget_is_an_action_of_the_table() -> None:
    schema = default_schema()
    ids = known_ids(schema)
    for cls in SCREENS_AND_WIDGETS:
        for b in cls.BINDINGS:
            assert b.id in ids, f"{cls.__name__}: {b.id!r} is not in annotations/actions.py"
    for b in tag_bindings(schema):
        assert b.id in ids
    # and the other way round: every action of the table is bound somewhere
    bound = {b.id for cls in SCREENS_AND_WIDGETS for b in cls.BINDINGS} | {b.id for b in tag_bindings(schema)}
    assert ids == bound


def test_a_binding_carries_every_field_of_its_action() -> None:
    for a in ACTIONS + tag_actions(default_schema()):
        b = binding(a)
        assert (b.key, b.action, b.description, b.show, b.tooltip, b.priority, b.id) == (
            a.keys,
            a.action,
            a.description,
            a.show,
            a.tooltip,
            a.priority,
            a.id,
        )


def test_ids_are_unique_within_a_scope_and_shared_only_by_design() -> None:
    for scope in {a.scope for a in ACTIONS}:
        ids = [a.id for a in actions(scope)]
        assert len(ids) == len(set(ids)), scope
    shared = {a.id for a in ACTIONS if sum(b.id == a.id for b in ACTIONS) > 1}
    assert shared == {"article.done"}  # the annotator's d, "reviewed" on the review screen


def test_tag_actions_come_from_the_label_schema() -> None:
    tags = tag_actions(default_schema())
    assert [(a.id, a.keys, a.action) for a in tags] == [
        (f"tag.{label.name.lower()}", label.key, f"tag({label.name!r})") for label in default_schema().labels
    ]
    with pytest.raises(ValueError):
        actions("tag")


@pytest.mark.parametrize("action_id", ["help.close", "edit.save", "edit.cancel", "review.accept"])
def test_a_keymap_may_rebind_help_edit_and_review_actions(tmp_path: Path, action_id: str) -> None:
    path = tmp_path / "keymap.toml"
    path.write_text(f'[keys]\n"{action_id}" = "ctrl+x"\n')
    assert load_keymap(path, known_ids(default_schema())) == {action_id: "ctrl+x"}


def test_an_unknown_id_is_refused_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "keymap.toml"
    path.write_text('# mine\n[keys]\n"help.close" = "x"\n"help.explode" = "y"\n')
    with pytest.raises(KeymapError, match=rf"^{path}:4: unknown action id 'help.explode'"):
        load_keymap(path, known_ids(default_schema()))


@pytest.mark.parametrize("module", ["annotations.cli", "annotations.actions", "annotations.keymap"])
def test_the_core_library_loads_no_textual(module: str) -> None:
    code = (
        f"import sys, {module}; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'tui')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_app_starts_without_the_review_help_edit_and_export_code() -> None:
    """The first screen loads only what it needs: the rest is imported on first use."""
    code = (
        "import sys, tui.cli, tui.app; "
        "print(sorted(m for m in sys.modules if m in ("
        "'tui.screens.review', 'tui.screens.help', 'tui.screens.edit_span', "
        "'annotations.export', 'annotations.importing', 'trafilatura', "
        "'annotations.session.review', 'annotations.review', 'annotations.tokens', 'rich.progress')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return build_db(tmp_path / "newsmark.db")


async def test_the_help_screen_lists_the_table_in_its_order(db: Path) -> None:
    app = NewsmarkApp(db, "ana", keymap={"help.close": "escape,x"})
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        (table,) = [s.content for s in app.screen.query(Static) if isinstance(s.content, Table)]
        shown = [str(cell) for cell in table.columns[2].cells if str(cell)]
        assert shown == [a.id for _, a in help_rows(app.schema)]
        headings = [
            str(cell) for cell, id_ in zip(table.columns[0].cells, table.columns[2].cells) if not str(id_)
        ]
        assert headings == list(dict.fromkeys(heading for _, heading in HELP_SCOPES))
        await pilot.press("x")  # the rebound help.close
        await pilot.pause()
        assert isinstance(app.screen, AnnotateScreen)
