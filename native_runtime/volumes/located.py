"""Where a container's path lives on the host: inside one of its mounts, or in its rootfs.

A stopped container has no mounts, and a running one has them only in its own mount
namespace, so `docker cp` reaches a volume's files through the volume's own folder.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path

from native_runtime.errors import BadParameter
from native_runtime.volumes.mounts import Mount


@dataclass(frozen=True)
class Located:
    """`path` resolved inside `root`; `writable` is False in a read-only mount."""

    root: Path
    path: str
    writable: bool = True


def locate(mounts: list[Mount], rootfs: Path, path: str, whole: bool = False) -> Located:
    """The mount holding `path` (the innermost one), else the rootfs.

    `whole` also matches the mount point itself, for extracting into it; reading the
    mount point itself stays with the rootfs so the entry keeps its own name.
    """
    wanted = posixpath.normpath("/" + path.lstrip("/"))
    best: Mount | None = None
    for entry in mounts:
        dest = posixpath.normpath(str(entry["Destination"]))
        inside = wanted.startswith(dest.rstrip("/") + "/") or (whole and wanted == dest)
        if inside and (best is None or len(dest) > len(str(best["Destination"]))):
            best = entry
    if best is None:
        return Located(rootfs, path)
    rest = wanted[len(posixpath.normpath(str(best["Destination"]))) :] or "/"
    if path.endswith("/") and not rest.endswith("/"):
        rest += "/"  # `docker cp` reads a trailing slash as "must be a directory"
    return Located(Path(best["Source"]), rest, bool(best.get("RW", True)))


def writable(located: Located) -> Located:
    if not located.writable:
        raise BadParameter("mounted volume is marked read-only")
    return located
