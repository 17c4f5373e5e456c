"""The build context: the uploaded tar unpacked safely, `.dockerignore` applied, sources found."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
from pathlib import Path
from typing import IO

from native_runtime.build import scoped
from native_runtime.build.dockerignore import DockerIgnore, segment_regex
from native_runtime.images import tarsafe

GLOB_CHARS = re.compile(r"[*?\[]")


class ContextError(ValueError):
    """A source that is missing, escapes the context, or a context that cannot be read."""


class BuildContext:
    """A folder holding the context; every lookup stays inside it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def unpack(cls, stream: IO[bytes], root: Path) -> BuildContext:
        root.mkdir(parents=True, exist_ok=True)
        try:
            tarsafe.extract(stream, root)
        except tarsafe.UnsafeArchive as exc:
            raise ContextError(f"invalid build context: {exc}") from exc
        return cls(root)

    def read_dockerfile(self, name: str) -> tuple[str, str]:
        """The Dockerfile's text and display name; it must lie inside the context."""
        path = scoped.resolve(self.root, name or "Dockerfile")
        if not path.is_file():
            raise ContextError(f"Cannot locate specified Dockerfile: {name or 'Dockerfile'}")
        return path.read_text(errors="replace"), posixpath_base(name or "Dockerfile")

    def apply_dockerignore(self, keep: set[str]) -> None:
        """Delete what `.dockerignore` excludes, so no later step can see it."""
        ignore_file = self.root / ".dockerignore"
        if ignore_file.is_symlink() or not ignore_file.is_file():
            return
        rules = DockerIgnore(ignore_file.read_text(errors="replace"))
        if rules.patterns:
            self._prune(rules, self.root, "", keep)

    def _prune(self, rules: DockerIgnore, folder: Path, prefix: str, keep: set[str]) -> None:
        with os.scandir(folder) as entries:
            children = list(entries)
        for entry in children:
            rel = prefix + entry.name
            if rel in keep or not rules.ignored(rel):
                if entry.is_dir(follow_symlinks=False):
                    self._prune(rules, Path(entry.path), rel + "/", keep)
                continue
            if entry.is_dir(follow_symlinks=False):
                if rules.may_contain_exceptions(rel):
                    self._prune(rules, Path(entry.path), rel + "/", keep)
                    continue
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)

    def sources(self, pattern: str) -> list[Path]:
        """Paths matching one COPY/ADD source, which may be a glob."""
        return find_sources(self.root, pattern, "context")


def posixpath_base(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1] or "Dockerfile"


def find_sources(root: Path, pattern: str, where: str) -> list[Path]:
    """Resolve a source inside `root`; globs match per path segment like Go's filepath.Match."""
    cleaned = scoped.clean(pattern)
    if not GLOB_CHARS.search(cleaned):
        path = scoped.resolve(root, cleaned)
        if not os.path.lexists(path):
            raise ContextError(f"{where}: {pattern}: no such file or directory")
        return [path]
    segments = cleaned.split("/")
    matches = [root]
    for segment in segments:
        regex = re.compile("^" + segment_regex(segment) + "$")
        found: list[Path] = []
        for base in matches:
            if not base.is_dir() or base.is_symlink():
                continue
            for name in sorted(os.listdir(base)):
                if regex.match(name):
                    found.append(base / name)
        matches = found
    if not matches:
        raise ContextError(f"{where}: no source files were specified by {pattern}")
    # A matched symlink is followed inside the root, never out of it.
    return [scoped.resolve(root, scoped.relative(root, m)) for m in matches]


def content_hash(paths: list[Path]) -> str:
    """A digest of names, modes, link targets and bytes (not times), as the cache key needs."""
    digest = hashlib.sha256()
    for top in paths:
        for rel, path in _walk_with_self(top):
            st = os.lstat(path)
            digest.update(
                f"{rel}\0{stat.S_IMODE(st.st_mode):o}\0{stat.S_IFMT(st.st_mode)}\0".encode()
            )
            if stat.S_ISLNK(st.st_mode):
                digest.update(os.readlink(path).encode())
            elif stat.S_ISREG(st.st_mode):
                with open(path, "rb") as data:
                    while chunk := data.read(1 << 20):
                        digest.update(chunk)
    return digest.hexdigest()


def _walk_with_self(top: Path) -> list[tuple[str, Path]]:
    out = [(top.name, top)]
    if top.is_dir() and not top.is_symlink():
        for dirpath, dirs, files in os.walk(top):
            dirs.sort()
            for name in sorted(dirs + files):
                full = Path(dirpath) / name
                out.append((os.path.relpath(full, top.parent), full))
    return out
