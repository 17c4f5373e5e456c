"""Streamed answers: JSON lines, the hijacked connection upgrade, Docker's 8-byte frames."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterable, Mapping

from aiohttp import web

STREAM_IDS = {"stdin": 0, "stdout": 1, "stderr": 2}
HEADERS_SETTLE = 0.02


def frame(stream: str, data: bytes) -> bytes:
    """Docker's multiplexing: stream id, three zero bytes, big-endian payload length."""
    return bytes([STREAM_IDS[stream], 0, 0, 0]) + len(data).to_bytes(4, "big") + data


async def json_lines(
    request: web.Request, docs: Iterable[Mapping[str, object]]
) -> web.StreamResponse:
    """JSON messages one a line, chunked as dockerd sends progress (clients read line by line)."""
    resp = web.StreamResponse(headers={"Content-Type": "application/json"})
    resp.enable_chunked_encoding()
    await resp.prepare(request)
    with contextlib.suppress(ConnectionError):
        for doc in docs:
            await resp.write(json.dumps(doc).encode() + b"\n")
        await resp.write_eof()
    return resp


class _RawSide(asyncio.Protocol):
    """Sits between the transport and aiohttp once the connection is hijacked.

    The docker CLI half-closes its side when it has no more stdin; aiohttp
    would close the whole socket on that EOF, so this keeps our side open and
    hands the client's bytes (stdin) to the handler instead of the HTTP parser.
    """

    def __init__(self, inner: asyncio.BaseProtocol) -> None:
        self.inner = inner
        self.incoming: asyncio.Queue[bytes] = asyncio.Queue()
        self.closed = asyncio.Event()

    def data_received(self, data: bytes) -> None:
        self.incoming.put_nowait(data)

    def eof_received(self) -> bool:
        self.incoming.put_nowait(b"")
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        self.incoming.put_nowait(b"")
        self.closed.set()
        self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()


class Hijacked:
    """A hijacked connection: `write` sends raw bytes, `read` returns b"" at client EOF.

    docker-py reads the stream from the raw socket under the buffered reader that parsed
    the headers; bytes sent with the headers would sit unseen in that buffer (dockerd
    loses them the same way when it answers at once). So the first byte of the stream
    waits until the headers are HEADERS_SETTLE old, while the work behind the stream (an
    exec's process, say) starts at once; what the client sends meanwhile already goes to
    the raw side.
    """

    def __init__(self, request: web.Request, resp: web.StreamResponse, raw: _RawSide) -> None:
        self.request = request
        self.resp = resp
        self.raw = raw
        self.settled_at = asyncio.get_running_loop().time() + HEADERS_SETTLE

    async def _settle(self) -> None:
        if self.settled_at:
            wait = self.settled_at - asyncio.get_running_loop().time()
            if wait > 0:
                await asyncio.sleep(wait)
            self.settled_at = 0.0

    async def write(self, data: bytes) -> None:
        await self._settle()
        await self.resp.write(data)

    @property
    def closed(self) -> asyncio.Event:
        """Set when the client's connection is gone."""
        return self.raw.closed

    async def read(self) -> bytes:
        return await self.raw.incoming.get()

    async def close(self) -> None:
        await self._settle()
        with contextlib.suppress(ConnectionError, RuntimeError):
            await self.resp.write_eof()
        self.request.protocol.force_close()


async def hijack(request: web.Request) -> Hijacked:
    """Answer `Upgrade: tcp` with 101; after that the socket carries raw bytes both ways.

    aiohttp sends 1xx responses without chunked framing, which is exactly the
    raw stream the docker CLI expects after the upgrade.
    """
    if request.headers.get("Upgrade", "").lower() == "tcp":
        resp = web.StreamResponse(status=101, reason="UPGRADED")
        resp.headers["Connection"] = "Upgrade"
        resp.headers["Upgrade"] = "tcp"
    else:
        resp = web.StreamResponse(status=200)
    resp.headers["Content-Type"] = "application/vnd.docker.raw-stream"
    await resp.prepare(request)
    transport = request.transport
    assert transport is not None
    raw = _RawSide(request.protocol)
    transport.set_protocol(raw)
    return Hijacked(request, resp, raw)
