"""COPY and ADD into a mounted rootfs, with Docker's destination rules; writes stay inside."""

from __future__ import annotations

import os
import posixpath
import shutil
import stat
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from native_runtime.build import scoped
from native_runtime.containers import inroot
from native_runtime.images import tarsafe


class CopyError(ValueError):
    """A COPY/ADD that Docker would refuse too."""


@dataclass(frozen=True)
class CopyOptions:
    """`owner` None keeps the source's owner (COPY --from); chmod None keeps modes."""

    owner: tuple[int, int] | None
    chmod: int | None = None
    extract_archives: bool = False


def _is_archive(path: Path) -> bool:
    if not path.is_file():
        return False
    try:
        return tarfile.is_tarfile(path)
    except OSError:
        return False


class _Writer:
    """Creates entries below `rootfs`.

    Destinations follow the rootfs's own links as Docker does (`scoped.resolve`),
    and every change is then made through an fd of the parent folder opened
    inside the rootfs (`inroot`), so no link, present or swapped in, leads out.
    """

    def __init__(self, rootfs: Path, options: CopyOptions) -> None:
        self.rootfs = rootfs
        self.options = options

    def _owner(self, st: os.stat_result) -> tuple[int, int]:
        return self.options.owner if self.options.owner is not None else (st.st_uid, st.st_gid)

    def _real(self, rel: str) -> tuple[str, str]:
        """The resolved parent folder (relative to the rootfs) and name of `rel`."""
        real = scoped.relative(self.rootfs, scoped.resolve(self.rootfs, rel, follow_last=False))
        parent, _, name = real.rpartition("/")
        return parent or ".", name

    def ensure_dir(self, rel: str) -> str:
        """`mkdir -p` inside the rootfs; created folders get the copy's owner.

        Returns the folder's resolved path relative to the rootfs.
        """
        done = ""
        for part in [p for p in scoped.clean(rel).split("/") if p not in ("", ".")]:
            done = f"{done}/{part}"
            real = scoped.relative(self.rootfs, scoped.resolve(self.rootfs, done))
            parent, _, name = real.rpartition("/")
            if not name or name == ".":
                continue
            with inroot.opened(self.rootfs, parent or "/", os.O_PATH | os.O_DIRECTORY) as pfd:
                try:
                    st = os.stat(name, dir_fd=pfd, follow_symlinks=False)
                except FileNotFoundError:
                    os.mkdir(name, 0o755, dir_fd=pfd)
                    uid, gid = self.options.owner or (0, 0)
                    os.chown(name, uid, gid, dir_fd=pfd, follow_symlinks=False)
                    continue
                if not stat.S_ISDIR(st.st_mode):
                    raise CopyError(f"cannot create directory {done}: a file is in the way")
        return scoped.relative(self.rootfs, scoped.resolve(self.rootfs, rel))

    def _meta(self, dir_fd: int, name: str, st: os.stat_result) -> None:
        uid, gid = self._owner(st)
        os.chown(name, uid, gid, dir_fd=dir_fd, follow_symlinks=False)
        if stat.S_ISLNK(st.st_mode):
            return
        mode = self.options.chmod if self.options.chmod is not None else st.st_mode
        fd = os.open(name, os.O_PATH | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)
        try:
            os.chmod(f"/proc/self/fd/{fd}", stat.S_IMODE(mode))
        finally:
            os.close(fd)
        os.utime(name, ns=(st.st_atime_ns, st.st_mtime_ns), dir_fd=dir_fd, follow_symlinks=False)

    def entry(self, src: Path, rel: str) -> None:
        st = os.lstat(src)
        parent_rel, _, _ = scoped.clean(rel).rpartition("/")
        self.ensure_dir(parent_rel)
        parent, name = self._real(rel)
        with inroot.opened(self.rootfs, parent, os.O_PATH | os.O_DIRECTORY) as pfd:
            self._create(pfd, name, src, st, rel)

    def _create(self, pfd: int, name: str, src: Path, st: os.stat_result, rel: str) -> None:
        try:
            existing: os.stat_result | None = os.stat(name, dir_fd=pfd, follow_symlinks=False)
        except FileNotFoundError:
            existing = None
        is_dir = existing is not None and stat.S_ISDIR(existing.st_mode)
        if stat.S_ISDIR(st.st_mode):
            if existing is not None and not is_dir:
                os.unlink(name, dir_fd=pfd)
            if not is_dir:
                os.mkdir(name, 0o755, dir_fd=pfd)
        else:
            if is_dir:
                raise CopyError(f"cannot overwrite directory {rel} with a non-directory")
            if existing is not None:
                os.unlink(name, dir_fd=pfd)
            if stat.S_ISLNK(st.st_mode):
                os.symlink(os.readlink(src), name, dir_fd=pfd)
            elif stat.S_ISREG(st.st_mode):
                flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
                fd = os.open(name, flags, 0o600, dir_fd=pfd)
                with os.fdopen(fd, "wb") as out, open(src, "rb") as data:
                    shutil.copyfileobj(data, out, 1 << 20)
            elif stat.S_ISFIFO(st.st_mode):
                os.mkfifo(name, 0o600, dir_fd=pfd)
            else:
                return  # device nodes never come from a build context
        self._meta(pfd, name, st)

    def tree(self, src: Path, rel: str) -> None:
        """The contents of folder `src` into folder `rel`."""
        self.ensure_dir(rel)
        with os.scandir(src) as entries:
            children = sorted(entries, key=lambda e: e.name)
        for child in children:
            child_rel = posixpath.join(rel, child.name)
            self.entry(Path(child.path), child_rel)
            if child.is_dir(follow_symlinks=False):
                self.tree(Path(child.path), child_rel)


def copy_into(
    rootfs: Path, sources: list[Path], dest: str, options: CopyOptions, tmp: Path
) -> None:
    """Copy `sources` to absolute image path `dest` inside `rootfs`.

    A trailing `/` or an existing folder means "into"; a folder source copies
    its contents; several sources need a folder destination, as in Docker.
    """
    writer = _Writer(rootfs, options)
    into = dest.endswith("/") or dest in ("", ".")
    if len(sources) > 1 and not into:
        raise CopyError(
            "When using COPY with more than one source file, "
            "the destination must be a directory and end with a /"
        )
    dest_rel = scoped.clean(dest)
    for src in sources:
        if src.is_dir() and not src.is_symlink():
            writer.tree(src, dest_rel)
        elif options.extract_archives and _is_archive(src):
            _extract_into(writer, src, dest_rel, tmp)
        else:
            existing = scoped.resolve(rootfs, dest_rel)
            target = dest_rel
            if into or (existing.is_dir() and dest_rel != "."):
                target = posixpath.join(dest_rel, src.name)
            elif dest_rel == ".":
                target = src.name
            writer.entry(src, target)


def _extract_into(writer: _Writer, archive: Path, dest_rel: str, tmp: Path) -> None:
    """ADD unpacks local archives; unpack to a staging folder, then merge it in."""
    staging = Path(tempfile.mkdtemp(dir=tmp, prefix="add-"))
    try:
        with open(archive, "rb") as src:
            try:
                tarsafe.extract(src, staging)
            except tarsafe.UnsafeArchive as exc:
                raise CopyError(f"ADD {archive.name}: {exc}") from exc
        keep_owner = _Writer(writer.rootfs, CopyOptions(owner=None, chmod=None))
        keep_owner.tree(staging, dest_rel)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
