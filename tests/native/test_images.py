"""Local images through the real docker CLI: import, list, tag, history, rmi, save/load."""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.native.conftest import TEST_IMAGE, NativeDaemon, make_rootfs_tar

pytestmark = pytest.mark.native

DOCKERD = "unix:///var/run/docker.sock"


def _dockerd(*args: str, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["docker", "-H", DOCKERD, *args], input=input, capture_output=True, check=True, timeout=60
    )


def test_version_reports_api_141(native: NativeDaemon) -> None:
    assert native.out("version", "--format", "{{.Server.APIVersion}}") == "1.41"


def test_loaded_test_image_keeps_dockerd_id(native: NativeDaemon) -> None:
    ours = native.out("image", "inspect", "--format", "{{.Id}}", TEST_IMAGE)
    theirs = _dockerd("image", "inspect", "--format", "{{.Id}}", TEST_IMAGE).stdout.decode().strip()
    assert ours == theirs
    assert "dockyard-test/busybox" in native.out("images")


def test_import_with_changes_then_tag_history_and_rmi(native: NativeDaemon, tmp_path: Path) -> None:
    tar = make_rootfs_tar(tmp_path / "rootfs.tar")
    image_id = native.out(
        "import", "--change", 'CMD ["/bin/sh", "-c", "echo imported"]', "--change", "ENV FOO=bar",
        str(tar), "native-test/imported:v1",
    )  # fmt: skip
    assert image_id.startswith("sha256:")
    config = json.loads(native.out("image", "inspect", "native-test/imported:v1"))[0]["Config"]
    assert config["Cmd"] == ["/bin/sh", "-c", "echo imported"]
    assert "FOO=bar" in config["Env"]
    native.out("tag", "native-test/imported:v1", "native-test/other:v2")
    listed = native.out("images", "--format", "{{.Repository}}:{{.Tag}}")
    assert "native-test/imported:v1" in listed and "native-test/other:v2" in listed
    history = native.out("history", "--format", "{{.Comment}}", "native-test/other:v2")
    assert "Imported from -" in history
    # Removing one of two tags only untags.
    assert "Untagged" in native.out("rmi", "native-test/other:v2")
    assert (
        native.out("image", "inspect", "--format", "{{.Id}}", "native-test/imported:v1") == image_id
    )
    out = native.out("rmi", "native-test/imported:v1")
    assert f"Deleted: {image_id}" in out
    assert native.docker("image", "inspect", image_id, check=False).returncode != 0


def test_crafted_import_escape_is_refused(native: NativeDaemon, tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("original")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        link = tarfile.TarInfo("escape")
        link.type = tarfile.SYMTYPE
        link.linkname = str(tmp_path)
        tar.addfile(link)
        data = b"pwned"
        info = tarfile.TarInfo("escape/victim")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    result = native.docker("import", "-", "native-test/evil", input=buf.getvalue(), check=False)
    assert result.returncode != 0
    assert b"symlink" in result.stderr
    assert victim.read_text() == "original"
    assert native.docker("image", "inspect", "native-test/evil", check=False).returncode != 0


def test_unknown_image_gives_docker_style_404(native: NativeDaemon) -> None:
    result = native.docker("image", "inspect", "native-test/nope:latest", check=False)
    assert result.returncode != 0
    assert b"No such image" in result.stderr


def test_save_from_native_loads_into_dockerd(native: NativeDaemon) -> None:
    native.out("tag", TEST_IMAGE, "native-test/roundtrip:latest")
    archive = native.docker("save", "native-test/roundtrip:latest").stdout
    try:
        out = _dockerd("load", input=archive).stdout.decode()
        assert "native-test/roundtrip:latest" in out
        theirs = _dockerd("image", "inspect", "--format", "{{.Id}}", "native-test/roundtrip")
        ours = native.out("image", "inspect", "--format", "{{.Id}}", TEST_IMAGE)
        assert theirs.stdout.decode().strip() == ours
    finally:
        subprocess.run(["docker", "-H", DOCKERD, "rmi", "native-test/roundtrip:latest"],
                       capture_output=True, check=False)  # fmt: skip
        native.docker("rmi", "native-test/roundtrip:latest", check=False)


def test_save_load_roundtrip_inside_native(native: NativeDaemon) -> None:
    native.out("tag", TEST_IMAGE, "native-test/again:1")
    archive = native.docker("save", "native-test/again:1").stdout
    native.out("rmi", "native-test/again:1")
    assert "Loaded image: native-test/again:1" in native.out("load", input_bytes(archive))
    native.out("rmi", "native-test/again:1")


def input_bytes(data: bytes) -> str:
    """`docker load -i FILE` is what users type; feed stdin through a temp file path."""
    import tempfile

    with tempfile.NamedTemporaryFile(delete=False, suffix=".tar") as f:
        f.write(data)
    return f"--input={f.name}"


def test_prune_removes_dangling_images(native: NativeDaemon, tmp_path: Path) -> None:
    tar = make_rootfs_tar(tmp_path / "rootfs.tar")
    image_id = native.out("import", str(tar))
    assert image_id in native.out("images", "-q", "--no-trunc", "--filter", "dangling=true")
    native.out("image", "prune", "-f")
    assert native.docker("image", "inspect", image_id, check=False).returncode != 0
    assert native.out("image", "inspect", "--format", "{{.Id}}", TEST_IMAGE)


def test_save_several_images_and_filter_by_reference(native: NativeDaemon, tmp_path: Path) -> None:
    tar = make_rootfs_tar(tmp_path / "rootfs.tar")
    native.out("import", str(tar), "native-test/multi-a:1")
    native.out("tag", TEST_IMAGE, "native-test/multi-b:1")
    try:
        listed = native.out("images", "--filter", "reference=native-test/multi-*",
                            "--format", "{{.Repository}}")  # fmt: skip
        assert sorted(listed.split()) == ["native-test/multi-a", "native-test/multi-b"]
        archive = native.docker("save", "native-test/multi-a:1", "native-test/multi-b:1").stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar_in:
            manifest = json.load(tar_in.extractfile("manifest.json"))  # type: ignore[arg-type]
        assert sorted(t for m in manifest for t in m["RepoTags"]) == [
            "native-test/multi-a:1",
            "native-test/multi-b:1",
        ]
    finally:
        native.docker("rmi", "native-test/multi-a:1", "native-test/multi-b:1", check=False)


def _tar_bytes(members: list[tuple[tarfile.TarInfo, bytes | None]]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for info, data in members:
            if data is not None:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def test_crafted_docker_archive_layer_is_refused(native: NativeDaemon, tmp_path: Path) -> None:
    import hashlib

    target = tmp_path / "escaped"
    layer = _tar_bytes([(tarfile.TarInfo(f"../../../../../../..{target}"), b"pwned")])
    diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
    config = json.dumps(
        {"architecture": "amd64", "os": "linux", "config": {},
         "rootfs": {"type": "layers", "diff_ids": [diff_id]}}
    ).encode()  # fmt: skip
    manifest = json.dumps(
        [{"Config": "c.json", "RepoTags": ["native-test/evil-load:1"], "Layers": ["l/layer.tar"]}]
    ).encode()
    archive = _tar_bytes(
        [
            (tarfile.TarInfo("l/layer.tar"), layer),
            (tarfile.TarInfo("c.json"), config),
            (tarfile.TarInfo("manifest.json"), manifest),
        ]
    )
    result = native.docker("load", input=archive, check=False)
    assert result.returncode != 0 and b"escapes" in result.stderr
    assert not target.exists()
    assert native.docker("image", "inspect", "native-test/evil-load:1", check=False).returncode
