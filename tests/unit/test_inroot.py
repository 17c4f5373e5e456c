"""Paths resolved inside a root: links and `..` never leave it, with openat2 and without."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from native_runtime.containers import inroot

Opener = Callable[[int, str, int], int]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A small tree whose links all point out of it, as seen from the host."""
    outside = tmp_path / "host"
    outside.mkdir()
    (outside / "passwd").write_text("host\n")
    tree = tmp_path / "root"
    (tree / "etc").mkdir(parents=True)
    (tree / "etc/passwd").write_text("inside\n")
    (tree / "deep/er").mkdir(parents=True)
    (tree / "abs").symlink_to(outside)  # absolute: restarts at the root
    (tree / "deep/er/up").symlink_to("../" * 12 + str(outside))  # `..` stops at the root
    (tree / "loop").symlink_to("loop")
    os.mkfifo(tree / "fifo")
    return tree


def _read(root: Path, path: str, opener: Opener) -> str:
    with inroot.fd_of(root) as root_fd:
        fd = opener(root_fd, path, os.O_RDONLY)
    with os.fdopen(fd) as src:
        return src.read()


@pytest.mark.parametrize("opener", [inroot.open_in_root, inroot.walk_open], ids=["openat2", "walk"])
def test_links_resolve_inside_the_root(root: Path, opener: Opener) -> None:
    decoy = root / str(root.parent / "host").lstrip("/")
    decoy.mkdir(parents=True)
    (decoy / "passwd").write_text("decoy inside\n")
    assert _read(root, "/etc/passwd", opener) == "inside\n"
    assert _read(root, "/abs/passwd", opener) == "decoy inside\n"
    assert _read(root, "/deep/er/up/passwd", opener) == "decoy inside\n"
    assert _read(root, "/../../etc/passwd", opener) == "inside\n"


@pytest.mark.parametrize("opener", [inroot.open_in_root, inroot.walk_open], ids=["openat2", "walk"])
def test_missing_targets_and_loops_fail(root: Path, opener: Opener) -> None:
    with pytest.raises(FileNotFoundError):
        _read(root, "/abs/passwd", opener)  # the host folder is not inside the root
    with pytest.raises(OSError) as caught:
        _read(root, "/loop", opener)
    assert caught.value.errno == errno.ELOOP


def test_only_small_regular_files_are_read(root: Path) -> None:
    assert inroot.read_regular(root, "/deep/../etc/passwd", 100) == b"inside\n"
    assert inroot.read_regular(root, "/nothing", 100) is None
    with pytest.raises(inroot.NotRegular):
        inroot.read_regular(root, "/fifo", 100)  # no writer: a plain open would block
    with pytest.raises(inroot.NotRegular):
        inroot.read_regular(root, "/etc/passwd", 3)


def test_walk_lists_without_following_links(root: Path) -> None:
    with inroot.fd_of(root, os.O_RDONLY | os.O_DIRECTORY) as fd:
        found = [entry.rel for entry in inroot.walk(fd)]
    assert found == ["abs", "deep", "deep/er", "deep/er/up", "etc", "etc/passwd", "fifo", "loop"]
