"""A scripted ExecSession for pure UI tests: it records what the widget sends."""

from __future__ import annotations

import asyncio


class RecordingSession:
    """Output is whatever the test pushes; writes and resizes are recorded."""

    def __init__(self) -> None:
        self.written = bytearray()
        self.sizes: list[tuple[int, int]] = []
        self._output: asyncio.Queue[bytes | Exception] = asyncio.Queue()
        self._exit_code: int | None = None
        self.closed = False

    @property
    def id(self) -> str:
        return "recording"

    @property
    def tty(self) -> bool:
        return True

    def push(self, data: bytes) -> None:
        self._output.put_nowait(data)

    def end(self, exit_code: int | None) -> None:
        self._exit_code = exit_code
        self._output.put_nowait(b"")

    def fail(self, error: Exception) -> None:
        """The next read raises `error`, as a stream does when its engine goes away."""
        self._output.put_nowait(error)

    async def read(self) -> bytes:
        item = await self._output.get()
        if isinstance(item, Exception):
            raise item
        return item

    async def write(self, data: bytes) -> None:
        self.written += data

    async def resize(self, rows: int, cols: int) -> None:
        self.sizes.append((rows, cols))

    async def wait(self) -> int | None:
        return self._exit_code

    async def close(self) -> None:
        self.closed = True
