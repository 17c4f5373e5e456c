"""A step's scratch rootfs: image layers below, an init layer of mount stubs, a fresh upper."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from native_runtime.build.layerdiff import write_diff
from native_runtime.containers import rootfs
from native_runtime.containers.model import ContainerDirs
from native_runtime.runtime import Runtime

# Like Docker's "-init" layer: the targets runc bind-mounts over exist below
# the upper dir, so they never show up in the step's diff.
INIT_DIRS = ("proc", "sys", "dev", "etc")
INIT_FILES = ("etc/hosts", "etc/hostname", "etc/resolv.conf")
# What a container that ran without an init layer leaves behind (for commit).
MOUNT_STUBS = frozenset({"proc", "sys", "dev", *INIT_FILES})


@dataclass(frozen=True)
class Workspace:
    """One mounted scratch container: `dirs.rootfs` is what the step sees and changes."""

    id: str
    dirs: ContainerDirs

    @property
    def rootfs(self) -> Path:
        return self.dirs.rootfs


def build_root(rt: Runtime) -> Path:
    path = rt.paths.data_root / "build"
    path.mkdir(exist_ok=True)
    return path


def _init_layer(base: Path) -> Path:
    init = base / "init"
    for folder in INIT_DIRS:
        (init / folder).mkdir(parents=True, exist_ok=True)
    for name in INIT_FILES:
        (init / name).touch()
    return init


@contextlib.contextmanager
def mounted(rt: Runtime, diff_ids: list[str], with_init: bool = False) -> Iterator[Workspace]:
    """Mount the layers (top first for overlayfs); unmount and delete everything after.

    `with_init` adds the mount-stub layer a RUN step needs.
    """
    ws_id = secrets.token_hex(32)
    dirs = ContainerDirs(build_root(rt) / ws_id[:16])
    dirs.root.mkdir()
    try:
        lowers = [rt.layers.rootfs(d) for d in reversed(diff_ids)]
        if with_init:
            lowers.insert(0, _init_layer(dirs.root))
        rootfs.mount_overlay(lowers, dirs.upper, dirs.work, dirs.rootfs)
        yield Workspace(ws_id, dirs)
    finally:
        with contextlib.suppress(OSError):
            rootfs.unmount(dirs.rootfs)
        shutil.rmtree(dirs.root, ignore_errors=True)


def store_diff(rt: Runtime, upper: Path, skip: frozenset[str] = frozenset()) -> str:
    """Turn an upper dir into a stored layer; return its diff-id."""
    fd, name = tempfile.mkstemp(dir=rt.paths.tmp, suffix=".diff.tar")
    try:
        with os.fdopen(fd, "wb") as out:
            write_diff(upper, out, skip)
        with open(name, "rb") as src:
            return rt.layers.add(src)
    finally:
        os.unlink(name)
