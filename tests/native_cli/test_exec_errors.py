"""`docker exec` without a tty of a command that cannot start: dockerd's code and words."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.native_cli.conftest import TEST_IMAGE, Cli


def _exec(cli: Cli, *args: str) -> subprocess.CompletedProcess[bytes]:
    # Bytes: dockerd ends its message with "\r\n" even without a tty.
    env = dict(os.environ, DOCKER_HOST=cli.host)
    env.pop("DOCKER_CONTEXT", None)
    return subprocess.run(["docker", "exec", *args], capture_output=True, env=env, timeout=30,
                          check=False)  # fmt: skip


@pytest.fixture
def box(cli: Cli) -> str:
    name = cli.name("exec-errors")
    cli.run("run", "-d", "--name", name, TEST_IMAGE, "sleep", "1000")
    return name


def test_missing_command(cli: Cli, box: str) -> None:
    done = _exec(cli, box, "no-such-command")
    assert done.returncode == 126
    assert done.stdout == (
        b"OCI runtime exec failed: exec failed: unable to start container process: exec: "
        b'"no-such-command": executable file not found in $PATH: unknown\r\n'
    )
    assert done.stderr == b""


def test_command_that_is_not_executable(cli: Cli, box: str) -> None:
    done = _exec(cli, "-i", box, "/etc/passwd")
    assert done.returncode == 126
    assert done.stdout.startswith(b"OCI runtime exec failed: ")
    assert b'exec: "/etc/passwd": permission denied: unknown\r\n' in done.stdout
    assert done.stderr == b""


def test_a_command_exiting_255_keeps_its_stderr(cli: Cli, box: str) -> None:
    """What tells a failed start apart is runc's log, never the exit code alone."""
    done = _exec(cli, box, "sh", "-c", "echo out; echo err >&2; exit 255")
    assert (done.returncode, done.stdout, done.stderr) == (255, b"out\n", b"err\n")


def test_early_stderr_of_a_running_command_is_not_held_back(cli: Cli, box: str) -> None:
    # The command waits until its first stderr line has reached the client (a file
    # the test writes after reading it), so a held-back line would hang it here.
    script = "echo early >&2; while [ ! -e /tmp/seen ]; do sleep 0.05; done; echo done"
    env = dict(os.environ, DOCKER_HOST=cli.host)
    env.pop("DOCKER_CONTEXT", None)
    proc = subprocess.Popen(["docker", "exec", box, "sh", "-c", script], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    try:
        assert proc.stderr is not None and proc.stderr.readline() == b"early\n"
        cli.run("exec", box, "touch", "/tmp/seen")
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert (proc.returncode, out) == (0, b"done\n")
