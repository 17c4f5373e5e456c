"""`docker diff`: what a container changed, read from its overlay upper directory."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from native_runtime.build.layerdiff import _is_whiteout as is_whiteout
from native_runtime.build.workspace import MOUNT_STUBS
from native_runtime.containers.model import Container
from native_runtime.runtime import Runtime

MODIFIED, ADDED, DELETED = 0, 1, 2
# runc mounts over these; what it leaves below them is not the container's doing.
MOUNT_ROOTS = ("proc/", "sys/", "dev/")


def changes(rt: Runtime, ctr: Container) -> list[dict[str, Any]]:
    """Docker's `[{"Path", "Kind"}]`, sorted by path; a directory is listed when it is new
    or holds a listed change, as dockerd's overlay driver reports it."""
    dirs = rt.dirs(ctr)
    record = rt.images.get(ctr.image_id)
    lowers = [rt.layers.rootfs(d) for d in record.diff_ids]
    if not dirs.upper.is_dir():
        return []

    def in_image(rel: str) -> bool:
        return any(os.path.lexists(lower / rel) for lower in lowers)

    kinds: dict[str, int] = {}
    folders: list[str] = []
    # Only names and lstat are read, never contents, and os.walk follows no symlink, so a
    # running container swapping links in its upper dir cannot point this at host files.
    for top, subdirs, files in os.walk(dirs.upper):
        for name in subdirs + files:
            path = Path(top, name)
            rel = str(path.relative_to(dirs.upper))
            if rel in MOUNT_STUBS or rel.startswith(MOUNT_ROOTS):
                continue
            st = os.lstat(path)
            if is_whiteout(st):
                kinds[rel] = DELETED
            elif stat.S_ISDIR(st.st_mode) and in_image(rel):
                folders.append(rel)
            else:
                kinds[rel] = MODIFIED if in_image(rel) else ADDED
    for rel in folders:
        if any(key.startswith(rel + "/") for key in kinds):
            kinds[rel] = MODIFIED
    return [{"Path": "/" + rel, "Kind": kind} for rel, kind in sorted(kinds.items())]
