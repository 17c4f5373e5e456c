"""Let a created container's process run, as `runc start` does, without a runc process.

After `runc create`, the container's init waits, set up and sandboxed, until its
exec FIFO (`<runc root>/<id>/exec.fifo`) is opened for reading; it then writes
one byte and execs the command, which closes its end. `runc start` is exactly:
open the FIFO, read to the end, remove the FIFO (runc reports "created" while
it exists, "running" after). Doing that here spares a Go process per start (10
ms, more on a loaded machine). When the FIFO is not where runc 1.x keeps it,
`runc start` itself runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path

FIFO_NAME = "exec.fifo"


class StartFailure(Exception):
    """The container's process could not be let go (what `runc start` would have said)."""


def fifo_path(runc_root: Path, ctr_id: str) -> Path:
    return runc_root / ctr_id / FIFO_NAME


def open_fifo(runc_root: Path, ctr_id: str) -> int | None:
    """The FIFO's read end, without blocking; None when runc keeps no FIFO there."""
    try:
        return os.open(fifo_path(runc_root, ctr_id), os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None


async def release(runc_root: Path, ctr_id: str, fd: int, pid: int) -> None:
    """Read the FIFO to its end (the command has been exec'd) and remove it; closes `fd`.

    A reader that never saw a writer gets no hang-up, so the init's death is watched
    too: an init gone without writing means the process is already dead.
    """
    loop = asyncio.get_running_loop()
    got = bytearray()
    finished: asyncio.Future[bool] = loop.create_future()

    def drain() -> bool:
        """Read what is there; True at the end of the stream."""
        while True:
            try:
                chunk = os.read(fd, 512)
            except BlockingIOError:
                return False
            if not chunk:
                return True
            got.extend(chunk)

    def readable() -> None:
        if drain() and not finished.done():
            finished.set_result(True)

    def init_gone() -> None:
        if not finished.done():
            drain()
            finished.set_result(bool(got))

    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        pidfd = -1
    loop.add_reader(fd, readable)
    if pidfd >= 0:
        loop.add_reader(pidfd, init_gone)
    else:
        init_gone()
    try:
        ended = await finished
    finally:
        loop.remove_reader(fd)
        os.close(fd)
        if pidfd >= 0:
            loop.remove_reader(pidfd)
            os.close(pidfd)
    if not ended or not got:
        raise StartFailure("container process is already dead")
    with contextlib.suppress(FileNotFoundError):
        fifo_path(runc_root, ctr_id).unlink()
