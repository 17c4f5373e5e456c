"""`docker cp` both ways and `docker export`, with links that try to leave the rootfs."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.native.conftest import TEST_IMAGE, NativeDaemon

pytestmark = pytest.mark.native


@pytest.fixture
def box(native: NativeDaemon) -> Iterator[str]:
    name = "native-copy"
    # /esc points far above the root; inside the container that is still "/".
    native.out("run", "--name", name, TEST_IMAGE, "sh", "-c",
               "echo inside > /data.txt; ln -s ../../../../../../ /esc")  # fmt: skip
    yield name
    native.docker("rm", "-f", name, check=False)


def test_copy_out_and_in(native: NativeDaemon, box: str, tmp_path: Path) -> None:
    native.out("cp", f"{box}:/data.txt", str(tmp_path / "out.txt"))
    assert (tmp_path / "out.txt").read_text() == "inside\n"
    (tmp_path / "in.txt").write_text("from-host\n")
    native.out("cp", str(tmp_path / "in.txt"), f"{box}:/tmp/in.txt")
    archive = native.docker("cp", f"{box}:/tmp/in.txt", "-").stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        member = tar.extractfile("in.txt")
        assert member is not None and member.read() == b"from-host\n"


def test_links_resolve_inside_the_container(native: NativeDaemon, box: str, tmp_path: Path) -> None:
    marker = tmp_path / "host-only"
    marker.write_text("host secret")
    escaped = native.docker("cp", f"{box}:/esc{marker}", str(tmp_path / "got"), check=False)
    assert escaped.returncode != 0
    assert not (tmp_path / "got").exists()
    native.out("cp", f"{box}:/esc/data.txt", str(tmp_path / "via-link"))
    assert (tmp_path / "via-link").read_text() == "inside\n"
    drop = tmp_path / "dyn-copy-drop-marker"
    drop.write_text("x")
    refused = native.docker("cp", str(drop), f"{box}:/esc{tmp_path}/", check=False)
    assert refused.returncode != 0  # that folder exists on the host, not in the container
    native.out("cp", str(drop), f"{box}:/esc/")
    assert not Path("/", drop.name).exists()
    assert native.docker("cp", f"{box}:/{drop.name}", "-").returncode == 0


def test_export_contains_the_merged_rootfs(native: NativeDaemon, box: str) -> None:
    archive = native.docker("export", box).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        names = set(tar.getnames())
    assert {"bin/busybox", "data.txt"} <= names
