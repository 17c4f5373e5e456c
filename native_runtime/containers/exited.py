"""What happens when a container's process ends: record it, clean up, restart or remove."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime

from native_runtime.containers import resize, rootfs
from native_runtime.containers.model import DEAD, EXITED, RESTARTING, Container
from native_runtime.runtime import Runtime
from native_runtime.timing import stage

READER_GRACE = 5.0


def now_rfc3339() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def read_exit_code(rt: Runtime, ctr: Container) -> int | None:
    path = rt.paths.exits / ctr.id
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    path.unlink(missing_ok=True)
    try:
        return int(text)
    except ValueError:
        return None


async def cleanup_runtime(rt: Runtime, ctr: Container) -> None:
    """Delete runc's record, unmount the rootfs, tear the network sandbox down.

    All three are safe to repeat. Addresses go back to the pool here, as Docker
    releases them when a container stops. runc's record and the sandbox share
    nothing, so both are torn down at once (each waits on its own processes).
    """
    nets = rt.attached_networks(ctr)
    with stage("cleanup", ctr.id):
        await asyncio.gather(_delete_runc_state(rt, ctr), rt.networks.detach(ctr.id))
    rt.network_events(ctr, "disconnect", nets)


async def _delete_runc_state(rt: Runtime, ctr: Container) -> None:
    with stage("cleanup.runc_delete", ctr.id):
        if (rt.paths.runc_root / ctr.id).exists():
            await rt.runc("delete", "--force", ctr.id)
    with stage("cleanup.unmount", ctr.id), contextlib.suppress(OSError):
        rootfs.unmount(rt.dirs(ctr).rootfs)


def should_restart(ctr: Container) -> bool:
    policy = ctr.host_config.get("RestartPolicy") or {}
    name = policy.get("Name") or "no"
    if ctr.state.stopped_by_user or name == "no":
        return False
    if name == "on-failure":
        limit = int(policy.get("MaximumRetryCount") or 0)
        return ctr.state.exit_code != 0 and (limit == 0 or ctr.state.restart_count < limit)
    return name in ("always", "unless-stopped")


async def handle_exit(rt: Runtime, ctr_id: str) -> None:
    """conmon is gone: the exit file holds the code (missing means the monitor died)."""
    ctr = rt.containers.by_id.get(ctr_id)
    if ctr is None or not ctr.running:
        return
    from native_runtime.containers import health

    health.end(ctr)
    resize.forget(ctr)
    code = read_exit_code(rt, ctr)
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
        rt.spawn(_restart_later(rt, ctr))
    elif ctr.host_config.get("AutoRemove"):
        from native_runtime.containers.remove import remove

        readers = rt.readers.pop(ctr.id, set())
        if readers:
            # `docker run --rm` prints from the log; let it read the end first.
            await asyncio.wait(readers, timeout=READER_GRACE)
        await remove(rt, ctr, force=True, volumes=True)


async def _restart_later(rt: Runtime, ctr: Container) -> None:
    from native_runtime.containers.start import start

    # Docker backs off from 100ms, doubling; a short fixed delay keeps a
    # crash-looping container from burning the CPU.
    await asyncio.sleep(min(0.1 * 2 ** min(ctr.state.restart_count, 10), 10.0))
    async with rt.lock(ctr):
        current = rt.containers.by_id.get(ctr.id)
        if current is None or current.state.status != RESTARTING or current.state.stopped_by_user:
            return
        current.state.restart_count += 1
        try:
            await start(rt, current)
        except Exception as exc:  # a failed restart is recorded, never raised into the loop
            current.state.status = EXITED
            current.state.error = str(exc)
            rt.containers.save(current)
