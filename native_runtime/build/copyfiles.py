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
    """Creates entries below `rootfs`; every parent is resolved inside the rootfs first."""

    def __init__(self, rootfs: Path, options: CopyOptions) -> None:
        self.rootfs = rootfs
        self.options = options

    def _owner(self, st: os.stat_result) -> tuple[int, int]:
        return self.options.owner if self.options.owner is not None else (st.st_uid, st.st_gid)

    def ensure_dir(self, rel: str) -> Path:
        """`mkdir -p` inside the rootfs; created folders get the copy's owner."""
        path = self.rootfs
        done = ""
        for part in [p for p in scoped.clean(rel).split("/") if p not in ("", ".")]:
            done = f"{done}/{part}"
            path = scoped.resolve(self.rootfs, done)
            if path.is_dir():
                continue
            if os.path.lexists(path):
                raise CopyError(f"cannot create directory {done}: a file is in the way")
            os.mkdir(path, 0o755)
            uid, gid = self.options.owner or (0, 0)
            os.chown(path, uid, gid)
        return path

    def leaf(self, rel: str) -> Path:
        parent, _, name = scoped.clean(rel).rpartition("/")
        return self.ensure_dir(parent) / name

    def _meta(self, target: Path, st: os.stat_result) -> None:
        uid, gid = self._owner(st)
        os.chown(target, uid, gid, follow_symlinks=False)
        if not stat.S_ISLNK(st.st_mode):
            mode = self.options.chmod if self.options.chmod is not None else st.st_mode
            os.chmod(target, stat.S_IMODE(mode))
            os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))

    def entry(self, src: Path, rel: str) -> None:
        st = os.lstat(src)
        target = self.leaf(rel)
        exists = os.path.lexists(target)
        is_dir = exists and target.is_dir() and not target.is_symlink()
        if stat.S_ISDIR(st.st_mode):
            if exists and not is_dir:
                os.unlink(target)
            if not is_dir:
                os.mkdir(target, 0o755)
        else:
            if is_dir:
                raise CopyError(f"cannot overwrite directory {rel} with a non-directory")
            if exists:
                os.unlink(target)
            if stat.S_ISLNK(st.st_mode):
                os.symlink(os.readlink(src), target)
            elif stat.S_ISREG(st.st_mode):
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
                with os.fdopen(fd, "wb") as out, open(src, "rb") as data:
                    shutil.copyfileobj(data, out, 1 << 20)
            elif stat.S_ISFIFO(st.st_mode):
                os.mkfifo(target, 0o600)
            else:
                return  # device nodes never come from a build context
        self._meta(target, st)

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
