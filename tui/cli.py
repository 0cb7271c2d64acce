"""The commands that start the app: ``annotate`` (the default) and ``review``.

They join the ``newsmark`` group of :mod:`annotations.cli` (the ``newsmark``
script runs this module's ``main``, the same group with these two added), so the
core library never imports Textual. The app itself is imported only when a
command runs: ``newsmark --help`` or a bad keymap file costs no Textual start-up.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from annotations.cli import _err, _import_sample_if_empty, _open, _safe, _split_list, db_option, main

if TYPE_CHECKING:
    from annotations.labels import LabelSchema

__all__ = ["main"]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while Textual and the app are imported.

    The import makes some 40,000 objects that live as long as the process, and the collector
    would walk them again and again as they come (6 ms of the start-up); ``tui.app.run`` then
    freezes them, out of its way.
    """
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _schema_and_keymap(labels: str | None, keymap: str | None) -> tuple[LabelSchema, dict[str, str]]:
    """The label schema and the user's keymap for the app; a bad file is a clean error."""
    # Imported here, not at the top: every other command (export, import ...) starts through
    # this module too, and needs neither the action table nor the keymap reader.
    from annotations.actions import known_ids
    from annotations.keymap import KeymapError, load_keymap
    from annotations.labels import SchemaError, load_schema

    try:
        schema = load_schema(labels)
        return schema, load_keymap(keymap, known_ids(schema))
    except (SchemaError, KeymapError) as exc:
        raise click.ClickException(str(exc)) from None


@main.command("annotate")
@db_option
@click.option(
    "--annotator",
    default=None,
    help="Your name: your spans and statuses are your own (default: $NEWSMARK_ANNOTATOR, "
    "else your login name).",
)
@click.option(
    "--labels",
    "labels",
    type=click.Path(dir_okay=False),
    default=None,
    help="Label schema (TOML): names, keys, colours, attributes. Default: ACTOR, CASUALTY, LOCATION.",
)
@click.option(
    "--keymap",
    type=click.Path(dir_okay=False),
    default=None,
    help="Keymap (TOML [keys] table of action id = keys). Default: $NEWSMARK_KEYMAP, else "
    "~/.config/newsmark/keymap.toml if it exists.",
)
@click.option(
    "--theme",
    default=None,
    help="dark or light (default: $NEWSMARK_THEME, else dark), or any Textual theme name.",
)
@click.option(
    "--no-suggestions",
    "no_suggestions",
    is_flag=True,
    default=False,
    help="Do not show the rules' suggestions this run (also: $NEWSMARK_SUGGESTIONS=off).",
)
def annotate_command(
    db: str | None = None,
    annotator: str | None = None,
    labels: str | None = None,
    keymap: str | None = None,
    theme: str | None = None,
    no_suggestions: bool = False,
) -> None:
    """Open the annotator: article list, article text, keyboard tagging (? for keys)."""
    with _collector_paused():
        from tui.app import NewsmarkApp, annotator_name, run

    schema, user_keymap = _schema_and_keymap(labels, keymap)
    with _open(db) as store:
        _import_sample_if_empty(store, db)
        path = store.path
    suggest = False if no_suggestions else None  # None: the app reads $NEWSMARK_SUGGESTIONS
    run(NewsmarkApp(path, annotator_name(annotator), schema, user_keymap, theme, suggest=suggest))


@main.command("review")
@db_option
@click.option(
    "--annotators",
    "annotators",
    multiple=True,
    help="Review these annotators' work (A,B,C or repeat). Default: everyone but the reviewer.",
)
@click.option(
    "--reviewer",
    default=None,
    help="Your name: the review is saved as your annotation, status reviewed (default: "
    "$NEWSMARK_ANNOTATOR, else your login name).",
)
@click.option(
    "--labels",
    "labels",
    type=click.Path(dir_okay=False),
    default=None,
    help="Label schema (TOML), as for annotate.",
)
@click.option(
    "--keymap", type=click.Path(dir_okay=False), default=None, help="Keymap (TOML), as for annotate."
)
@click.option("--theme", default=None, help="dark or light, as for annotate.")
def review_command(
    db: str | None,
    annotators: tuple[str, ...],
    reviewer: str | None,
    labels: str | None,
    keymap: str | None,
    theme: str | None,
) -> None:
    """Settle disagreements over articles two or more annotators marked done.

    Spans all of them made (with the same attributes) are accepted already;
    the others are drawn underlined in their label's colour. > and < walk the disagreements, a takes
    the version of the annotator whose span is under the cursor, r takes none,
    and tagging, x and e work as when annotating. d marks the article reviewed.
    Export the outcome with `newsmark export --reviewed`.
    """
    with _collector_paused():
        from tui.app import NewsmarkApp, annotator_name, run

    names = _split_list(annotators)
    who = annotator_name(reviewer)
    if who in names:
        raise click.BadParameter(
            f"{who} is one of the annotators under review; a reviewer reviews others' work (give --reviewer)",
            param_hint="--reviewer",
        )
    schema, user_keymap = _schema_and_keymap(labels, keymap)
    with _open(db) as store:
        queue = store.review_ids(who, names, "all", 0, 1)
        path = store.path
    if not queue:
        _err().print(
            _safe(
                "nothing to review: no article is marked done by two or more of "
                f"{', '.join(names) or 'the annotators'}"
            )
        )
        return
    run(NewsmarkApp(path, who, schema, user_keymap, theme, review=names))
