"""`docker restart`: stop if running, then start."""

from __future__ import annotations

from native_runtime.containers.model import Container
from native_runtime.containers.start import start_held
from native_runtime.containers.stop import stop_held
from native_runtime.runtime import Runtime


async def restart(rt: Runtime, ctr: Container, timeout: int | None) -> None:
    """One hold of the lock for both halves: nothing slips in between stop and start."""
    async with rt.lock(ctr):
        if ctr.running:
            await stop_held(rt, ctr, timeout)
        await start_held(rt, ctr)
    rt.event(ctr, "restart")
