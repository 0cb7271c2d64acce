"""The ``newsmark`` command group's class: how it fails, and what the bare command takes.

Every error a user can cause with a path (a missing folder, a folder where a file
belongs, no permission, a file that is not a database) ends as one line,
``newsmark <command>: <path>: <reason>``, and exit status 1, never a traceback:
:class:`NewsmarkGroup` turns ``OSError`` and ``sqlite3.Error`` from any command into
a :class:`CommandError`, in one place, so a new command needs nothing for it.
Every message, click's own too (they quote what the user typed), is shown through
:func:`annotations.printable.printable`.

``newsmark`` alone is ``newsmark annotate``, with annotate's options too
(``newsmark --db X.db --annotator a``); ``newsmark --help`` still lists the commands.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import click

from annotations.printable import printable

DEFAULT_COMMAND = "annotate"
_DB_KEY = "newsmark.db"  # ctx.meta: the database the command opened, named in sqlite errors
_COMMAND_KEY = "newsmark.command"


class CommandError(click.ClickException):
    """``newsmark <command>: <path>: <reason>`` on stderr, exit status 1."""

    def __init__(self, reason: str, path: str | os.PathLike[str] | None = None, command: str | None = None):
        self.path = None if path is None else str(path)
        self.reason = reason
        self.command = command or _current_command()  # the context is gone by the time it is shown
        super().__init__(reason if path is None else f"{path}: {reason}")

    def show(self, file: IO[Any] | None = None) -> None:
        prefix = f"newsmark {self.command}: " if self.command else "newsmark: "
        click.echo(printable(prefix + self.format_message()), file=file, err=file is None)


def _current_command() -> str | None:
    ctx = click.get_current_context(silent=True)
    return None if ctx is None else ctx.find_root().meta.get(_COMMAND_KEY)


def remember_database(path: Path) -> None:
    """The command works on the database at ``path``: its sqlite errors name it."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.find_root().meta[_DB_KEY] = path


def os_reason(exc: OSError, path: str | os.PathLike[str] | None = None) -> str:
    """What went wrong with ``path`` (default: the file the error names), in words."""
    target = Path(path if path is not None else exc.filename or "")
    parent = target.parent
    if exc.errno == errno.ENOENT and path is not None and not parent.exists():
        return f"no such folder: {parent}"
    if exc.errno == errno.ENOTDIR and path is not None and not parent.is_dir():
        return f"not a folder: {parent}"
    if exc.errno == errno.EISDIR or (exc.errno == errno.EEXIST and target.is_dir()):
        return "is a folder"
    if exc.errno == errno.EEXIST:
        return "exists and is not a folder"
    if exc.strerror:  # "Permission denied" -> "permission denied", as in the other reasons
        return exc.strerror[:1].lower() + exc.strerror[1:]
    return str(exc)


def path_error(exc: OSError, path: str | os.PathLike[str] | None = None) -> CommandError:
    """The :class:`CommandError` for ``exc``, naming ``path`` (the path the user gave),
    else the file the error names (a temporary file beside it says less)."""
    named = path if path is not None else exc.filename
    return CommandError(os_reason(exc, path), named)


def database_error(exc: sqlite3.Error) -> CommandError:
    ctx = click.get_current_context(silent=True)
    db = None if ctx is None else ctx.find_root().meta.get(_DB_KEY)
    return CommandError(str(exc), db)


@contextmanager
def _guarded() -> Iterator[None]:
    """OSError and sqlite errors as one line; every message printable."""
    try:
        yield
    except BrokenPipeError:
        # The reader went away (``newsmark list | head``): stop quietly, as Unix tools do.
        # stdout is pointed at /dev/null so that Python's flush at exit does not complain again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise SystemExit(1) from None
    except OSError as exc:
        raise path_error(exc) from None
    except sqlite3.Error as exc:
        raise database_error(exc) from None
    except click.ClickException as exc:
        if type(exc) is click.ClickException:  # a command's own "Error: ...": one line like the rest
            raise CommandError(exc.message) from None
        # click's usage errors quote what was typed (an option, an argument): shown printable.
        # Changed in place, not raised anew, so that each keeps its own usage and hint lines.
        exc.message = printable(exc.message)  # type: ignore[misc]  # Final in click's stubs
        raise


class NewsmarkGroup(click.Group):
    """The ``newsmark`` group: errors as one line (see the module), and the bare command's options."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """``newsmark --db X.db ...``: options that are not the group's own are the default command's."""
        if args and args[0].startswith("-") and DEFAULT_COMMAND in self.commands:
            own = {name for param in self.get_params(ctx) for name in param.opts + param.secondary_opts}
            if args[0].split("=", 1)[0] not in own:
                args = [DEFAULT_COMMAND, *args]
        with _guarded():
            return super().parse_args(ctx, args)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None:
            ctx.find_root().meta[_COMMAND_KEY] = command.name
        return name, command, rest

    def invoke(self, ctx: click.Context) -> Any:
        with _guarded():
            return super().invoke(ctx)
