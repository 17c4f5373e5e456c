"""`docker exec` and interactive runs, with and without a pty, over hijacked streams."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.native.conftest import TEST_IMAGE, NativeDaemon
from tests.native.pty_driver import PtySession

pytestmark = pytest.mark.native


@pytest.fixture(scope="module")
def box(native: NativeDaemon) -> Iterator[str]:
    native.out("run", "-d", "--name", "native-exec", TEST_IMAGE, "sleep", "1000")
    yield "native-exec"
    native.docker("rm", "-f", "native-exec", check=False)


def _env(native: NativeDaemon) -> dict[str, str]:
    return dict(os.environ, DOCKER_HOST=native.docker_host, TERM="xterm")


def test_exec_without_tty_separates_streams(native: NativeDaemon, box: str) -> None:
    result = native.docker("exec", box, "sh", "-c", "echo out; echo err >&2; exit 3", check=False)
    assert (result.returncode, result.stdout, result.stderr) == (3, b"out\n", b"err\n")


def test_exec_with_stdin(native: NativeDaemon, box: str) -> None:
    assert native.docker("exec", "-i", box, "cat", input=b"piped\n").stdout == b"piped\n"


def test_exec_env_workdir_user(native: NativeDaemon, box: str) -> None:
    out = native.out("exec", "-e", "X=1", "-w", "/tmp", "-u", "65534", box,
                     "sh", "-c", "echo $X $(pwd) $(id -u)")  # fmt: skip
    assert out == "1 /tmp 65534"


def test_exec_it_shell_has_a_terminal(native: NativeDaemon, box: str) -> None:
    session = PtySession(["docker", "exec", "-it", box, "/bin/sh"], _env(native))
    session.expect(b"# ")
    session.send(b"tty; stty size; echo sum=$((6*7))\n")
    session.expect(b"sum=42")
    assert b"/dev/pts/" in session.output
    assert b"30 100" in session.output  # the CLI's terminal size reached the exec pty
    session.send(b"exit 5\n")
    assert session.wait() == 5


def test_run_it_interactive_shell(native: NativeDaemon) -> None:
    session = PtySession(["docker", "run", "-it", "--rm", TEST_IMAGE, "sh"], _env(native))
    session.expect(b"# ")
    session.send(b"stty size; echo inside-$((2+3))\n")
    session.expect(b"inside-5")
    assert b"30 100" in session.output  # resized through conmon's winsz FIFO
    session.send(b"exit 2\n")
    assert session.wait() == 2


def test_exec_on_stopped_container_conflicts(native: NativeDaemon) -> None:
    native.out("create", "--name", "native-exec-stopped", TEST_IMAGE, "true")
    try:
        result = native.docker("exec", "native-exec-stopped", "true", check=False)
        assert result.returncode != 0 and b"is not running" in result.stderr
    finally:
        native.docker("rm", "native-exec-stopped", check=False)


def test_detach_keys_leave_the_container_running(native: NativeDaemon) -> None:
    session = PtySession(
        ["docker", "run", "-it", "--name", "native-detach", TEST_IMAGE, "sh"], _env(native)
    )
    try:
        session.expect(b"# ")
        session.send(b"\x10\x11")  # ctrl-p ctrl-q
        assert session.wait() == 0
        assert native.out("inspect", "--format", "{{.State.Running}}", "native-detach") == "true"
    finally:
        native.docker("rm", "-f", "native-detach", check=False)


def test_attach_to_running_containers(native: NativeDaemon) -> None:
    native.out("run", "-dit", "--name", "native-attach-tty", TEST_IMAGE, "sh")
    try:
        session = PtySession(["docker", "attach", "native-attach-tty"], _env(native))
        session.send(b"echo attached-$((1+1))\n")
        session.expect(b"attached-2")
        session.send(b"\x10\x11")
        # The CLI reports "read escape sequence" and exits 1, exactly as with dockerd.
        assert session.wait() == 1
        assert b"read escape sequence" in session.output
        assert (
            native.out("inspect", "--format", "{{.State.Running}}", "native-attach-tty") == "true"
        )
        native.out("run", "-d", "--name", "native-attach-plain", TEST_IMAGE,
                   "sh", "-c", "sleep 2; echo late; echo late-err >&2; exit 3")  # fmt: skip
        plain = native.docker("attach", "native-attach-plain", check=False, timeout=30)
        assert (plain.returncode, plain.stdout, plain.stderr) == (3, b"late\n", b"late-err\n")
    finally:
        native.docker("rm", "-f", "native-attach-tty", "native-attach-plain", check=False)
