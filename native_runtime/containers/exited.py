"""The pieces of a container's end: its exit code, its runtime cleanup, its restart rule."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime

from native_runtime.containers import rootfs, runcstate
from native_runtime.containers.model import Container
from native_runtime.runtime import Runtime
from native_runtime.timing import stage


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
    await teardown_runtime(rt, ctr)
    rt.network_events(ctr, "disconnect", nets)


async def teardown_runtime(rt: Runtime, ctr: Container) -> None:
    """`cleanup_runtime` without its events, for a caller that has announced them."""
    with stage("cleanup", ctr.id):
        await asyncio.gather(_delete_runc_state(rt, ctr), rt.networks.detach(ctr.id))


async def _delete_runc_state(rt: Runtime, ctr: Container) -> None:
    with stage("cleanup.runc_delete", ctr.id):
        if (rt.paths.runc_root / ctr.id).exists() and not runcstate.forget_stopped(
            rt.paths.runc_root, ctr.id
        ):
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
