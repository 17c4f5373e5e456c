"""`docker pause` / `unpause`: freeze the container's cgroup through runc."""

from __future__ import annotations

from native_runtime.containers.model import PAUSED, RUNNING, Container, can_pause, can_unpause
from native_runtime.errors import NativeError
from native_runtime.runtime import Runtime


async def pause(rt: Runtime, ctr: Container) -> None:
    async with rt.lock(ctr):
        can_pause(ctr)
        code, err = await rt.runc("pause", ctr.id)
        if code:
            raise NativeError(f"Cannot pause container {ctr.id}: {err}")
        ctr.state.status = PAUSED
        rt.containers.save(ctr)
    rt.event(ctr, "pause")


async def unpause(rt: Runtime, ctr: Container) -> None:
    async with rt.lock(ctr):
        can_unpause(ctr)
        code, err = await rt.runc("resume", ctr.id)
        if code:
            raise NativeError(f"Cannot unpause container {ctr.id}: {err}")
        ctr.state.status = RUNNING
        rt.containers.save(ctr)
    rt.event(ctr, "unpause")
