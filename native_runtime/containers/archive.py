"""`docker cp` and `docker export`: tar streams in and out of a container's root filesystem.

Paths are resolved the way the container sees them: symlinks are followed
inside the rootfs (an absolute link restarts at the rootfs, `..` never climbs
above it), so a hostile image cannot point a copy at the host.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import stat
import tarfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from native_runtime.containers import rootfs
from native_runtime.containers.model import Container
from native_runtime.errors import BadParameter, NotFound
from native_runtime.images import tarsafe
from native_runtime.runtime import Runtime

MAX_LINKS = 40


def resolve_inside(root: Path, path: str, follow_last: bool = True) -> Path:
    """The host path of `path` as seen from inside `root` (chroot semantics)."""
    parts = [p for p in path.split("/") if p not in ("", ".")]
    resolved: list[str] = []
    links = 0
    while parts:
        part = parts.pop(0)
        if part == "..":
            if resolved:
                resolved.pop()
            continue
        candidate = root.joinpath(*resolved, part)
        is_last = not parts
        if candidate.is_symlink() and (follow_last or not is_last):
            links += 1
            if links > MAX_LINKS:
                raise BadParameter(f"too many levels of symbolic links: {path}")
            target = os.readlink(candidate)
            if target.startswith("/"):
                resolved = []
            parts = [p for p in target.split("/") if p not in ("", ".")] + parts
            continue
        resolved.append(part)
    return root.joinpath(*resolved)


@contextlib.contextmanager
def mounted_rootfs(rt: Runtime, ctr: Container) -> Iterator[Path]:
    """The merged rootfs; a stopped container's overlay is mounted for the duration."""
    dirs = rt.dirs(ctr)
    was_mounted = rootfs.is_mounted(dirs.rootfs)
    if not was_mounted:
        record = rt.images.get(ctr.image_id)
        lowers = [rt.layers.rootfs(d) for d in reversed(record.diff_ids)]
        rootfs.mount_overlay(lowers, dirs.upper, dirs.work, dirs.rootfs)
    try:
        yield dirs.rootfs
    finally:
        if not was_mounted and not ctr.running:
            rootfs.unmount(dirs.rootfs)


def path_stat(root: Path, path: str) -> dict[str, Any]:
    """Docker's X-Docker-Container-Path-Stat content for `path`."""
    host = resolve_inside(root, path, follow_last=False)
    try:
        st = os.lstat(host)
    except FileNotFoundError:
        raise NotFound(f"Could not find the file {path} in container") from None
    mode = stat.S_IMODE(st.st_mode)
    # Go's os.FileMode bits, which the CLI decodes.
    if stat.S_ISDIR(st.st_mode):
        mode |= 1 << 31
    elif stat.S_ISLNK(st.st_mode):
        mode |= 1 << 27
    mtime = datetime.fromtimestamp(st.st_mtime, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return {
        "name": os.path.basename(path.rstrip("/")) or "/",
        "size": st.st_size,
        "mode": mode,
        "mtime": mtime,
        "linkTarget": os.readlink(host) if stat.S_ISLNK(st.st_mode) else "",
    }


def stat_header(info: dict[str, Any]) -> str:
    return base64.b64encode(json.dumps(info).encode()).decode()


def write_archive(root: Path, path: str, out: IO[bytes]) -> None:
    """Tar `path` (named by its basename, as `docker cp` expects) into `out`."""
    host = resolve_inside(root, path)
    if not os.path.lexists(host):
        raise NotFound(f"Could not find the file {path} in container")
    with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        # recursive add never follows symlinks, so nothing outside the rootfs is read
        tar.add(str(host), arcname=os.path.basename(path.rstrip("/")) or ".")


def write_export(root: Path, out: IO[bytes]) -> None:
    with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        for entry in sorted(os.listdir(root)):
            tar.add(str(root / entry), arcname=entry)


def extract_into(root: Path, path: str, data: IO[bytes]) -> None:
    """Unpack a tar into the directory `path`; the safe extractor keeps it inside."""
    target = resolve_inside(root, path)
    if not target.is_dir():
        raise NotFound(f"Could not find the directory {path} in container")
    try:
        tarsafe.extract(data, target)
    except tarsafe.UnsafeArchive as exc:
        raise BadParameter(str(exc)) from exc
