"""Manifest lists and OCI indexes resolve to the host platform; skopeo's OCI images pull."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from native_runtime.registry import manifest as mf
from native_runtime.registry.client import RegistryClient
from native_runtime.registry.errors import RegistryError
from native_runtime.registry.manifest import Platform, host_platform
from native_runtime.registry.progress import Message
from native_runtime.registry.reference import parse
from tests.conftest import require
from tests.native_registry.conftest import StoreFactory
from tests.native_registry.craft import Entry, Image, layer_tar, push_index
from tests.native_registry.rig import TEST_IMAGE, Registry


def arch_image(arch: str, oci: bool) -> Image:
    return Image([layer_tar([Entry("arch.txt", arch.encode())])], arch=arch, oci=oci)


@pytest.mark.parametrize("oci", [True, False], ids=["oci-index", "docker-manifest-list"])
async def test_index_resolves_to_the_host_platform(
    plain_registry: Registry, store_factory: StoreFactory, oci: bool
) -> None:
    assert host_platform() == Platform("linux", "amd64")  # the CI machine
    name = f"multi/{'oci' if oci else 'docker'}"
    images = [arch_image("arm64", oci), arch_image("amd64", oci), arch_image("s390x", oci)]
    index_digest = await push_index(plain_registry.host, name, "t1", images, oci)
    store = store_factory()
    messages: list[Message] = []
    result = await store.service.pull(f"{plain_registry.host}/{name}:t1", messages.append)
    assert result.digest == index_digest  # Docker reports the index digest
    record = store.images.get(result.image_id)
    assert record.config["architecture"] == "amd64"
    (diff_id,) = record.diff_ids
    assert (store.layers.rootfs(diff_id) / "arch.txt").read_bytes() == b"amd64"

    other = await store.service.pull(
        f"{plain_registry.host}/{name}:t1", lambda _m: None, wanted=Platform("linux", "arm64")
    )
    assert store.images.get(other.image_id).config["architecture"] == "arm64"


async def test_index_without_the_platform_is_refused(
    plain_registry: Registry, store_factory: StoreFactory
) -> None:
    await push_index(plain_registry.host, "multi/armonly", "t1", [arch_image("arm64", True)], True)
    store = store_factory()
    with pytest.raises(RegistryError, match="no matching manifest for linux/amd64"):
        await store.service.pull(f"{plain_registry.host}/multi/armonly:t1", lambda _m: None)
    assert store.images.all() == []


async def test_oci_layout_copied_in_by_skopeo_pulls(
    plain_registry: Registry, store_factory: StoreFactory, busybox_archive: bytes
) -> None:
    require(shutil.which("skopeo") is not None, "skopeo is not installed")
    work = Path(tempfile.mkdtemp(prefix="dyreg-oci-"))
    try:
        (work / "saved.tar").write_bytes(busybox_archive)
        for src, dest, extra in (
            (f"docker-archive:{work / 'saved.tar'}:{TEST_IMAGE}", f"oci:{work / 'layout'}:v1", []),
            (f"oci:{work / 'layout'}:v1", f"docker://{plain_registry.host}/skopeo/bb:v1",
             ["--dest-tls-verify=false"]),
        ):  # fmt: skip
            done = subprocess.run(
                ["skopeo", "copy", "--quiet", *extra, src, dest],
                capture_output=True, check=False, timeout=120,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr.decode()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    async with RegistryClient(parse(f"{plain_registry.host}/skopeo/bb:v1"), None) as client:
        body, media_type, _digest = await client.manifest("v1")
    assert isinstance(mf.parse(body, media_type), mf.ImageManifest)
    assert mf.parse(body, media_type).media_type == mf.OCI_MANIFEST
    store = store_factory()
    result = await store.service.pull(f"{plain_registry.host}/skopeo/bb:v1", lambda _m: None)
    (diff_id,) = store.images.get(result.image_id).diff_ids
    assert (store.layers.rootfs(diff_id) / "bin" / "busybox").stat().st_size > 100_000
