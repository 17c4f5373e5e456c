"""Tar entries written from directory fds, so a container cannot redirect what is read.

The entries come from `inroot.walk` (or one fd the caller resolved inside a
root); a regular file is opened relative to its parent's fd without following
links and checked to still be a regular file, so neither a symlink nor a FIFO
or device swapped in mid-walk is ever read.
"""

from __future__ import annotations

import errno
import os
import stat
import tarfile

from native_runtime.containers import inroot


def tarinfo(rel: str, st: os.stat_result, linkname: str = "") -> tarfile.TarInfo:
    """The tar header for an entry with stat `st`; regular files get their size."""
    info = tarfile.TarInfo(rel)
    info.mode = stat.S_IMODE(st.st_mode)
    info.uid, info.gid = st.st_uid, st.st_gid
    info.mtime = int(st.st_mtime)
    if stat.S_ISDIR(st.st_mode):
        info.type = tarfile.DIRTYPE
    elif stat.S_ISLNK(st.st_mode):
        info.type = tarfile.SYMTYPE
        info.linkname = linkname
    elif stat.S_ISFIFO(st.st_mode):
        info.type = tarfile.FIFOTYPE
    elif stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
        info.type = tarfile.CHRTYPE if stat.S_ISCHR(st.st_mode) else tarfile.BLKTYPE
        info.devmajor, info.devminor = os.major(st.st_rdev), os.minor(st.st_rdev)
    elif stat.S_ISSOCK(st.st_mode):
        info.type = tarfile.FIFOTYPE  # tar has no sockets; Docker's archiver skips their data too
    else:
        info.type = tarfile.REGTYPE
        info.size = st.st_size
    return info


class TreeWriter:
    """Adds entries to an open tar stream; repeated inodes become hard links."""

    def __init__(self, tar: tarfile.TarFile) -> None:
        self.tar = tar
        self.links: dict[tuple[int, int], str] = {}

    def add(self, rel: str, parent_fd: int, name: str, st: os.stat_result) -> None:
        """One entry found below `parent_fd` (never followed if it is a symlink)."""
        if stat.S_ISLNK(st.st_mode):
            try:
                linkname = os.readlink(name, dir_fd=parent_fd)
            except OSError as exc:
                if exc.errno in (errno.ENOENT, errno.EINVAL):
                    return  # removed or replaced since it was listed
                raise
            self.tar.addfile(tarinfo(rel, st, linkname))
            return
        if not stat.S_ISREG(st.st_mode):
            self.tar.addfile(tarinfo(rel, st))
            return
        try:
            fd = inroot.open_regular(parent_fd, name)
        except (FileNotFoundError, inroot.NotRegular):
            return  # removed or replaced since it was listed
        self._add_file(rel, fd)

    def add_open(self, rel: str, path_fd: int) -> None:
        """The entry an O_PATH fd points at (the target of a followed `docker cp` path)."""
        st = os.fstat(path_fd)
        if not stat.S_ISREG(st.st_mode):
            self.tar.addfile(tarinfo(rel, st))
            return
        self._add_file(rel, inroot.reopen_regular(path_fd, rel))

    def _add_file(self, rel: str, fd: int) -> None:
        with os.fdopen(fd, "rb") as data:
            st = os.fstat(data.fileno())
            info = tarinfo(rel, st)
            if st.st_nlink > 1:
                key = (st.st_dev, st.st_ino)
                if key in self.links:
                    info.type, info.linkname, info.size = tarfile.LNKTYPE, self.links[key], 0
                    self.tar.addfile(info)
                    return
                self.links[key] = rel
            self.tar.addfile(info, data)
