"""Root filesystems assembled with overlayfs: image layers below, one writable upper."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from pathlib import Path

_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
MNT_DETACH = 2


def mount_overlay(lowers: list[Path], upper: Path, work: Path, target: Path) -> None:
    """`lowers` is ordered top layer first, as overlayfs wants it."""
    upper.mkdir(parents=True, exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    target.mkdir(parents=True, exist_ok=True)
    if is_mounted(target):
        return
    if not lowers:
        # overlayfs needs a lower dir; an empty image still gets one.
        empty = work.parent / "empty-lower"
        empty.mkdir(exist_ok=True)
        lowers = [empty]
    # Two steps that change the same nothing share one content-addressed layer; overlayfs
    # refuses a lower dir listed twice (ELOOP). Keeping only its topmost place shows the
    # same tree: whatever lies between is covered again by that topmost copy.
    lowers = list(dict.fromkeys(lowers))
    options = f"lowerdir={':'.join(str(p) for p in lowers)},upperdir={upper},workdir={work}"
    if _libc.mount(b"overlay", str(target).encode(), b"overlay", 0, options.encode()) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount overlay on {target}: {os.strerror(err)}")


def unmount(target: Path) -> None:
    """Lazy unmount so a straggling process holding the mount never blocks removal."""
    if not is_mounted(target):
        return
    if _libc.umount2(str(target).encode(), MNT_DETACH) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"umount {target}: {os.strerror(err)}")


def is_mounted(target: Path) -> bool:
    # Two stats (another device than its parent's), not a read of /proc/self/mountinfo:
    # that file lists every mount on a busy host, and was a tenth of the daemon's time
    # per `run --rm`. Only a mount makes a plain folder a device of its own.
    return os.path.ismount(target)
