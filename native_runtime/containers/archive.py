"""`docker cp` and `docker export`: tar streams in and out of a container's root filesystem.

Paths are resolved the way the container sees them, by the kernel, from an fd
of the rootfs (`inroot`): an absolute link restarts at the rootfs, `..` never
climbs above it, and a symlink the container swaps in mid-copy is never
followed out of it. Reads and writes then go through fds only.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import json
import os
import stat
import tarfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from native_runtime.containers import inroot, rootfs
from native_runtime.containers.model import Container
from native_runtime.containers.treetar import TreeWriter, tarinfo
from native_runtime.errors import BadParameter, NotFound
from native_runtime.images import tarsafe
from native_runtime.runtime import Runtime


@contextlib.contextmanager
def _resolved(root: Path, path: str, flags: int, what: str) -> Iterator[int]:
    """`path` opened inside `root`; a missing path is a 404, a link loop a 400."""
    try:
        with inroot.opened(root, path, flags) as fd:
            yield fd
    except (FileNotFoundError, NotADirectoryError):
        raise NotFound(f"Could not find the {what} {path} in container") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise BadParameter(f"too many levels of symbolic links: {path}") from None
        raise


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
    """Docker's X-Docker-Container-Path-Stat content for `path` (its last link not followed)."""
    parent, _, name = path.rstrip("/").rpartition("/")
    if name in ("", ".", ".."):
        parent, name = path, ""
    with _resolved(root, parent or "/", os.O_PATH | os.O_DIRECTORY, "file") as parent_fd:
        try:
            st = os.stat(name, dir_fd=parent_fd, follow_symlinks=False) if name else None
        except FileNotFoundError:
            raise NotFound(f"Could not find the file {path} in container") from None
        st = st or os.fstat(parent_fd)
        link = _link_target(parent_fd, name) if stat.S_ISLNK(st.st_mode) else ""
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
        "linkTarget": link,
    }


def _link_target(parent_fd: int, name: str) -> str:
    try:
        return os.readlink(name, dir_fd=parent_fd)
    except OSError as exc:
        if exc.errno in (errno.EINVAL, errno.ENOENT):
            return ""  # no longer a link: the container changed it since the stat
        raise


def stat_header(info: dict[str, Any]) -> str:
    return base64.b64encode(json.dumps(info).encode()).decode()


def _write_tree(tar: tarfile.TarFile, path_fd: int, arcname: str) -> None:
    """The entry behind `path_fd` under `arcname`, and below it if it is a directory."""
    writer = TreeWriter(tar)
    if not stat.S_ISDIR(os.fstat(path_fd).st_mode):
        writer.add_open(arcname, path_fd)
        return
    dir_fd = inroot.reopen(path_fd, os.O_RDONLY | os.O_DIRECTORY)
    try:
        if arcname:
            tar.addfile(tarinfo(arcname, os.fstat(dir_fd)))
        prefix = f"{arcname}/" if arcname else ""
        for entry in inroot.walk(dir_fd, prefix):
            writer.add(entry.rel, entry.parent_fd, entry.name, entry.st)
    finally:
        os.close(dir_fd)


def write_archive(root: Path, path: str, out: IO[bytes]) -> None:
    """Tar `path` (named by its basename, as `docker cp` expects) into `out`."""
    with (
        _resolved(root, path, os.O_PATH, "file") as fd,
        tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar,
    ):
        _write_tree(tar, fd, os.path.basename(path.rstrip("/")) or ".")


def write_export(root: Path, out: IO[bytes]) -> None:
    with (
        _resolved(root, "/", os.O_PATH, "file") as fd,
        tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar,
    ):
        _write_tree(tar, fd, "")


def extract_into(root: Path, path: str, data: IO[bytes]) -> None:
    """Unpack a tar into the directory `path`; the safe extractor keeps it inside."""
    with _resolved(root, path, os.O_RDONLY | os.O_DIRECTORY, "directory") as target:
        try:
            tarsafe.extract_at(data, target)
        except tarsafe.UnsafeArchive as exc:
            raise BadParameter(str(exc)) from exc
