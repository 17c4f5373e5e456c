"""`docker restart`: stop if running, then start."""

from __future__ import annotations

from native_runtime.containers.model import Container
from native_runtime.containers.start import start
from native_runtime.containers.stop import stop
from native_runtime.runtime import Runtime


async def restart(rt: Runtime, ctr: Container, timeout: int | None) -> None:
    if ctr.running:
        await stop(rt, ctr, timeout)
    await start(rt, ctr)
    rt.event(ctr, "restart")
