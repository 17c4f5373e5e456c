"""Exec streams as docker-py reads them: framing, detach keys, a bad user; dockerd and native."""

from __future__ import annotations

import socket
import struct

import docker
import pytest

from tests.fixtures.both_engines import docker_client, docker_url
from tests.fixtures.docker import TEST_IMAGE, Resources
from tests.native.conftest import wait_for

pytestmark = pytest.mark.native

# one body, two engines
__all__ = ["docker_client", "docker_url"]


def _cat(client: docker.DockerClient, res: Resources) -> str:
    ctr = client.api.create_container(TEST_IMAGE, "cat", name=res.container(), stdin_open=True)
    client.api.start(ctr)
    return str(ctr["Id"])


def _raw(sock: object) -> socket.socket:
    inner = getattr(sock, "_sock", sock)
    assert isinstance(inner, socket.socket)
    return inner


def test_a_tty_exec_started_without_tty_is_framed(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    api = docker_client.api
    exec_id = api.exec_create(_cat(docker_client, res), ["printf", "framed"], tty=True)
    sock = _raw(api.exec_start(exec_id, socket=True))
    try:
        header = b""
        while len(header) < 8:
            header += sock.recv(8 - len(header))
        stream, size = struct.unpack(">BxxxL", header)
        assert (stream, size) == (1, len("framed"))
    finally:
        sock.close()


def test_tty_exec_output_read_without_demux(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    api = docker_client.api
    command = "sh -c 'echo out; echo err >&2'"
    exec_id = api.exec_create(_cat(docker_client, res), command, tty=True)
    assert api.exec_start(exec_id) == b"out\r\nerr\r\n"
    exec_id = api.exec_create(_cat(docker_client, res), command, tty=True)
    assert api.exec_start(exec_id, demux=True) == (b"out\r\nerr\r\n", None)


@pytest.mark.parametrize("keys", [None, "ctrl-x"])
def test_detach_keys_end_a_tty_exec_stream(
    docker_client: docker.DockerClient, res: Resources, keys: str | None
) -> None:
    api = docker_client.api
    ctr = _cat(docker_client, res)
    options = {"detach_keys": keys} if keys else {}
    exec_id = api.exec_create(ctr, "cat", stdin=True, tty=True, **options)
    sock = _raw(api.exec_start(exec_id, tty=True, socket=True))
    try:
        # dockerd reads the client's input only once the command runs
        wait_for(lambda: api.exec_inspect(exec_id)["Running"], what="the exec to run")
        sock.sendall(b"typed" + (b"\x18" if keys else b"\x10\x11"))
        sock.settimeout(10)
        received = b""
        while chunk := sock.recv(4096):
            received += chunk
        assert received.endswith(b"read escape sequence\r\n")
    finally:
        sock.close()
    # its stdin closed with the stream, so cat ends
    wait_for(lambda: not api.exec_inspect(exec_id)["Running"], what="the exec to end")


def test_exec_as_an_unknown_user_fails_fast(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    api = docker_client.api
    exec_id = api.exec_create(_cat(docker_client, res), "whoami", user="no-such-user")
    # The reason comes on the stream right after the upgrade, so a client may read it
    # together with the headers and drop it (dockerd's race too); the end must come.
    output = api.exec_start(exec_id)
    assert output in (
        b"",
        b"unable to find user no-such-user: no matching entries in passwd file\r\n",
    )
    assert api.exec_inspect(exec_id)["ExitCode"] == 126
