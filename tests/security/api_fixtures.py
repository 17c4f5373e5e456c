"""Raw HTTP to dockerd and to a throwaway native daemon: the same request bytes to both."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import require
from tests.fixtures.docker import DOCKER_SOCKET, TEST_IMAGE
from tests.native.conftest import NativeDaemon, load_test_image, new_daemon

__all__ = ["TEST_IMAGE", "Answer", "RawApi", "dockerd_api", "native_api", "native_daemon"]


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self.path)
        self.sock = sock


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    headers: dict[str, str]

    @property
    def message(self) -> str:
        """Docker's `{"message": ...}`, or the raw body when it is not that shape."""
        try:
            doc = json.loads(self.body)
        except ValueError:
            return self.body.decode(errors="replace")
        return str(doc.get("message", "")) if isinstance(doc, dict) else str(doc)

    @property
    def chunked(self) -> bool:
        return self.headers.get("transfer-encoding", "").lower() == "chunked"


@dataclass
class RawApi:
    """An Engine API on a unix socket, spoken to as bytes (no SDK rewrites the request)."""

    socket_path: str
    name: str
    created: list[str] = field(default_factory=list)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | str | dict[str, object] | list[object] | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 30,
    ) -> Answer:
        if isinstance(body, dict | list):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        sent = {"Content-Type": "application/json"} if body is not None else {}
        sent |= headers or {}
        conn = _UnixConnection(self.socket_path, timeout)
        try:
            conn.request(method, "/v1.41" + path, body=body, headers=sent)
            resp = conn.getresponse()
            data = resp.read()
            return Answer(resp.status, data, {k.lower(): v for k, v in resp.getheaders()})
        finally:
            conn.close()

    def container_name(self) -> str:
        """A unique name, removed (with its container, if any) at teardown."""
        name = f"dyt-api-{secrets.token_hex(4)}"
        self.created.append(name)
        return name

    def cleanup(self) -> None:
        for name in self.created:
            self.request("DELETE", f"/containers/{name}?force=1")
        self.created.clear()


@pytest.fixture(scope="session")
def native_daemon() -> Iterator[NativeDaemon]:
    """A throwaway native daemon with the test image, for the API tests."""
    require(os.geteuid() == 0, "the native engine needs root")
    for tool in ("/usr/sbin/runc", "/usr/bin/conmon"):
        require(Path(tool).exists(), f"{tool} is not installed")
    daemon = new_daemon()
    try:
        daemon.start()
        load_test_image(daemon)
        yield daemon
    finally:
        daemon.destroy()


@pytest.fixture
def native_api(native_daemon: NativeDaemon) -> Iterator[RawApi]:
    api = RawApi(native_daemon.socket, "native")
    yield api
    api.cleanup()


@pytest.fixture
def dockerd_api() -> Iterator[RawApi]:
    require(Path(DOCKER_SOCKET).exists(), "dockerd is not running")
    api = RawApi(DOCKER_SOCKET, "dockerd")
    require(api.request("GET", "/_ping").status == 200, "dockerd does not answer")
    yield api
    api.cleanup()
