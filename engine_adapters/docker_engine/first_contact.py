"""The first question to a local engine, asked with the standard library instead of the SDK.

The UI opens on the container list. Loading the docker SDK (requests, urllib3) costs about
100 ms of CPU, a third of the time to that first screen, so the very first read of a local
engine (a unix socket: Docker, Podman or ours) goes over http.client, and the SDK loads
after the list is on screen. Every later call goes through the SDK as usual.
"""

from __future__ import annotations

import http.client
import json
import socket
from typing import Any
from urllib.parse import urlparse

from engine_adapters.errors import EngineError


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.socket_path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


def socket_path(url: str) -> str | None:
    """The socket of a `unix://` engine URL; None for tcp://, ssh:// and the like."""
    return urlparse(url).path if url.startswith("unix://") else None


def get(path: str, url: str, timeout: float) -> tuple[int, str, bytes]:
    """One GET on the engine's socket: status, reason, body."""
    connection = UnixHTTPConnection(path, timeout)
    try:
        connection.request("GET", url)
        response = connection.getresponse()
        return response.status, response.reason, response.read()
    finally:
        connection.close()


def answers(path: str, timeout: float) -> bool:
    """`GET /_ping` says OK."""
    try:
        status, _, _ = get(path, "/_ping", timeout)
    except OSError:
        return False
    return status == 200


def list_containers(path: str, api_version: str, timeout: float) -> list[dict[str, Any]]:
    """`GET /containers/json?all=1`: the engine's answer, exactly what the SDK would return."""
    status, reason, body = get(path, f"/v{api_version}/containers/json?all=1", timeout)
    if status != 200:
        try:
            message = json.loads(body).get("message", "")
        except (ValueError, AttributeError):
            message = ""
        raise EngineError(message or f"{status} {reason}")
    items = json.loads(body)
    if not isinstance(items, list):
        raise EngineError("the engine answered the container list with something else")
    return items
