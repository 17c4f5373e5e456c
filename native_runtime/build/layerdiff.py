"""An overlay upperdir as a Docker layer tar: overlay whiteouts become `.wh.` entries."""

from __future__ import annotations

import os
import stat
import tarfile
from pathlib import Path
from typing import IO

from native_runtime.containers import inroot
from native_runtime.containers.treetar import TreeWriter

WHITEOUT_PREFIX = ".wh."
OPAQUE_MARKER = ".wh..wh..opq"
OPAQUE_XATTR = "trusted.overlay.opaque"


def _is_whiteout(st: os.stat_result) -> bool:
    """overlayfs marks a deleted lower file with a 0/0 character device."""
    return stat.S_ISCHR(st.st_mode) and st.st_rdev == os.makedev(0, 0)


def _is_opaque(dir_fd: int) -> bool:
    try:
        return os.getxattr(dir_fd, OPAQUE_XATTR) == b"y"
    except OSError:
        return False


def _marker(name: str, like: os.stat_result) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.REGTYPE
    info.mode = 0o644
    info.mtime = int(like.st_mtime)
    return info


def write_diff(upper: Path, out: IO[bytes], skip: frozenset[str] = frozenset()) -> int:
    """Write `upper` as a layer tar to `out`; return the number of entries written.

    `skip` names paths (relative, `/`-separated) left out, such as the stub
    files runc creates as bind-mount targets. The walk goes through fds, so a
    container still running cannot point it at host files with a symlink.
    """
    count = 0
    with (
        inroot.fd_of(upper, os.O_RDONLY | os.O_DIRECTORY) as root_fd,
        tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar,
    ):
        writer = TreeWriter(tar)
        for entry in inroot.walk(root_fd):
            if entry.rel in skip:
                continue
            parent, _, name = entry.rel.rpartition("/")
            prefix = f"{parent}/" if parent else ""
            if _is_whiteout(entry.st):
                tar.addfile(_marker(f"{prefix}{WHITEOUT_PREFIX}{name}", entry.st))
                count += 1
                continue
            writer.add(entry.rel, entry.parent_fd, entry.name, entry.st)
            count += 1
            if entry.fd is not None and _is_opaque(entry.fd):
                tar.addfile(_marker(f"{entry.rel}/{OPAQUE_MARKER}", entry.st))
                count += 1
    return count
