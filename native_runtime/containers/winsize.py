"""A pty's window size, handed to conmon's `winsz` FIFO one line at a time, always the newest.

conmon 2.1 parses only the first line of whatever one read of its control FIFOs
returns, once per line it holds: two sizes queued together apply the first one
twice and lose the second. So a line is written only once conmon holds the pty
(before that it would wait in the FIFO for the next one) and only after conmon
has read the previous line; sizes asked for meanwhile collapse into the newest.
Both a container's console (`docker run -t`) and `exec -t` sessions use this.
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import fcntl
import os
import termios
import time
from pathlib import Path

Size = tuple[int, int]

DRAIN_TIMEOUT = 1.0
DRAIN_POLL = 0.005


class WindowSizer:
    """The size last asked for and last sent; one writer at a time, always the latest."""

    def __init__(self, fifo: Path | None = None) -> None:
        # conmon's `winsz` FIFO once it holds the pty; None before and after.
        self.fifo = fifo
        self.wanted: Size | None = None
        self.sent: Size | None = None
        self._writing = asyncio.Lock()

    async def want(self, height: int, width: int) -> None:
        """Remember the size; send it now if conmon holds the pty, else when it does.

        With the pty held, returns once conmon has read this size or a newer one, so
        a read of the size after a resize sees it, as under dockerd.
        """
        if height >= 0 and width >= 0:
            self.wanted = (height, width)
            await self._flush()

    async def attach(self, fifo: Path) -> None:
        """conmon holds the pty now: send the size asked for so far, if any."""
        self.fifo = fifo
        await self._flush()

    def detach(self) -> None:
        self.fifo = None

    async def _flush(self) -> None:
        # Whoever gets the lock sends what is newest by then; callers queued behind a
        # write find their size sent already or send a newer one.
        async with self._writing:
            fifo, size = self.fifo, self.wanted
            if fifo is None or size is None or size == self.sent:
                return
            with contextlib.suppress(OSError):  # conmon just went away
                await _write_line(fifo, b"%d %d\n" % size)
                self.sent = size


async def _write_line(fifo: Path, line: bytes) -> None:
    """One line into an empty FIFO, then wait until conmon has read it."""
    fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    try:
        # A line left by a write that timed out must not share conmon's next read.
        await _drained(fd)
        os.write(fd, line)
        await _drained(fd)
    finally:
        os.close(fd)


async def _drained(fd: int) -> None:
    deadline = time.monotonic() + DRAIN_TIMEOUT
    while _pending(fd) and time.monotonic() < deadline:
        await asyncio.sleep(DRAIN_POLL)


def _pending(fd: int) -> int:
    """Bytes still in the FIFO, not yet read by conmon."""
    count = array.array("i", [0])
    fcntl.ioctl(fd, termios.FIONREAD, count)
    return count[0]
