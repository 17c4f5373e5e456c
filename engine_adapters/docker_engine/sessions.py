"""Exec and attach sessions over the hijacked connection the Docker API hands back."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from engine_adapters.docker_engine.errors import translate

_HEADER = struct.Struct(">BxxxL")


def _raw_socket(sock: Any) -> Any:
    # docker-py returns a SocketIO for unix and tcp endpoints; its _sock is the
    # real socket that can send, receive and shut down one direction.
    return getattr(sock, "_sock", sock)


class FrameDecoder:
    """Docker's stream multiplexing: an 8-byte header (stream id, length) before each frame."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[tuple[int, bytes]]:
        self._buffer += data
        frames = []
        while len(self._buffer) >= _HEADER.size:
            stream, length = _HEADER.unpack_from(self._buffer)
            if len(self._buffer) < _HEADER.size + length:
                break
            start = _HEADER.size
            frames.append((stream, bytes(self._buffer[start : start + length])))
            del self._buffer[: start + length]
        return frames


class HijackedSession:
    """An ExecSession over a raw socket; a reader thread feeds an asyncio queue."""

    def __init__(
        self,
        session_id: str,
        sock: Any,
        tty: bool,
        endpoint: str,
        resize: Callable[[int, int], Awaitable[None]],
        exit_code: Callable[[], Awaitable[int | None]],
    ) -> None:
        self._id = session_id
        self._handle = sock
        self._sock = _raw_socket(sock)
        # The socket keeps the SDK's per-call timeout; a shell may be silent for hours.
        # close() shuts it down, which still wakes the reader.
        self._sock.settimeout(None)
        self._tty = tty
        self._endpoint = endpoint
        self._resize = resize
        self._exit_code = exit_code
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue[bytes | BaseException] = asyncio.Queue()
        self._eof = False
        self._closed = False
        self._write_lock = asyncio.Lock()
        self._reader = threading.Thread(target=self._pump, name=f"session-{session_id[:12]}")
        self._reader.daemon = True
        self._reader.start()

    @property
    def id(self) -> str:
        return self._id

    @property
    def tty(self) -> bool:
        return self._tty

    def _pump(self) -> None:
        decoder = None if self._tty else FrameDecoder()
        try:
            while True:
                chunk = self._sock.recv(65536)
                if not chunk:
                    break
                if decoder is None:
                    self._push(chunk)
                else:
                    data = b"".join(payload for _, payload in decoder.feed(chunk))
                    if data:
                        self._push(data)
        except OSError as exc:
            if not self._closed:
                self._push(translate(exc, self._endpoint))
        self._push(b"")

    def _push(self, item: bytes | BaseException) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody listens
            self._loop.call_soon_threadsafe(self._queue.put_nowait, item)

    async def read(self) -> bytes:
        if self._eof:
            return b""
        item = await self._queue.get()
        if isinstance(item, BaseException):
            self._eof = True
            raise item
        if not item:
            self._eof = True
        return item

    async def write(self, data: bytes) -> None:
        if self._closed or not data:
            return
        async with self._write_lock:
            try:
                await asyncio.to_thread(self._sock.sendall, data)
            except OSError as exc:
                raise translate(exc, self._endpoint) from exc

    async def resize(self, rows: int, cols: int) -> None:
        if rows > 0 and cols > 0:
            await self._resize(rows, cols)

    async def wait(self) -> int | None:
        while not self._eof:
            if not await self.read() and self._eof:
                break
        return await self._exit_code()

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            self._handle.close()
