"""`docker exec -t` of commands that exit at once: exact bytes every time, on both engines.

The native engine used to run `runc exec --tty` in the foreground, which changes
the terminal modes of both ptys while the command already runs: about one run
in fifteen came back as "hi\\r\\r\\n" (or "hi\\n").
"""

from __future__ import annotations

import os
import socket
import subprocess
from typing import Any

import docker
import pytest

from tests.native_cli.conftest import TEST_IMAGE, Cli

RUNS = 30


def _exec_bytes(cli: Cli, *args: str) -> subprocess.CompletedProcess[bytes]:
    # Bytes, not text: universal newlines would hide a doubled "\r".
    env = dict(os.environ, DOCKER_HOST=cli.host)
    env.pop("DOCKER_CONTEXT", None)
    return subprocess.run(["docker", "exec", *args], capture_output=True, env=env, timeout=30,
                          check=False)  # fmt: skip


@pytest.fixture
def box(cli: Cli) -> str:
    name = cli.name("tty-box")
    cli.run("run", "-d", "--name", name, TEST_IMAGE, "sleep", "1000")
    return name


def test_fast_exit_tty_exec_output_is_exact_every_time(cli: Cli, box: str) -> None:
    seen = [_exec_bytes(cli, "-t", box, "echo", "hi") for _ in range(RUNS)]
    outputs = [(done.returncode, done.stdout) for done in seen]
    assert outputs == [(0, b"hi\r\n")] * RUNS, cli.engine


def test_tty_exec_multiline_output_and_exit_code(cli: Cli, box: str) -> None:
    done = _exec_bytes(cli, "-t", box, "sh", "-c", "printf 'a\\nb\\n'; exit 7")
    assert (done.returncode, done.stdout) == (7, b"a\r\nb\r\n")


def test_tty_exec_long_output_arrives_whole(cli: Cli, box: str) -> None:
    done = _exec_bytes(cli, "-t", box, "seq", "1", "20000")
    assert done.returncode == 0
    assert done.stdout == b"".join(b"%d\r\n" % n for n in range(1, 20001))


def test_tty_exec_of_a_missing_command(cli: Cli, box: str) -> None:
    done = _exec_bytes(cli, "-t", box, "no-such-command")
    assert done.returncode == 126
    assert done.stdout.startswith(b"OCI runtime exec failed: ")
    assert b'"no-such-command": executable file not found' in done.stdout


def test_quick_resizes_leave_the_last_size(cli: Cli, box: str) -> None:
    """Sizes sent back to back, before and right after the start: the last one wins."""
    client = docker.DockerClient(base_url=cli.host)
    try:
        api = client.api
        exec_id = api.exec_create(box, ["sh", "-c", "read line; stty size"], stdin=True,
                                  tty=True)["Id"]  # fmt: skip
        # A SocketIO over a unix socket; its _sock is the socket itself.
        stream: Any = api.exec_start(exec_id, tty=True, socket=True)
        sock: socket.socket = stream._sock
        for height, width in ((24, 80), (33, 111), (41, 123)):
            api.exec_resize(exec_id, height=height, width=width)
        sock.sendall(b"go\n")
        sock.settimeout(10)
        output = b""
        while chunk := sock.recv(4096):
            output += chunk
        sock.close()
    finally:
        client.close()
    assert output.endswith(b"41 123\r\n"), output
