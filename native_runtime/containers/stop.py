"""`docker stop`: the stop signal, a grace period, then SIGKILL."""

from __future__ import annotations

import asyncio
import contextlib
import signal

from native_runtime.containers.kill import parse_signal, send
from native_runtime.containers.model import EXITED, PAUSED, RESTARTING, Container, can_stop
from native_runtime.runtime import Runtime

DEFAULT_TIMEOUT = 10


async def stop(rt: Runtime, ctr: Container, timeout: int | None) -> None:
    async with rt.lock(ctr):
        await stop_held(rt, ctr, timeout)


async def stop_held(rt: Runtime, ctr: Container, timeout: int | None) -> None:
    """`stop` for a caller that already holds the container's lock (restart)."""
    if ctr.state.status == RESTARTING:
        # Waiting out a restart back-off: stopping just cancels the restart.
        ctr.state.stopped_by_user = True
        ctr.state.status = EXITED
        rt.containers.save(ctr)
        return
    can_stop(ctr)
    ctr.state.stopped_by_user = True
    rt.containers.save(ctr)
    exited = rt.next_exit(ctr)
    if ctr.state.status == PAUSED:
        await rt.runc("resume", ctr.id)
    if timeout is None:
        timeout = ctr.config.get("StopTimeout")
    grace = DEFAULT_TIMEOUT if timeout is None else int(timeout)
    if grace != 0:
        send(ctr, parse_signal(ctr.config.get("StopSignal"), default=signal.SIGTERM))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(exited), grace if grace > 0 else None)
    if not exited.done():
        send(ctr, signal.SIGKILL)
        await exited
    rt.event(ctr, "stop")
