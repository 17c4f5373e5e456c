"""Path resolution confined to a root: symlinks are followed as if the root were `/`."""

from __future__ import annotations

import os
import posixpath
from pathlib import Path

MAX_LINKS = 255


class EscapeError(ValueError):
    """A path that cannot be resolved inside its root (loop, too many links)."""


def clean(path: str) -> str:
    """Normalise a path as an absolute one, so `..` can never climb above `/`."""
    return posixpath.normpath("/" + path.replace("\\", "/")).lstrip("/") or "."


def resolve(root: Path, path: str, follow_last: bool = True) -> Path:
    """The real path of `path` below `root`; symlinks pointing outside are clamped to it.

    With `follow_last=False` the final component is returned unresolved (it
    may itself be a symlink), which is what a writer that replaces it wants.
    """
    pending = [p for p in clean(path).split("/") if p not in ("", ".")]
    done: list[str] = []
    links = 0
    while pending:
        part = pending.pop(0)
        if part == "..":
            if done:
                done.pop()
            continue
        candidate = root.joinpath(*done, part)
        if not pending and not follow_last:
            done.append(part)
            break
        try:
            target = os.readlink(candidate)
        except (FileNotFoundError, NotADirectoryError, OSError):
            done.append(part)
            continue
        links += 1
        if links > MAX_LINKS:
            raise EscapeError(f"too many levels of symbolic links in {path}")
        if target.startswith("/"):
            done = []
        pending = [p for p in target.split("/") if p not in ("", ".")] + pending
    return root.joinpath(*done)


def relative(root: Path, real: Path) -> str:
    """`real` as a `/`-separated path relative to root ('.' for the root itself)."""
    rel = os.path.relpath(real, root)
    if rel.startswith(".."):
        raise EscapeError(f"{real} is outside {root}")
    return rel
