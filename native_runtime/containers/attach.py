"""Attach: a container's output from now until its current (or next) run ends, and stdin."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

from native_runtime.containers.logs import LogLine, LogReader, log_size
from native_runtime.containers.model import Container
from native_runtime.runtime import Runtime

POLL_INTERVAL = 0.02


async def output(rt: Runtime, ctr: Container) -> AsyncIterator[LogLine]:
    """Reads conmon's log from its current end, so a re-start shows only new output."""
    reader = LogReader(rt.dirs(ctr).log, log_size(rt, ctr))
    exited = rt.next_exit(ctr)
    drained: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    rt.readers[ctr.id].add(drained)
    try:
        while True:
            done = exited.done()
            lines = reader.read()
            if done:
                drained.set_result(None)  # everything is read; the log may go now
            for line in lines:
                yield line
            if done:
                return
            await asyncio.wait([exited], timeout=POLL_INTERVAL)
    finally:
        reader.close()
        if not drained.done():
            drained.set_result(None)
        rt.readers.get(ctr.id, set()).discard(drained)


def stdin_socket(rt: Runtime, ctr: Container) -> socket.socket | None:
    """conmon's attach socket (SOCK_SEQPACKET); what we send there goes to stdin."""
    path = rt.paths.attach_sockets / ctr.id / "attach"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        sock.connect(str(path))
    except OSError:
        sock.close()
        return None
    return sock
