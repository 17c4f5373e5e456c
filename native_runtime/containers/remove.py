"""`docker rm`: kill if forced, then drop the runtime record, mounts, files and row."""

from __future__ import annotations

import shutil

from native_runtime.containers.exited import cleanup_runtime
from native_runtime.containers.kill import send
from native_runtime.containers.model import REMOVING, Container, can_remove
from native_runtime.runtime import Runtime


async def remove(rt: Runtime, ctr: Container, force: bool, volumes: bool) -> None:
    async with rt.lock(ctr):
        await _remove_held(rt, ctr, force, volumes)


async def _remove_held(rt: Runtime, ctr: Container, force: bool, volumes: bool) -> None:
    if ctr.id not in rt.containers.by_id:
        return  # removed while this call waited for the lock (auto-remove, say)
    can_remove(ctr, force)
    if ctr.running:
        ctr.state.stopped_by_user = True
        exited = rt.next_exit(ctr)
        await rt.runc("resume", ctr.id)
        send(ctr, 9)
        await exited
    if ctr.id not in rt.containers.by_id:
        return  # auto-remove got there first
    ctr.state.status = REMOVING
    await cleanup_runtime(rt, ctr)
    await rt.networks.release(ctr.id)
    rt.containers.delete(ctr)
    rt.execs.forget_container(ctr.id)
    shutil.rmtree(rt.dirs(ctr).root, ignore_errors=True)
    if volumes:
        for entry in ctr.mounts:
            if entry.get("Anonymous") and not rt.volume_users(entry["Name"]):
                rt.volumes.remove(entry["Name"], [])
    rt.event(ctr, "destroy")
    rt.notify_removed(ctr)
