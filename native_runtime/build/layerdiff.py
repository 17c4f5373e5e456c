"""An overlay upperdir as a Docker layer tar: overlay whiteouts become `.wh.` entries."""

from __future__ import annotations

import os
import stat
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

WHITEOUT_PREFIX = ".wh."
OPAQUE_MARKER = ".wh..wh..opq"
OPAQUE_XATTR = "trusted.overlay.opaque"


def _is_whiteout(st: os.stat_result) -> bool:
    """overlayfs marks a deleted lower file with a 0/0 character device."""
    return stat.S_ISCHR(st.st_mode) and st.st_rdev == os.makedev(0, 0)


def _is_opaque(path: Path) -> bool:
    try:
        return os.getxattr(path, OPAQUE_XATTR, follow_symlinks=False) == b"y"
    except OSError:
        return False


def _walk(root: Path, prefix: str = "") -> Iterator[tuple[str, Path]]:
    """Every entry below root, a directory before its children, names in sorted order."""
    with os.scandir(root) as entries:
        children = sorted(entries, key=lambda e: e.name)
    for entry in children:
        rel = f"{prefix}{entry.name}"
        yield rel, Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(Path(entry.path), rel + "/")


def _marker(name: str, like: os.stat_result) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.REGTYPE
    info.mode = 0o644
    info.mtime = int(like.st_mtime)
    return info


def _info(rel: str, path: Path, st: os.stat_result) -> tarfile.TarInfo:
    info = tarfile.TarInfo(rel)
    info.mode = stat.S_IMODE(st.st_mode)
    info.uid, info.gid = st.st_uid, st.st_gid
    info.mtime = int(st.st_mtime)
    if stat.S_ISDIR(st.st_mode):
        info.type = tarfile.DIRTYPE
    elif stat.S_ISLNK(st.st_mode):
        info.type = tarfile.SYMTYPE
        info.linkname = os.readlink(path)
    elif stat.S_ISFIFO(st.st_mode):
        info.type = tarfile.FIFOTYPE
    elif stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
        info.type = tarfile.CHRTYPE if stat.S_ISCHR(st.st_mode) else tarfile.BLKTYPE
        info.devmajor, info.devminor = os.major(st.st_rdev), os.minor(st.st_rdev)
    else:
        info.type = tarfile.REGTYPE
        info.size = st.st_size
    return info


def write_diff(upper: Path, out: IO[bytes], skip: frozenset[str] = frozenset()) -> int:
    """Write `upper` as a layer tar to `out`; return the number of entries written.

    `skip` names paths (relative, `/`-separated) left out, such as the stub
    files runc creates as bind-mount targets.
    """
    count = 0
    links: dict[tuple[int, int], str] = {}
    with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        for rel, path in _walk(upper):
            if rel in skip:
                continue
            st = os.lstat(path)
            parent, _, name = rel.rpartition("/")
            prefix = f"{parent}/" if parent else ""
            if _is_whiteout(st):
                tar.addfile(_marker(f"{prefix}{WHITEOUT_PREFIX}{name}", st))
                count += 1
                continue
            info = _info(rel, path, st)
            if info.isreg() and st.st_nlink > 1:
                key = (st.st_dev, st.st_ino)
                if key in links:
                    info.type = tarfile.LNKTYPE
                    info.linkname = links[key]
                    info.size = 0
                else:
                    links[key] = rel
            if info.isreg():
                with open(path, "rb") as data:
                    tar.addfile(info, data)
            else:
                tar.addfile(info)
            count += 1
            if info.isdir() and _is_opaque(path):
                tar.addfile(_marker(f"{rel}/{OPAQUE_MARKER}", st))
                count += 1
    return count
