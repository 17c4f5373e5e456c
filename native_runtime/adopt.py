"""Live restore: at start, re-attach to containers whose conmon survived us."""

from __future__ import annotations

import contextlib
import logging
import shutil
from collections.abc import Callable

from native_runtime.containers import health, monitor, rootfs
from native_runtime.runtime import Runtime

log = logging.getLogger("native_runtime.adopt")


def _exit_handler(rt: Runtime, ctr_id: str) -> Callable[[], None]:
    return lambda: rt.spawn(rt.on_exit(rt, ctr_id))


def clear_scratch(rt: Runtime) -> None:
    """Half-written uploads and layers from a crashed daemon are never reused."""
    for entry in rt.paths.tmp.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def adopt_all(rt: Runtime) -> None:
    """Running records either get their monitor watched again or are marked exited."""
    clear_scratch(rt)
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
