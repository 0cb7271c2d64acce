"""Annotating over SSH, end to end: a real sshd on 127.0.0.1, ``ssh -t`` in a tmux pane.

The test makes its own host key, user key and ``sshd_config`` in a temporary folder, starts
``sshd -D`` on a free port, and logs in as the current user with the key made for it. It tags a
span through ``ssh -t``, drops the connection (the ssh client killed, as a lost link leaves
it), checks the span is saved, logs in again, finds the span and undoes it.
"""

from __future__ import annotations

import os
import pwd
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from test_e2e_tmux import footer, spans_of, tag_second_word_after_start
from tmux_terminal import NEEDS_TMUX, NEWSMARK, STEP_TIMEOUT, Terminal
from tui_fixtures import build_db

SSHD = "/usr/sbin/sshd" if os.access("/usr/sbin/sshd", os.X_OK) else shutil.which("sshd")
SSH, SSH_KEYGEN = shutil.which("ssh"), shutil.which("ssh-keygen")
LOGIN_TIMEOUT = 30.0  # key exchange and a cold newsmark start on a loaded machine

pytestmark = [
    *NEEDS_TMUX,
    pytest.mark.skipif(
        None in (SSHD, SSH, SSH_KEYGEN),
        reason="openssh-server and openssh-client are not installed (.ci/run installs them)",
    ),
]


class Sshd:
    """A private sshd on 127.0.0.1: its own keys and config in ``folder``, logins by key only."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir()
        self.user = pwd.getpwuid(os.getuid()).pw_name
        self.user_key = folder / "user_key"
        for key in (folder / "host_key", self.user_key):
            subprocess.run([SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
        shutil.copy(f"{self.user_key}.pub", folder / "authorized_keys")
        self.port = _free_port()
        self.config = folder / "sshd_config"
        self.config.write_text(
            f"Port {self.port}\n"
            "ListenAddress 127.0.0.1\n"
            f"HostKey {folder / 'host_key'}\n"
            f"AuthorizedKeysFile {folder / 'authorized_keys'}\n"
            f"PidFile {folder / 'sshd.pid'}\n"
            "PubkeyAuthentication yes\n"
            "PasswordAuthentication no\n"
            "KbdInteractiveAuthentication no\n"
            "PermitRootLogin prohibit-password\n"  # CI runs as root
            "StrictModes no\n"  # the temporary folder's modes are not sshd's business
            "UsePAM no\n"
            "PermitUserRC no\n"
            "PrintMotd no\n"
            "AcceptEnv COLORTERM\n"  # what README's "Annotating over SSH" says to add
        )
        if os.getuid() == 0:
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # its privilege separation folder
        self.log = folder / "sshd.log"
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(self.config)], stderr=log)
        self._wait_listening()

    def _wait_listening(self) -> None:
        deadline = time.monotonic() + LOGIN_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"sshd exited ({self.proc.returncode}):\n{self.log.read_text()}")
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise AssertionError(f"sshd never listened on port {self.port}:\n{self.log.read_text()}")

    def ssh(self, remote: str, *options: str) -> str:
        """The client command line: this key only, no user config, no known_hosts written."""
        return shlex.join(
            [
                SSH,  # type: ignore[list-item]
                "-t",
                "-F",
                "/dev/null",
                "-p",
                str(self.port),
                "-i",
                str(self.user_key),
                "-o",
                "IdentitiesOnly=yes",
                "-o",
                "BatchMode=yes",
                "-o",
                "StrictHostKeyChecking=no",
                "-o",
                "UserKnownHostsFile=/dev/null",
                "-o",
                "LogLevel=ERROR",
                *options,
                f"{self.user}@127.0.0.1",
                remote,
            ]
        )

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=STEP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def sshd(tmp_path: Path) -> Iterator[Sshd]:
    server = Sshd(tmp_path / "sshd")
    try:
        yield server
    finally:
        server.stop()


class Remote:
    """``newsmark annotate`` run on the far side of ``ssh -t``; its pid is written to a file."""

    def __init__(self, tmp_path: Path, db: Path) -> None:
        self.pid_file = tmp_path / "remote-newsmark.pid"
        home = tmp_path / "remote-home"
        (home / ".config").mkdir(parents=True)
        # The remote shell starts from the login's own HOME and a bare environment: say everything.
        env = {
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "TERM": "xterm-256color",
        }
        assert NEWSMARK is not None
        self.command = (
            f"cd {shlex.quote(str(tmp_path))} && echo $$ > {shlex.quote(str(self.pid_file))} && exec env "
            + " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
            + f" {shlex.quote(NEWSMARK)} annotate --db {shlex.quote(str(db))} --annotator e2e"
        )

    def pid(self) -> int:
        return int(self.pid_file.read_text())

    def alive(self) -> bool:
        try:
            os.kill(self.pid(), 0)
        except ProcessLookupError:
            return False
        return Path(f"/proc/{self.pid()}").exists() and _state(self.pid()) != "Z"

    def kill(self) -> None:
        if self.pid_file.exists() and self.alive():
            os.kill(self.pid(), signal.SIGKILL)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return "Z"


@pytest.fixture
def remote(tmp_path: Path) -> Iterator[Remote]:
    started = Remote(tmp_path, build_db(tmp_path / "e2e.db"))
    try:
        yield started
    finally:
        started.kill()  # only if the test failed before it went away


def log_in(term: Terminal, sshd: Sshd, remote: Remote, local_env: str = "", *options: str) -> str:
    term.kill_session()  # the dead pane of the run before, if any
    if remote.pid_file.exists():
        remote.pid_file.unlink()
    term.start(local_env + sshd.ssh(remote.command, *options))
    try:
        return term.wait_for("done ", "Turkey Says Syrian", timeout=LOGIN_TIMEOUT)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\nsshd log:\n{sshd.log.read_text()}") from None


def ssh_client_pid(term: Terminal) -> int:
    """The ssh client: the one child of the pane's shell."""
    shell = int(term.tmux("display-message", "-p", "-t", term.name, "#{pane_pid}").stdout)
    children = Path(f"/proc/{shell}/task/{shell}/children").read_text().split()
    assert len(children) == 1, children
    return int(children[0])


def wait(predicate, what: str, timeout: float = STEP_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_tag_drop_the_connection_log_in_again_and_undo(term: Terminal, sshd: Sshd, remote: Remote) -> None:
    db = remote.pid_file.parent / "e2e.db"
    log_in(term, sshd, remote)
    screen = tag_second_word_after_start(term)
    assert "✓ saved" in screen

    # The link drops: the client dies without a word to the server, which hangs up the pty.
    os.kill(ssh_client_pid(term), signal.SIGKILL)
    wait(term.dead, "the pane's ssh to end", LOGIN_TIMEOUT)
    wait(lambda: not remote.alive(), "the remote newsmark to end when its terminal hung up", LOGIN_TIMEOUT)
    assert [r[3:5] for r in spans_of(db, "e2e")] == [("ACTOR", "two")]
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]

    log_in(term, sshd, remote)
    term.keys("Enter")
    term.wait_until(lambda s: footer(s).startswith("v select"), "the text pane's footer")
    term.keys("}")  # next span: the one made before the drop
    term.wait_for("ACTOR “two”")
    term.keys("u")
    term.wait_for("undo: adding ACTOR “two”")
    assert spans_of(db, "e2e") == []
    term.keys("q")
    assert term.wait_exit(timeout=LOGIN_TIMEOUT) == 0  # ssh passes on the remote's exit status
    assert not remote.alive()


def _colours(term: Terminal) -> str:
    return term.tmux("capture-pane", "-e", "-p", "-t", term.name).stdout


def test_colours_over_ssh_follow_colorterm_only_when_it_is_sent(
    term: Terminal, sshd: Sshd, remote: Remote
) -> None:
    """Without COLORTERM (ssh does not send it by default) 256 colours; sent and accepted, 24-bit."""
    log_in(term, sshd, remote, "COLORTERM=truecolor ")  # set here, not sent
    screen = _colours(term)
    assert "8;5;" in screen and "8;2;" not in screen, screen
    term.keys("q")
    assert term.wait_exit(timeout=LOGIN_TIMEOUT) == 0

    log_in(term, sshd, remote, "COLORTERM=truecolor ", "-o", "SendEnv=COLORTERM")
    screen = _colours(term)
    assert "8;2;" in screen, screen
    term.keys("q")
    assert term.wait_exit(timeout=LOGIN_TIMEOUT) == 0
