"""Every action in the command palette (ctrl+p), from the same table as the help screen."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui.keymap import binding_rows

# (title, help text, what runs it): what both discover() and search() offer.
Command = tuple[str, str, Callable[[], object]]

SCOPE_TARGET = {
    "anywhere": None,
    "review mode": None,
    "suggestions": None,
    "article list": "#list",
    "article text": "#text",
}


class ActionCommands(Provider):
    """Run any keyboard action by name: "mark done", "tag ACTOR", "view: to do"..."""

    def _commands(self) -> list[Command]:
        from tui.screens.session_screen import SessionScreen

        screen = self.screen
        if not isinstance(screen, SessionScreen):
            return []
        commands: list[Command] = []
        # The app opens the review screen only when started to review: no need to load its code here.
        reviewing = getattr(self.app, "review", None) is not None
        for row in binding_rows(self.app):
            if (row.scope == "review mode") is not reviewing and row.scope in ("review mode", "suggestions"):
                continue  # review's a/r on the review screen, the suggestion keys on the annotate one
            selector = SCOPE_TARGET[row.scope]
            target = screen if selector is None else screen.query_one(selector)
            title = f"{row.description} ({row.scope})" if row.scope != "anywhere" else row.description
            commands.append((title, f"keys: {row.keys}", partial(target.run_action, row.action)))
        for view, title in screen.session.VIEW_TITLES.items():
            commands.append(
                (f"view: {title}", "show these articles in the list", partial(screen.show_view, view))
            )
        return commands

    async def discover(self) -> Hits:
        for title, help_text, run in self._commands():
            yield DiscoveryHit(title, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, run in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, help=help_text)
