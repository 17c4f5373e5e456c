"""The daemon's socket under many clients at once, as `docker stats` of N containers opens."""

from __future__ import annotations

import socket

import pytest

from tests.native.conftest import NativeDaemon

pytestmark = pytest.mark.native

CLIENTS = 400  # more than aiohttp's default backlog of 128
PING = b"GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n"


def test_clients_connecting_all_at_once_are_all_answered(native: NativeDaemon) -> None:
    clients: list[socket.socket] = []
    refused = 0
    try:
        for _ in range(CLIENTS):
            client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            client.setblocking(False)  # as the docker CLI's: a full backlog is EAGAIN, not a wait
            try:
                client.connect(native.socket)
            except BlockingIOError:
                refused += 1
                client.close()
                continue
            clients.append(client)
        answers = []
        for client in clients:
            client.settimeout(20)
            client.sendall(PING)
            answers.append(client.recv(64).split(b"\r\n", 1)[0])
    finally:
        for client in clients:
            client.close()
    assert refused == 0, f"{refused} of {CLIENTS} connections refused"
    assert answers == [b"HTTP/1.1 200 OK"] * CLIENTS
