"""Live restore: at start, re-attach to containers whose conmon survived us."""

from __future__ import annotations

import contextlib
import logging
import shutil
import subprocess
from collections.abc import Callable

from native_runtime.containers import health, monitor, rootfs
from native_runtime.containers.model import ContainerDirs
from native_runtime.paths import RUNC
from native_runtime.runtime import Runtime

log = logging.getLogger("native_runtime.adopt")
RUNC_TIMEOUT = 30.0


def _exit_handler(rt: Runtime, ctr_id: str) -> Callable[[], None]:
    return lambda: rt.spawn(rt.on_exit(rt, ctr_id))


def clear_scratch(rt: Runtime) -> None:
    """Half-written uploads and layers from a crashed daemon are never reused."""
    for entry in rt.paths.tmp.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def clear_orphans(rt: Runtime) -> None:
    """A kill -9 between a container's folder and its row (made at create, dropped at
    remove), or between the row's removal and the teardown after the answer, leaves a
    folder, a mount and runc's record that no record names; nothing can reach them."""
    for entry in rt.paths.runc_root.iterdir():
        if entry.name not in rt.containers.by_id:
            # Also kills a process left in it and removes its cgroups.
            subprocess.run(
                [RUNC, "--root", str(rt.paths.runc_root), "delete", "--force", entry.name],
                capture_output=True, check=False, timeout=RUNC_TIMEOUT,
            )  # fmt: skip
    for entry in rt.paths.containers.iterdir():
        if entry.name not in rt.containers.by_id:
            with contextlib.suppress(OSError):
                rootfs.unmount(ContainerDirs(entry).rootfs)
            shutil.rmtree(entry, ignore_errors=True)


async def release_orphan_plans(rt: Runtime) -> None:
    """Network plans whose container record is gone (the same kill -9 windows): their
    sandboxes were torn down by the network's start, the plans go now."""
    for plan in rt.networks.store.plans():
        if plan.container_id not in rt.containers.by_id and not plan.transient:
            await rt.networks.release(plan.container_id)


def adopt_all(rt: Runtime) -> None:
    """Running records either get their monitor watched again or are marked exited."""
    clear_scratch(rt)
    clear_orphans(rt)
    for ctr in rt.containers.all():
        if not ctr.running:
            # A crash between mount and start can leave a stopped container mounted.
            with contextlib.suppress(OSError):
                rootfs.unmount(rt.dirs(ctr).rootfs)
            continue
        pid = ctr.state.conmon_pid
        if pid and monitor.is_our_conmon(pid, ctr):
            log.info("re-adopted %s (conmon %d)", ctr.short_id, pid)
            monitor.watch(pid, _exit_handler(rt, ctr.id))
            health.resume(rt, ctr)
        else:
            rt.spawn(rt.on_exit(rt, ctr.id))
