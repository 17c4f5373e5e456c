"""A container's disk use as dockerd reports it: its writable layer, and that plus its image."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from native_runtime.containers.model import Container
from native_runtime.errors import NotFound
from native_runtime.runtime import Runtime


def tree_size(top: Path) -> int:
    """Bytes of the files below `top`, each hard-linked inode once; no symlink followed."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for folder, _, files in os.walk(top):
        for name in files:
            try:
                st = os.lstat(os.path.join(folder, name))
            except OSError:
                continue  # removed by the running container meanwhile
            if stat.S_ISDIR(st.st_mode) or (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            total += st.st_size
    return total


def size_rw(rt: Runtime, ctr: Container) -> int:
    """`SizeRw`: what the container wrote (its overlay upper directory)."""
    return tree_size(rt.dirs(ctr).upper)


def sizes(rt: Runtime, ctr: Container) -> dict[str, int]:
    """`SizeRw` and `SizeRootFs` (the writable layer plus the image's layers)."""
    written = size_rw(rt, ctr)
    try:
        image = rt.images.get(ctr.image_id).size
    except NotFound:  # an image removed since (docker rmi -f) adds nothing
        image = 0
    return {"SizeRw": written, "SizeRootFs": written + image}
