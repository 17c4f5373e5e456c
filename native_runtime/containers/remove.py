"""`docker rm`: kill if forced, then drop the runtime record, mounts, files and row."""

from __future__ import annotations

import asyncio
import logging
import shutil
from pathlib import Path

from native_runtime.containers.exited import teardown_runtime
from native_runtime.containers.kill import send
from native_runtime.containers.model import REMOVING, Container, can_remove
from native_runtime.runtime import Runtime
from native_runtime.timing import stage

log = logging.getLogger("native_runtime.remove")


def _discard(rt: Runtime, root: Path) -> None:
    """Move the container's folder into the scratch dir and delete it after the answer.

    Deleting a writable layer takes tens of ms that `docker run --rm` would wait for;
    the rename is atomic, and a daemon killed before the deletion clears scratch at start.
    """
    trash = rt.paths.tmp / f"removed-{root.name}"
    try:
        root.rename(trash)
    except FileNotFoundError:
        return
    except OSError:  # another file system, a leftover of the same name: delete in place
        shutil.rmtree(root, ignore_errors=True)
        return
    rt.spawn(asyncio.to_thread(shutil.rmtree, trash, ignore_errors=True))


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
    # The network lets go and the record goes before the answer, so whatever the client
    # does next finds the name, address, ports and network free; runc's record, the
    # mount and the folder (tens of ms) are torn down after it. A daemon killed in
    # between leaves pieces no record names, which its next start sweeps.
    nets = rt.attached_networks(ctr)
    with stage("remove", ctr.id):
        with stage("remove.network", ctr.id):
            await rt.networks.release(ctr.id, for_good=True)
        rt.containers.delete(ctr)
        rt.execs.forget_container(ctr.id)
    if volumes:
        for entry in ctr.mounts:
            if entry.get("Anonymous") and not rt.volume_users(entry["Name"]):
                rt.volumes.remove(entry["Name"], [])
    rt.network_events(ctr, "disconnect", nets)
    rt.event(ctr, "destroy")
    rt.notify_removed(ctr)
    rt.defer(_teardown(rt, ctr))


async def _teardown(rt: Runtime, ctr: Container) -> None:
    try:
        with stage("remove.teardown", ctr.id):
            await teardown_runtime(rt, ctr)
            _discard(rt, rt.dirs(ctr).root)
    except Exception:  # the next start sweeps what is left; the loop must go on
        log.exception("teardown of removed container %s", ctr.short_id)
