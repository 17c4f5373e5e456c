"""What happens when a container's process ends: record it, clean up, restart or remove.

It sits above the verbs it calls (start, remove), so they need not know about it:
the daemon hands `handle_exit` to the runtime as its exit hook.
"""

from __future__ import annotations

import asyncio

from native_runtime.containers import health, resize
from native_runtime.containers.exited import (
    cleanup_runtime,
    now_rfc3339,
    read_exit_code,
    should_restart,
)
from native_runtime.containers.model import DEAD, EXITED, RESTARTING
from native_runtime.containers.remove import remove
from native_runtime.containers.start import start_held
from native_runtime.runtime import Runtime

READER_GRACE = 5.0


async def handle_exit(rt: Runtime, ctr_id: str) -> None:
    """conmon is gone: the exit file holds the code (missing means the monitor died)."""
    ctr = rt.containers.by_id.get(ctr_id)
    if ctr is None or not ctr.running:
        return
    health.end(ctr)
    resize.forget(ctr)
    code = read_exit_code(rt, ctr)
    # create and update refuse AutoRemove beside a restart policy.
    auto_remove = bool(ctr.host_config.get("AutoRemove"))
    if not auto_remove:
        # An auto-removed container is torn down by its removal: the network before
        # that answers, the rest after.
        await cleanup_runtime(rt, ctr)
    ctr.state.status = EXITED if code is not None else DEAD
    ctr.state.exit_code = code if code is not None else 255
    ctr.state.pid = 0
    ctr.state.conmon_pid = 0
    ctr.state.finished_at = now_rfc3339()
    restart = should_restart(ctr)
    if restart:
        ctr.state.status = RESTARTING
    rt.containers.save(ctr)
    rt.event(ctr, "die", exitCode=str(ctr.state.exit_code))
    rt.notify_exit(ctr)
    if restart:
        rt.spawn(_restart_later(rt, ctr_id, ctr.state.restart_count))
    elif auto_remove:
        readers = rt.readers.pop(ctr.id, set())
        if readers:
            # `docker run --rm` prints from the log; let it read the end first.
            await asyncio.wait(readers, timeout=READER_GRACE)
        # Takes the container's lock, so a `docker stop` or `rm` in flight finishes first.
        await remove(rt, ctr, force=True, volumes=True)


async def _restart_later(rt: Runtime, ctr_id: str, restarts: int) -> None:
    # Docker backs off from 100ms, doubling; a short fixed delay keeps a
    # crash-looping container from burning the CPU.
    await asyncio.sleep(min(0.1 * 2 ** min(restarts, 10), 10.0))
    current = rt.containers.by_id.get(ctr_id)
    if current is None:
        return
    async with rt.lock(current):
        if current.state.status != RESTARTING or current.state.stopped_by_user:
            return
        current.state.restart_count += 1
        try:
            await start_held(rt, current)
        except Exception as exc:  # a failed restart is recorded, never raised into the loop
            current.state.status = EXITED
            current.state.error = str(exc)
            rt.containers.save(current)
