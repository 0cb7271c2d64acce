"""A real terminal for end-to-end tests: one tmux server on a private socket
(``tmux -L <unique socket>``, no user config) running the ``newsmark`` command;
keys sent with ``send-keys``, the screen read with ``capture-pane``.

Shared by every tmux test (``from tmux_terminal import Terminal, term, ...``).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

TMUX = shutil.which("tmux")
NEWSMARK = shutil.which("newsmark")

NEEDS_TMUX = [
    pytest.mark.skipif(TMUX is None, reason="tmux is not installed (needed to drive a real terminal)"),
    pytest.mark.skipif(
        NEWSMARK is None, reason="the newsmark command is not on PATH (pip install -e . first)"
    ),
]

READY_TIMEOUT = 15.0  # a cold start on a loaded 2-core machine
STEP_TIMEOUT = 10.0


class Terminal:
    """One tmux server on a private socket, with one 120x40 session running a command."""

    def __init__(self, tmp_path: Path) -> None:
        self.name = f"newsmark-e2e-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.conf = tmp_path / "tmux.conf"
        # remain-on-exit: the pane (and what the app printed last) stays after it exits.
        self.conf.write_text("set -g remain-on-exit on\nset -g status off\n")
        home = tmp_path / "home"
        (home / ".config").mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "HOME": str(home),  # no user keymap.toml
            "XDG_CONFIG_HOME": str(home / ".config"),
        }
        for var in ("NO_COLOR", "NEWSMARK_THEME", "NEWSMARK_KEYMAP", "NEWSMARK_ANNOTATOR", "TMUX"):
            self.env.pop(var, None)
        self.started = False
        self.tmp_path = tmp_path
        self.runs = 0
        self.status_file: Path | None = None

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [TMUX, "-u", "-L", self.name, "-f", str(self.conf), *args],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=10,
            check=check,
        )

    def start(self, command: str) -> None:
        """Run ``command`` (a shell command line) in a new 120x40 session."""
        self.runs += 1
        self.status_file = self.tmp_path / f"exit-status-{self.runs}"
        status = shlex.quote(str(self.status_file))
        line = f"{command}; echo $? > {status}.tmp && mv {status}.tmp {status}"
        self.tmux("new-session", "-d", "-s", self.name, "-x", "120", "-y", "40", line)
        self.started = True

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.name).stdout

    def keys(self, *keys: str) -> None:
        for key in keys:  # one at a time: a key name must not be read as literal text
            self.tmux("send-keys", "-t", self.name, key)

    def wait_for(self, *needles: str, timeout: float = STEP_TIMEOUT) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if all(n in screen for n in needles):
                return screen
            if self.dead():
                break
            time.sleep(0.1)
        raise AssertionError(f"the screen never showed {needles!r}; last screen:\n{screen}")

    def wait_until(self, predicate, what: str, timeout: float = STEP_TIMEOUT) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if predicate(screen):
                return screen
            if self.dead():
                break
            time.sleep(0.1)
        raise AssertionError(f"the screen never showed {what}; last screen:\n{screen}")

    def dead(self) -> bool:
        """Whether the command has ended (its exit status is written to a file)."""
        return self.status_file is not None and self.status_file.exists()

    def wait_exit(self, timeout: float = STEP_TIMEOUT) -> int:
        """The command's exit status, once it has ended.

        Read from a file the shell writes after the command, not from tmux's
        #{pane_dead_status}: tmux sometimes marks the pane dead (pty closed)
        long before it reaps the process and records its status.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.dead():
                text = self.status_file.read_text().strip()
                if text:
                    return int(text)
            time.sleep(0.05)
        raise AssertionError(f"newsmark did not exit; last screen:\n{self.screen()}")

    def kill_session(self) -> None:
        self.tmux("kill-session", "-t", self.name, check=False)

    def close(self) -> None:
        if self.started:
            self.tmux("kill-server", check=False)
