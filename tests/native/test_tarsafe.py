"""Crafted archives never write outside the extraction target."""

from __future__ import annotations

import io
import os
import stat
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from native_runtime.images.tarsafe import UnsafeArchive, extract

pytestmark = pytest.mark.native

Builder = Callable[[tarfile.TarFile], None]


def _archive(build: Builder) -> io.BytesIO:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        build(tar)
    buf.seek(0)
    return buf


def _file(tar: tarfile.TarFile, name: str, data: bytes = b"pwned") -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def _link(tar: tarfile.TarFile, name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> None:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    tar.addfile(info)


@pytest.fixture
def box(tmp_path: Path) -> tuple[Path, Path]:
    """A target dir and a sibling `outside` dir an attacker would like to write to."""
    target = tmp_path / "target"
    outside = tmp_path / "outside"
    target.mkdir()
    outside.mkdir()
    (outside / "victim").write_text("original")
    return target, outside


def test_dotdot_member_is_refused(box: tuple[Path, Path]) -> None:
    target, outside = box
    with pytest.raises(UnsafeArchive):
        extract(_archive(lambda t: _file(t, "../outside/victim")), target)
    assert (outside / "victim").read_text() == "original"


def test_absolute_member_is_refused(box: tuple[Path, Path]) -> None:
    target, outside = box
    with pytest.raises(UnsafeArchive):
        extract(_archive(lambda t: _file(t, str(outside / "victim"))), target)
    assert (outside / "victim").read_text() == "original"


def test_write_through_extracted_symlink_is_refused(box: tuple[Path, Path]) -> None:
    target, outside = box

    def build(tar: tarfile.TarFile) -> None:
        _link(tar, "escape", str(outside))
        _file(tar, "escape/victim")

    with pytest.raises(UnsafeArchive):
        extract(_archive(build), target)
    assert (outside / "victim").read_text() == "original"


def test_relative_symlink_escape_is_refused(box: tuple[Path, Path]) -> None:
    target, outside = box

    def build(tar: tarfile.TarFile) -> None:
        _link(tar, "up", "../outside")
        _file(tar, "up/new-file")

    with pytest.raises(UnsafeArchive):
        extract(_archive(build), target)
    assert not (outside / "new-file").exists()


def test_replacing_a_file_with_symlink_then_writing_does_not_follow(box: tuple[Path, Path]) -> None:
    """A symlink as the final component is replaced, never written through."""
    target, outside = box

    def build(tar: tarfile.TarFile) -> None:
        _link(tar, "victim", str(outside / "victim"))
        _file(tar, "victim", b"inside")

    extract(_archive(build), target)
    assert (outside / "victim").read_text() == "original"
    assert (target / "victim").read_bytes() == b"inside"
    assert not (target / "victim").is_symlink()


def test_hardlink_to_outside_is_refused(box: tuple[Path, Path]) -> None:
    target, outside = box
    with pytest.raises(UnsafeArchive):
        extract(_archive(lambda t: _link(t, "h", "../outside/victim", tarfile.LNKTYPE)), target)
    with pytest.raises(UnsafeArchive):
        extract(
            _archive(lambda t: _link(t, "h2", str(outside / "victim"), tarfile.LNKTYPE)), target
        )
    assert (outside / "victim").stat().st_nlink == 1


def test_hardlink_through_symlink_is_refused(box: tuple[Path, Path]) -> None:
    target, outside = box

    def build(tar: tarfile.TarFile) -> None:
        _link(tar, "out", str(outside))
        _link(tar, "h", "out/victim", tarfile.LNKTYPE)

    with pytest.raises(UnsafeArchive):
        extract(_archive(build), target)
    assert (outside / "victim").stat().st_nlink == 1


def test_device_nodes_are_skipped(box: tuple[Path, Path]) -> None:
    target, _ = box

    def build(tar: tarfile.TarFile) -> None:
        info = tarfile.TarInfo("dev-sda")
        info.type = tarfile.BLKTYPE
        info.devmajor, info.devminor = 8, 0
        tar.addfile(info)
        mem = tarfile.TarInfo("mem")
        mem.type = tarfile.CHRTYPE
        mem.devmajor, mem.devminor = 1, 1
        tar.addfile(mem)
        _file(tar, "ok", b"fine")

    extract(_archive(build), target)
    assert not os.path.lexists(target / "dev-sda")
    assert not os.path.lexists(target / "mem")
    assert (target / "ok").read_bytes() == b"fine"


def test_normal_layer_extracts_with_links_modes_and_whiteouts(box: tuple[Path, Path]) -> None:
    target, _ = box

    def build(tar: tarfile.TarFile) -> None:
        folder = tarfile.TarInfo("usr/bin")
        folder.type = tarfile.DIRTYPE
        folder.mode = 0o755
        tar.addfile(folder)
        exe = tarfile.TarInfo("usr/bin/tool")
        exe.size = 3
        exe.mode = 0o4755
        tar.addfile(exe, io.BytesIO(b"bin"))
        _link(tar, "usr/bin/alias", "tool")
        _link(tar, "usr/bin/hard", "usr/bin/tool", tarfile.LNKTYPE)
        _file(tar, "usr/.wh.gone", b"")

    extract(_archive(build), target)
    tool = target / "usr/bin/tool"
    assert stat.S_IMODE(tool.stat().st_mode) == 0o4755
    assert os.readlink(target / "usr/bin/alias") == "tool"
    assert (target / "usr/bin/hard").stat().st_ino == tool.stat().st_ino
    whiteout = (target / "usr/gone").lstat()
    assert stat.S_ISCHR(whiteout.st_mode) and whiteout.st_rdev == 0
