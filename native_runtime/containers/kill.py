"""`docker kill`: deliver a signal to the container's init process."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal

from native_runtime.containers.model import Container, can_kill
from native_runtime.errors import BadParameter
from native_runtime.runtime import Runtime

KILL_WAIT = 10.0


def parse_signal(value: str | int | None, default: int = signal.SIGKILL) -> int:
    """Docker accepts `9`, `KILL` and `SIGKILL`."""
    if value in (None, ""):
        return int(default)
    text = str(value).upper()
    if text.isdigit():
        return int(text)
    try:
        return int(signal.Signals[text if text.startswith("SIG") else "SIG" + text])
    except KeyError as exc:
        raise BadParameter(f"Invalid signal: {value}") from exc


def send(ctr: Container, signum: int) -> None:
    # No pid yet or any more: it is starting or has just exited, and conmon reports that.
    # os.kill with 0 would signal the daemon's own process group (and kill the daemon).
    if ctr.state.pid <= 0:
        return
    # If it already exited on its own, conmon reports that; nothing to do here.
    with contextlib.suppress(ProcessLookupError):
        os.kill(ctr.state.pid, signum)


async def kill(rt: Runtime, ctr: Container, signal_name: str | None) -> None:
    # No lock: `docker kill` must reach a container whose `docker stop` is still
    # waiting out its grace period, as under dockerd.
    can_kill(ctr)
    signum = parse_signal(signal_name)
    if signum in (signal.SIGKILL, signal.SIGTERM, signal.SIGINT):
        # An explicit kill counts as a user stop for the restart policy (as in Docker).
        ctr.state.stopped_by_user = True
        rt.containers.save(ctr)
    # Like dockerd, a SIGKILL answers once the container is recorded as stopped, so a
    # client that inspects right after sees "exited"; other signals return at once.
    exited = rt.next_exit(ctr) if signum == signal.SIGKILL else None
    send(ctr, signum)
    rt.event(ctr, "kill", signal=str(signum))
    if exited is not None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(exited, KILL_WAIT)
