"""Volumes through the docker CLI: bind, named, anonymous, --volumes-from, ls/inspect/rm/prune."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.native.conftest import TEST_IMAGE, NativeDaemon

pytestmark = pytest.mark.native


def test_bind_mount_read_write_and_read_only(native: NativeDaemon, tmp_path: Path) -> None:
    (tmp_path / "in").write_text("from-host")
    out = native.out("run", "--rm", "-v", f"{tmp_path}:/mnt/h", TEST_IMAGE,
                     "sh", "-c", "cat /mnt/h/in; echo back > /mnt/h/out")  # fmt: skip
    assert out == "from-host"
    assert (tmp_path / "out").read_text() == "back\n"
    denied = native.docker("run", "--rm", "-v", f"{tmp_path}:/mnt/h:ro", TEST_IMAGE,
                           "sh", "-c", "echo x > /mnt/h/nope", check=False)  # fmt: skip
    assert denied.returncode != 0 and b"Read-only file system" in denied.stderr
    assert not (tmp_path / "nope").exists()


def test_named_volume_outlives_its_container(native: NativeDaemon) -> None:
    native.out("volume", "create", "native-data")
    try:
        native.out("run", "--rm", "-v", "native-data:/data", TEST_IMAGE,
                   "sh", "-c", "echo kept > /data/file")  # fmt: skip
        out = native.out("run", "--rm", "-v", "native-data:/data", TEST_IMAGE, "cat", "/data/file")
        assert out == "kept"
        doc = json.loads(native.out("volume", "inspect", "native-data"))[0]
        assert doc["Driver"] == "local" and Path(doc["Mountpoint"], "file").exists()
        assert "native-data" in native.out("volume", "ls", "--format", "{{.Name}}").split()
    finally:
        native.out("volume", "rm", "native-data")
    assert native.docker("volume", "inspect", "native-data", check=False).returncode != 0


def test_new_named_volume_is_filled_from_the_image(native: NativeDaemon) -> None:
    try:
        out = native.out("run", "--rm", "-v", "native-etc:/etc", TEST_IMAGE, "cat", "/etc/passwd")
        assert out.startswith("root:")
    finally:
        native.docker("volume", "rm", "native-etc", check=False)


def test_volumes_from_and_anonymous_volume_removal(native: NativeDaemon) -> None:
    native.out("run", "--name", "native-vsrc", "-v", "/shared", TEST_IMAGE,
               "sh", "-c", "echo shared-data > /shared/x")  # fmt: skip
    try:
        mounts = json.loads(native.out("inspect", "native-vsrc"))[0]["Mounts"]
        assert [m["Destination"] for m in mounts] == ["/shared"]
        anon = mounts[0]["Name"]
        out = native.out("run", "--rm", "--volumes-from", "native-vsrc", TEST_IMAGE,
                         "cat", "/shared/x")  # fmt: skip
        assert out == "shared-data"
        in_use = native.docker("volume", "rm", anon, check=False)
        assert in_use.returncode != 0 and b"in use" in in_use.stderr
    finally:
        native.out("rm", "-v", "native-vsrc")
    assert native.docker("volume", "inspect", anon, check=False).returncode != 0


def test_volume_prune_removes_unused(native: NativeDaemon) -> None:
    native.out("volume", "create", "native-unused")
    native.out("volume", "prune", "-f")
    assert native.docker("volume", "inspect", "native-unused", check=False).returncode != 0
