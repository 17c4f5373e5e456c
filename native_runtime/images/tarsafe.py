"""Tar extraction that can never write outside its target directory.

Every member path is normalised and checked; parent components are walked with
lstat so a symlink extracted earlier can never be written through; hard links
must point inside the target; device nodes are skipped. Docker whiteouts
(`.wh.name`, `.wh..wh..opq`) become overlayfs whiteouts so the directory can
serve as an overlay lowerdir.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tarfile
from pathlib import Path
from typing import IO

WHITEOUT_PREFIX = ".wh."
OPAQUE_MARKER = ".wh..wh..opq"


class UnsafeArchive(Exception):
    """The archive tries to reach outside its target directory."""


def _clean_parts(name: str) -> list[str]:
    """Split a member name into safe components, refusing absolute and escaping paths."""
    if name.startswith("/"):
        raise UnsafeArchive(f"absolute path in archive: {name}")
    parts: list[str] = []
    for part in name.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            raise UnsafeArchive(f"path escapes the target: {name}")
        parts.append(part)
    return parts


def _parent_fd(root_fd: int, parts: list[str], create: bool) -> int:
    """Open the parent dir of `parts` below root without ever following a symlink."""
    fd = os.dup(root_fd)
    try:
        for part in parts[:-1]:
            try:
                st = os.lstat(part, dir_fd=fd)
            except FileNotFoundError:
                if not create:
                    raise
                os.mkdir(part, 0o755, dir_fd=fd)
                st = os.lstat(part, dir_fd=fd)
            if stat.S_ISLNK(st.st_mode):
                raise UnsafeArchive(f"path goes through a symlink: {'/'.join(parts)}")
            if not stat.S_ISDIR(st.st_mode):
                raise UnsafeArchive(f"path goes through a non-directory: {'/'.join(parts)}")
            nxt = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = nxt
    except BaseException:
        os.close(fd)
        raise
    return fd


def _remove_existing(dir_fd: int, name: str, keep_dir: bool) -> None:
    """Clear the way for a new entry; an existing directory survives if a dir replaces it."""
    try:
        st = os.lstat(name, dir_fd=dir_fd)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(st.st_mode):
        if keep_dir:
            return
        raise UnsafeArchive(f"refusing to replace directory {name} with a non-directory")
    os.unlink(name, dir_fd=dir_fd)


def _apply_meta(dir_fd: int, name: str, member: tarfile.TarInfo) -> None:
    os.chown(name, member.uid, member.gid, dir_fd=dir_fd, follow_symlinks=False)
    if member.issym():
        return
    # chmod by name would follow a symlink swapped in since the entry was made
    # (a running container's rootfs); the O_PATH fd pins the inode just created.
    fd = os.open(name, os.O_PATH | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)
    try:
        if stat.S_ISLNK(os.fstat(fd).st_mode):
            return
        os.chmod(f"/proc/self/fd/{fd}", member.mode & 0o7777)
    finally:
        os.close(fd)
    os.utime(name, (member.mtime, member.mtime), dir_fd=dir_fd, follow_symlinks=False)


def _write_file(dir_fd: int, name: str, member: tarfile.TarInfo, data: IO[bytes]) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    fd = os.open(name, flags, 0o600, dir_fd=dir_fd)
    with os.fdopen(fd, "wb") as out:
        while chunk := data.read(1 << 20):
            out.write(chunk)


def _extract_member(root_fd: int, tar: tarfile.TarFile, member: tarfile.TarInfo) -> None:
    parts = _clean_parts(member.name)
    if not parts:
        return
    base = parts[-1]
    if member.ischr() or member.isblk():
        return  # device nodes come from runc at run time, never from an image
    dir_fd = _parent_fd(root_fd, parts, create=True)
    try:
        if base == OPAQUE_MARKER:
            os.setxattr(dir_fd, "trusted.overlay.opaque", b"y")
            return
        if base.startswith(WHITEOUT_PREFIX):
            target = base[len(WHITEOUT_PREFIX) :]
            _remove_existing(dir_fd, target, keep_dir=False)
            os.mknod(target, stat.S_IFCHR | 0o000, os.makedev(0, 0), dir_fd=dir_fd)
            return
        _remove_existing(dir_fd, base, keep_dir=member.isdir())
        if member.isdir():
            # A repeated entry for an existing directory only updates its metadata.
            with contextlib.suppress(FileExistsError):
                os.mkdir(base, 0o755, dir_fd=dir_fd)
        elif member.issym():
            # A symlink may point anywhere; it is only dangerous if followed,
            # and extraction never follows one (see _parent_fd and O_NOFOLLOW).
            os.symlink(member.linkname, base, dir_fd=dir_fd)
        elif member.islnk():
            _hardlink(root_fd, dir_fd, base, member.linkname)
            return
        elif member.isfifo():
            os.mkfifo(base, member.mode & 0o777, dir_fd=dir_fd)
        elif member.isfile():
            data = tar.extractfile(member)
            if data is None:
                raise UnsafeArchive(f"unreadable member {member.name}")
            _write_file(dir_fd, base, member, data)
        else:
            return
        _apply_meta(dir_fd, base, member)
    finally:
        os.close(dir_fd)


def _hardlink(root_fd: int, dir_fd: int, base: str, linkname: str) -> None:
    """Link only to a regular file already extracted inside the target."""
    src_parts = _clean_parts(linkname)
    if not src_parts:
        raise UnsafeArchive(f"hard link to the root: {linkname}")
    src_dir = _parent_fd(root_fd, src_parts, create=False)
    try:
        st = os.lstat(src_parts[-1], dir_fd=src_dir)
        if stat.S_ISDIR(st.st_mode):
            raise UnsafeArchive(f"hard link to a directory: {linkname}")
        os.link(src_parts[-1], base, src_dir_fd=src_dir, dst_dir_fd=dir_fd, follow_symlinks=False)
    finally:
        os.close(src_dir)


def extract(fileobj: IO[bytes], target: Path) -> None:
    """Extract an (optionally compressed) tar stream into `target`, which must exist."""
    root_fd = os.open(target, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        extract_at(fileobj, root_fd)
    finally:
        os.close(root_fd)


def extract_at(fileobj: IO[bytes], root_fd: int) -> None:
    """Extract into the open directory `root_fd` (resolved by the caller, say inside a rootfs)."""
    try:
        with tarfile.open(fileobj=fileobj, mode="r|*") as tar:
            for member in tar:
                _extract_member(root_fd, tar, member)
    except tarfile.TarError as exc:
        raise UnsafeArchive(f"invalid tar archive: {exc}") from exc
