"""Every keyboard action of the annotator, as plain data (no Textual, no screen).

One table serves everyone who needs to know the actions: the screens and widgets
bind from it (``tui/keymap.py`` turns an :class:`Action` into a Textual binding),
the help screen and the command palette list it, and the CLI validates a user
keymap against its ids without loading Textual.

Each action belongs to one *scope*: the screen or widget whose ``BINDINGS`` it
is. :data:`HELP_SCOPES` says which scopes the help screen lists, in its order,
and under which heading.
"""

from __future__ import annotations

from dataclasses import dataclass

from annotations.labels import LabelSchema

ANNOTATE = "annotate"  # both session screens, annotating and reviewing (their common base binds it)
LIST = "list"  # the article list widget
TEXT = "text"  # the article text widget
TAG = "tag"  # the tag keys, one per label of the schema, bound on the article text
REVIEW = "review"  # the review screen
SUGGEST = "suggest"  # the annotate screen only: suggestions and in-place attributes (review has its a/r)
HELP = "help"  # the help screen (?)
EDIT = "edit"  # the edit-span screen (e)


@dataclass(frozen=True, slots=True)
class Action:
    """One keyboard action: what a Textual ``Binding`` says, with the scope it lives in.

    ``keys`` are Textual key names, comma-separated (``"k,up"``); ``action`` is the
    action string run on the scope's screen or widget.
    """

    id: str
    keys: str
    action: str
    description: str
    scope: str
    show: bool = True
    tooltip: str = ""
    priority: bool = False


def _a(
    scope: str, keys: str, action: str, description: str, *, id: str, show: bool = True, tooltip: str = ""
) -> Action:
    return Action(id, keys, action, description, scope, show, tooltip)


ACTIONS: tuple[Action, ...] = (
    # -- the annotator's screen ("anywhere" in help) --
    _a(
        ANNOTATE,
        "tab",
        "switch_pane",
        "pane",
        show=False,
        tooltip="switch between the list and the text",
        id="app.switch_pane",
    ),
    _a(ANNOTATE, "question_mark", "help", "help", tooltip="this list of keys", id="app.help"),
    _a(ANNOTATE, "q", "quit", "quit", id="app.quit"),
    _a(ANNOTATE, "u", "undo", "undo", tooltip="undo the last change (also after a restart)", id="edit.undo"),
    _a(ANNOTATE, "ctrl+r", "redo", "redo", show=False, tooltip="redo what was undone", id="edit.redo"),
    _a(
        ANNOTATE,
        "d",
        "set_status('done')",
        "done",
        tooltip="mark the article done, open the next to do",
        id="article.done",
    ),
    _a(
        ANNOTATE,
        "s",
        "set_status('skipped')",
        "skip",
        show=False,
        tooltip="mark the article skipped, open the next to do",
        id="article.skip",
    ),
    _a(
        ANNOTATE,
        "f",
        "set_status('flagged')",
        "flag",
        show=False,
        tooltip="flag the article for a reviewer, open the next to do",
        id="article.flag",
    ),
    _a(ANNOTATE, "right_square_bracket", "step(1)", "next article", show=False, id="article.next"),
    _a(ANNOTATE, "left_square_bracket", "step(-1)", "previous article", show=False, id="article.prev"),
    # -- the article list --
    _a(LIST, "k,up", "move(-1)", "previous article in list", show=False, id="list.up"),
    _a(LIST, "j,down", "move(1)", "next article in list", show=False, id="list.down"),
    _a(LIST, "pageup", "page(-1)", "page up", show=False, id="list.page_up"),
    _a(LIST, "pagedown", "page(1)", "page down", show=False, id="list.page_down"),
    _a(LIST, "g,home", "edge(0)", "first in list", show=False, id="list.top"),
    _a(LIST, "G,end", "edge(1)", "last in list", show=False, id="list.bottom"),
    _a(LIST, "enter", "open", "open", tooltip="open the article in the text pane", id="list.open"),
    _a(
        LIST,
        "slash",
        "search",
        "search",
        tooltip="search the corpus (FTS5); enter shows the hits",
        id="list.search",
    ),
    _a(LIST, "t", "cycle_view", "view", tooltip="cycle the list: all, to do, done, flagged", id="list.view"),
    _a(LIST, "escape", "clear_search", "back from search results", show=False, id="list.clear_search"),
    # -- the article text --
    _a(TEXT, "h,left", "move(-1)", "cursor left", show=False, id="text.left"),
    _a(TEXT, "l,right", "move(1)", "cursor right", show=False, id="text.right"),
    _a(TEXT, "k,up", "move_row(-1)", "cursor up a row", show=False, id="text.up"),
    _a(TEXT, "j,down", "move_row(1)", "cursor down a row", show=False, id="text.down"),
    _a(TEXT, "w", "word(1)", "next word", show=False, id="text.word_next"),
    _a(TEXT, "b", "word(-1)", "previous word", show=False, id="text.word_prev"),
    _a(TEXT, "shift+left", "extend('left')", "select left", show=False, id="text.extend_left"),
    _a(TEXT, "shift+right", "extend('right')", "select right", show=False, id="text.extend_right"),
    _a(TEXT, "shift+up", "extend('up')", "select up", show=False, id="text.extend_up"),
    _a(TEXT, "shift+down", "extend('down')", "select down", show=False, id="text.extend_down"),
    _a(TEXT, "home,0", "line_edge(0)", "line start", show=False, id="text.home"),
    _a(TEXT, "end,dollar_sign", "line_edge(1)", "line end", show=False, id="text.end"),
    _a(TEXT, "pageup", "page(-1)", "page up", show=False, id="text.page_up"),
    _a(TEXT, "pagedown", "page(1)", "page down", show=False, id="text.page_down"),
    _a(TEXT, "g", "edge(0)", "start of article", show=False, id="text.top"),
    _a(TEXT, "G", "edge(1)", "end of article", show=False, id="text.bottom"),
    _a(
        TEXT,
        "v",
        "toggle_selection",
        "select",
        tooltip="start (or drop) a selection; moving extends it",
        id="text.select",
    ),
    _a(TEXT, "escape", "clear_selection", "clear selection / matches", show=False, id="text.clear"),
    _a(
        TEXT,
        "x",
        "delete_span",
        "delete",
        show=False,
        tooltip="delete the span under the cursor",
        id="text.delete",
    ),
    _a(
        TEXT,
        "e",
        "edit_span",
        "edit",
        show=False,
        tooltip="change the label and attributes of the span under the cursor",
        id="text.edit",
    ),
    _a(TEXT, "left_curly_bracket", "jump_span(-1)", "previous span", show=False, id="text.span_prev"),
    _a(TEXT, "right_curly_bracket", "jump_span(1)", "next span", show=False, id="text.span_next"),
    _a(
        TEXT,
        "slash",
        "find",
        "find",
        tooltip="find in this article; enter selects the next match",
        id="text.find",
    ),
    _a(TEXT, "n", "find_next", "next match", show=False, id="text.find_next"),
    # -- the annotate screen: suggestions, attributes in place --
    _a(
        SUGGEST,
        "a",
        "accept_suggestion",
        "accept",
        show=False,  # the footer stays as it was: the span line names the keys at a suggestion
        tooltip="accept the suggestion under the cursor as your span",
        id="suggest.accept",
    ),
    _a(
        SUGGEST,
        "r",
        "reject_suggestion",
        "reject",
        show=False,
        tooltip="reject the suggestion under the cursor",
        id="suggest.reject",
    ),
    _a(
        SUGGEST,
        "A",
        "accept_all_suggestions",
        "accept all",
        show=False,
        tooltip="accept every suggestion of this article (one undo)",
        id="suggest.accept_all",
    ),
    _a(
        SUGGEST,
        "c",
        "cycle_kind",
        "cycle kind",
        show=False,
        tooltip="the span under the cursor: next value of its first choice (CASUALTY: kind)",
        id="span.cycle_kind",
    ),
    _a(
        SUGGEST,
        "number_sign",
        "type_count",
        "count",
        show=False,
        tooltip="the span under the cursor: type its count (enter saves, escape cancels)",
        id="span.count",
    ),
    # -- the review screen --
    _a(
        REVIEW,
        "greater_than_sign",
        "disagreement(1)",
        "next disagreement",
        tooltip="go to the next disagreement still open (then any)",
        id="review.next",
    ),
    _a(REVIEW, "less_than_sign", "disagreement(-1)", "previous disagreement", show=False, id="review.prev"),
    _a(
        REVIEW,
        "a",
        "accept",
        "accept",
        tooltip="take the version of the annotator whose span is under the cursor ({ } pick a span)",
        id="review.accept",
    ),
    _a(
        REVIEW,
        "r",
        "reject",
        "none",
        show=False,
        tooltip="settle the disagreement under the cursor with none of the versions",
        id="review.reject",
    ),
    # The annotator's d, named for what it does here (same id: one rebinding serves both).
    _a(
        REVIEW,
        "d",
        "set_status('done')",
        "reviewed",
        tooltip="mark the article reviewed, open the next to review",
        id="article.done",
    ),
    # -- the help screen --
    _a(HELP, "escape,q,question_mark", "dismiss", "close", id="help.close"),
    _a(HELP, "j,down", "scroll(1)", "down", show=False, id="help.down"),
    _a(HELP, "k,up", "scroll(-1)", "up", show=False, id="help.up"),
    # -- the edit-span screen --
    _a(EDIT, "escape", "cancel", "cancel", id="edit.cancel"),
    _a(EDIT, "ctrl+s", "save", "save", id="edit.save"),
)

# What the help screen lists, in its order, under these headings. The tag keys sit with
# the article text (they are bound there); review comes last: annotators need it least.
HELP_SCOPES: tuple[tuple[str, str], ...] = (
    (ANNOTATE, "anywhere"),
    (LIST, "article list"),
    (TEXT, "article text"),
    (TAG, "article text"),
    (SUGGEST, "suggestions"),
    (REVIEW, "review mode"),
)


def tag_actions(schema: LabelSchema) -> tuple[Action, ...]:
    """One action per label: its key from the schema, rebindable by id ``tag.<name>``."""
    return tuple(
        Action(
            id=f"tag.{label.name.lower()}",
            keys=label.key,
            action=f"tag({label.name!r})",
            description=f"tag {label.name}",
            scope=TAG,
            show=False,
        )
        for label in schema.labels
    )


def actions(scope: str, schema: LabelSchema | None = None) -> tuple[Action, ...]:
    """The actions of one scope, in table order (``TAG`` needs the ``schema``)."""
    if scope == TAG:
        if schema is None:
            raise ValueError("the tag actions come from a label schema")
        return tag_actions(schema)
    return tuple(a for a in ACTIONS if a.scope == scope)


def all_actions(schema: LabelSchema) -> tuple[Action, ...]:
    """Every action of every scope, the schema's tag keys included."""
    return ACTIONS + tag_actions(schema)


def known_ids(schema: LabelSchema) -> set[str]:
    """Every id a keymap file may rebind."""
    return {a.id for a in all_actions(schema)}


def help_rows(schema: LabelSchema) -> list[tuple[str, Action]]:
    """(heading, action) for what the help screen and command palette list, in order."""
    return [(heading, a) for scope, heading in HELP_SCOPES for a in actions(scope, schema)]


def keys_for(action: Action, keymap: dict[str, str]) -> str:
    """The action's keys after the user's keymap."""
    return keymap.get(action.id, action.keys)
