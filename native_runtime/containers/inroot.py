"""Paths inside a container's root, resolved as if chrooted and safe against swapped symlinks.

A running container can replace any directory of its rootfs (or a volume) by a
symlink at any moment, so a host path checked and then used is a race
(CVE-2018-15664). Here every path is resolved by the kernel from an open fd of
the root: openat2(2) with RESOLVE_IN_ROOT treats the root as `/` for absolute
links and `..`, in one atomic lookup. Kernels without openat2 (before 5.6) get a
walk component by component from directory fds, each opened with O_NOFOLLOW.
Everything after the lookup works on fds, never on host path strings again.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
_libc.syscall.restype = ctypes.c_long
SYS_OPENAT2 = 437  # the same number on every architecture (the unified syscall table)
RESOLVE_NO_MAGICLINKS = 0x02
RESOLVE_IN_ROOT = 0x10
MAX_LINKS = 40
CLOEXEC = os.O_CLOEXEC
DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | CLOEXEC


class _OpenHow(ctypes.Structure):
    _fields_ = [("flags", ctypes.c_uint64), ("mode", ctypes.c_uint64), ("resolve", ctypes.c_uint64)]


class NotRegular(OSError):
    """A file the daemon reads is a FIFO, a device, a directory or too large."""


_openat2_works: bool | None = None


def _openat2(dir_fd: int, path: str, flags: int) -> int:
    how = _OpenHow(flags | CLOEXEC, 0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)
    fd = _libc.syscall(
        ctypes.c_long(SYS_OPENAT2), ctypes.c_int(dir_fd), ctypes.c_char_p(os.fsencode(path)),
        ctypes.byref(how), ctypes.c_size_t(ctypes.sizeof(how)),
    )  # fmt: skip
    if fd < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err), path)
    return int(fd)


def _parts(path: str) -> list[str]:
    return [p for p in path.split("/") if p not in ("", ".")]


def walk_open(root_fd: int, path: str, flags: int) -> int:
    """RESOLVE_IN_ROOT done by hand: symlinks read and followed one component at a time."""
    stack = [os.open(".", os.O_PATH | os.O_DIRECTORY | CLOEXEC, dir_fd=root_fd)]
    pending = _parts(path)
    links = 0
    try:
        while pending:
            part = pending.pop(0)
            if part == "..":
                if len(stack) > 1:
                    os.close(stack.pop())
                continue
            try:
                target: str | None = os.readlink(part, dir_fd=stack[-1])
            except OSError as exc:
                if exc.errno not in (errno.EINVAL, errno.ENOENT):
                    raise
                target = None
            if target is not None:
                links += 1
                if links > MAX_LINKS:
                    raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), path)
                if target.startswith("/"):
                    while len(stack) > 1:
                        os.close(stack.pop())
                pending = _parts(target) + pending
                continue
            if not pending:
                # A symlink swapped in since readlink fails here (ELOOP), never escapes.
                return os.open(part, flags | os.O_NOFOLLOW | CLOEXEC, dir_fd=stack[-1])
            flags_dir = os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW | CLOEXEC
            stack.append(os.open(part, flags_dir, dir_fd=stack[-1]))
        return os.open(".", flags | CLOEXEC, dir_fd=stack[-1])
    finally:
        for fd in stack:
            os.close(fd)


def open_in_root(root_fd: int, path: str, flags: int) -> int:
    """Open `path` as the container sees it (the last component is followed, inside the root)."""
    global _openat2_works
    if _openat2_works is not False:
        try:
            fd = _openat2(root_fd, path, flags)
            _openat2_works = True
            return fd
        except OSError as exc:
            if exc.errno != errno.ENOSYS:
                raise
            _openat2_works = False
    return walk_open(root_fd, path, flags)


@contextlib.contextmanager
def fd_of(path: Path | str, flags: int = os.O_PATH | os.O_DIRECTORY) -> Iterator[int]:
    fd = os.open(path, flags | CLOEXEC)
    try:
        yield fd
    finally:
        os.close(fd)


@contextlib.contextmanager
def opened(root: Path, path: str, flags: int) -> Iterator[int]:
    """An fd of `path` inside `root`, closed on exit."""
    with fd_of(root) as root_fd:
        fd = open_in_root(root_fd, path, flags)
    try:
        yield fd
    finally:
        os.close(fd)


def reopen(fd: int, flags: int) -> int:
    """A real open of what an O_PATH fd points at: the very inode, nothing resolved again."""
    return os.open(f"/proc/self/fd/{fd}", flags | CLOEXEC)


def open_regular(dir_fd: int, name: str, limit: int | None = None) -> int:
    """Open `name` below `dir_fd` for reading only if it is a regular file (not followed).

    The O_PATH open has no side effect on a FIFO or a device, so neither can
    block the daemon or touch hardware; the check and the read use one inode.
    """
    path_fd = os.open(name, os.O_PATH | os.O_NOFOLLOW | CLOEXEC, dir_fd=dir_fd)
    try:
        return reopen_regular(path_fd, name, limit)
    finally:
        os.close(path_fd)


def reopen_regular(path_fd: int, name: str, limit: int | None = None) -> int:
    st = os.fstat(path_fd)
    if not stat.S_ISREG(st.st_mode):
        raise NotRegular(errno.EINVAL, "not a regular file", name)
    if limit is not None and st.st_size > limit:
        raise NotRegular(errno.EFBIG, f"larger than {limit} bytes", name)
    return reopen(path_fd, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)


def read_regular(root: Path, path: str, limit: int) -> bytes | None:
    """The bytes of `path` inside `root`, None if it is absent; NotRegular if not a small file."""
    try:
        with opened(root, path, os.O_PATH) as path_fd:
            fd = reopen_regular(path_fd, path, limit)
    except (FileNotFoundError, NotADirectoryError):
        return None
    with os.fdopen(fd, "rb") as src:
        data = src.read(limit + 1)
    if len(data) > limit:
        raise NotRegular(errno.EFBIG, f"larger than {limit} bytes", path)
    return data


@dataclass(frozen=True)
class Entry:
    """One entry met by `walk`; `fd` is the open directory itself while its children follow."""

    rel: str
    parent_fd: int
    name: str
    st: os.stat_result
    fd: int | None = None


def walk(dir_fd: int, prefix: str = "") -> Iterator[Entry]:
    """Every entry below an open directory, a directory before its children, in name order.

    Directories are entered through O_NOFOLLOW opens relative to their parent's
    fd: one swapped for a symlink mid-walk is skipped, never followed.
    """
    for name in sorted(os.listdir(dir_fd)):
        try:
            st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        except FileNotFoundError:
            continue
        rel = prefix + name
        if not stat.S_ISDIR(st.st_mode):
            yield Entry(rel, dir_fd, name, st)
            continue
        try:
            fd = os.open(name, DIR_FLAGS, dir_fd=dir_fd)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.ENOENT):
                continue
            raise
        try:
            yield Entry(rel, dir_fd, name, os.fstat(fd), fd)
            yield from walk(fd, rel + "/")
        finally:
            os.close(fd)
