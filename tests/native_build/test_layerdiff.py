"""Upper-dir diffs on a real overlay mount: whiteouts and opaque dirs become `.wh.` files."""

from __future__ import annotations

import io
import os
import shutil
import stat
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from native_runtime.build.layerdiff import write_diff
from native_runtime.containers import rootfs
from native_runtime.images import tarsafe

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="overlay mounts need root")


@pytest.fixture
def overlay(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    lower = tmp_path / "lower"
    (lower / "d").mkdir(parents=True)
    (lower / "o").mkdir()
    (lower / "gone").write_text("x")
    (lower / "d/keep").write_text("k")
    (lower / "o/old").write_text("o")
    merged = tmp_path / "merged"
    rootfs.mount_overlay([lower], tmp_path / "upper", tmp_path / "work", merged)
    try:
        yield merged, tmp_path / "upper"
    finally:
        rootfs.unmount(merged)


def _entries(upper: Path, skip: frozenset[str] = frozenset()) -> dict[str, tarfile.TarInfo]:
    buf = io.BytesIO()
    write_diff(upper, buf, skip)
    buf.seek(0)
    with tarfile.open(fileobj=buf) as tar:
        return {m.name: m for m in tar.getmembers()}


def test_whiteouts_opaque_dirs_and_hardlinks(overlay: tuple[Path, Path]) -> None:
    merged, upper = overlay
    (merged / "gone").unlink()
    shutil.rmtree(merged / "o")
    (merged / "o").mkdir()
    (merged / "o/new").write_text("n")
    (merged / "d/added").write_text("abc")
    os.link(merged / "d/added", merged / "d/linked")
    os.symlink("added", merged / "d/sym")
    os.chown(merged / "d/added", 5, 6)
    entries = _entries(upper)
    assert ".wh.gone" in entries and entries[".wh.gone"].isreg()
    assert entries["o"].isdir()
    assert "o/.wh..wh..opq" in entries
    assert "o/new" in entries and "o/old" not in entries
    assert entries["d/added"].size == 3 and (entries["d/added"].uid, entries["d/added"].gid) == (
        5,
        6,
    )
    assert entries["d/linked"].islnk() and entries["d/linked"].linkname == "d/added"
    assert entries["d/sym"].issym() and entries["d/sym"].linkname == "added"
    assert "d/keep" not in entries  # untouched lower files stay out of the diff
    names = list(entries)
    assert names.index("d") < names.index("d/added")  # parents come first


def test_diff_round_trips_into_an_overlay_lower(overlay: tuple[Path, Path], tmp_path: Path) -> None:
    merged, upper = overlay
    (merged / "gone").unlink()
    shutil.rmtree(merged / "o")
    (merged / "o").mkdir()
    buf = io.BytesIO()
    write_diff(upper, buf)
    buf.seek(0)
    again = tmp_path / "again"
    again.mkdir()
    tarsafe.extract(buf, again)
    st = os.lstat(again / "gone")
    assert stat.S_ISCHR(st.st_mode) and st.st_rdev == 0
    assert os.getxattr(again / "o", "trusted.overlay.opaque") == b"y"


def test_skip_leaves_out_mount_stubs(overlay: tuple[Path, Path]) -> None:
    merged, upper = overlay
    (merged / "etc").mkdir()
    (merged / "etc/hosts").touch()
    (merged / "etc/real").write_text("r")
    entries = _entries(upper, frozenset({"etc/hosts"}))
    assert "etc/real" in entries and "etc/hosts" not in entries
