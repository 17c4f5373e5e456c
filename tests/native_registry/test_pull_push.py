"""Push to and pull from a real docker-registry: round trip, digests, resume, whiteouts."""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import tarfile
import tempfile
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from native_runtime.registry.errors import RegistryError
from native_runtime.registry.progress import Message
from native_runtime.registry.reference import parse
from tests.native_registry.conftest import StoreFactory
from tests.native_registry.craft import Entry, Image, digest_of, layer_tar, push_image
from tests.native_registry.proxy import Proxy, cut_after, running
from tests.native_registry.rig import Registry, load_busybox


def statuses(messages: list[Message]) -> list[str]:
    return [m["status"] for m in messages if "status" in m and "progressDetail" not in m]


async def test_push_then_pull_round_trip(
    plain_registry: Registry, store_factory: StoreFactory, busybox_archive: bytes
) -> None:
    source, target = store_factory(), store_factory()
    image_id = load_busybox(source, busybox_archive)
    ref = parse(f"{plain_registry.host}/rt/busybox:v1")
    pushed: list[Message] = []
    result = await source.service.push(source.images.get(image_id), ref, pushed.append)
    assert "Pushed" in statuses(pushed)
    assert pushed[-1]["aux"]["Digest"] == result.digest

    pulled: list[Message] = []
    got = await target.service.pull(str(ref), pulled.append)
    assert got.image_id == image_id  # same config bytes, same id
    assert got.digest == result.digest
    assert target.images.resolve(f"{plain_registry.host}/rt/busybox:v1") == image_id
    assert statuses(pulled)[0] == "Pulling from rt/busybox"
    assert f"Digest: {result.digest}" in statuses(pulled)
    assert statuses(pulled)[-1] == f"Status: Downloaded newer image for {ref.tagged}"
    assert any(
        m.get("status") == "Downloading" and m["progressDetail"]["total"] > 0 for m in pulled
    )
    (diff_id,) = target.images.get(image_id).diff_ids
    busybox = target.layers.rootfs(diff_id) / "bin" / "busybox"
    assert busybox.stat().st_size > 100_000
    assert os.readlink(target.layers.rootfs(diff_id) / "bin" / "sh") == "busybox"
    assert target.leftovers() == []

    again: list[Message] = []
    await target.service.pull(str(ref), again.append)
    assert "Already exists" in statuses(again)
    assert statuses(again)[-1] == f"Status: Image is up to date for {ref.tagged}"


async def test_second_push_skips_known_layers(
    plain_registry: Registry, store_factory: StoreFactory, busybox_archive: bytes
) -> None:
    store = store_factory()
    record = store.images.get(load_busybox(store, busybox_archive))
    ref = parse(f"{plain_registry.host}/twice/busybox:v1")
    await store.service.push(record, ref, lambda _m: None)
    second: list[Message] = []
    await store.service.push(record, ref, second.append)
    assert "Layer already exists" in statuses(second)
    assert "Pushed" not in statuses(second)


async def test_pull_by_digest(plain_registry: Registry, store_factory: StoreFactory) -> None:
    image = Image([layer_tar([Entry("hello.txt", b"by digest\n")])])
    digest = await push_image(plain_registry.host, "bydigest/img", "t1", image)
    store = store_factory()
    messages: list[Message] = []
    result = await store.service.pull(
        f"{plain_registry.host}/bydigest/img@{digest}", messages.append
    )
    assert result.digest == digest
    record = store.images.get(result.image_id)
    assert record.tags == []  # Docker records no tag for a pull by digest
    assert (
        store.service.cache.image_for(f"{plain_registry.host}/bydigest/img@{digest}") == record.id
    )
    (diff_id,) = record.diff_ids
    assert (store.layers.rootfs(diff_id) / "hello.txt").read_bytes() == b"by digest\n"


async def test_uncompressed_oci_layers(
    plain_registry: Registry, store_factory: StoreFactory
) -> None:
    image = Image([layer_tar([Entry("plain.txt", b"no gzip\n")])], compress=False, oci=True)
    await push_image(plain_registry.host, "plain/oci", "t1", image)
    store = store_factory()
    result = await store.service.pull(f"{plain_registry.host}/plain/oci:t1", lambda _m: None)
    (diff_id,) = store.images.get(result.image_id).diff_ids
    assert (store.layers.rootfs(diff_id) / "plain.txt").read_bytes() == b"no gzip\n"


async def test_whiteouts_and_opaque_dirs_hide_lower_files(
    plain_registry: Registry, store_factory: StoreFactory
) -> None:
    lower = layer_tar(
        [
            Entry("dir", kind=tarfile.DIRTYPE),
            Entry("dir/gone.txt", b"old"),
            Entry("dir/kept.txt", b"kept"),
            Entry("opaque", kind=tarfile.DIRTYPE),
            Entry("opaque/hidden.txt", b"hidden"),
        ]
    )
    upper = layer_tar(
        [
            Entry("dir", kind=tarfile.DIRTYPE),
            Entry("dir/.wh.gone.txt"),
            Entry("opaque", kind=tarfile.DIRTYPE),
            Entry("opaque/.wh..wh..opq"),
            Entry("opaque/new.txt", b"new"),
        ]
    )
    await push_image(plain_registry.host, "wh/img", "t1", Image([lower, upper]))
    store = store_factory()
    result = await store.service.pull(f"{plain_registry.host}/wh/img:t1", lambda _m: None)
    low, up = (store.layers.rootfs(d) for d in store.images.get(result.image_id).diff_ids)
    marker = os.lstat(up / "dir" / "gone.txt")
    assert stat.S_ISCHR(marker.st_mode) and marker.st_rdev == 0  # overlayfs whiteout
    assert os.getxattr(up / "opaque", "trusted.overlay.opaque") == b"y"
    merged = Path(tempfile.mkdtemp(prefix="dyreg-merged-"))
    mounted = subprocess.run(
        ["mount", "-t", "overlay", "overlay", "-o", f"lowerdir={up}:{low}", str(merged)],
        capture_output=True, check=False,
    )  # fmt: skip
    try:
        if mounted.returncode != 0:
            pytest.skip(f"overlayfs unavailable here: {mounted.stderr.decode().strip()}")
        assert sorted(os.listdir(merged / "dir")) == ["kept.txt"]
        assert sorted(os.listdir(merged / "opaque")) == ["new.txt"]
    finally:
        if mounted.returncode == 0:
            subprocess.run(["umount", str(merged)], check=True)
        merged.rmdir()


async def test_interrupted_pull_keeps_no_image_and_resumes(
    plain_registry: Registry, store_factory: StoreFactory
) -> None:
    tars = [layer_tar([Entry(f"layer{i}.bin", os.urandom(200_000))]) for i in range(3)]
    image = Image(tars)
    await push_image(plain_registry.host, "resume/img", "t1", image)
    victim = image.blobs[2]
    victim_path = f"/v2/resume/img/blobs/{digest_of(victim)}"

    async def cut(request: web.Request) -> web.StreamResponse | None:
        if request.path == victim_path and request.method == "GET":
            return await cut_after(request, victim, len(victim) // 2)
        return None

    store = store_factory()
    async with running(Proxy(plain_registry.host, cut)) as proxy:
        with pytest.raises((RegistryError, aiohttp.ClientError)):
            await store.service.pull(f"{proxy.host}/resume/img:t1", lambda _m: None)
    diff_ids = [digest_of(t) for t in tars]
    assert store.images.all() == []
    assert [store.layers.exists(d) for d in diff_ids] == [True, True, False]
    assert store.leftovers() == []

    messages: list[Message] = []
    await store.service.pull(f"{plain_registry.host}/resume/img:t1", messages.append)
    by_layer = {m["id"]: m["status"] for m in messages if "id" in m and "progressDetail" not in m}
    short = [digest_of(b).removeprefix("sha256:")[:12] for b in image.blobs]
    assert [by_layer[s] for s in short] == ["Already exists", "Already exists", "Pull complete"]
    assert len(store.images.all()) == 1


async def test_concurrent_pulls_of_one_image_store_each_layer_once(
    plain_registry: Registry, store_factory: StoreFactory
) -> None:
    tars = [layer_tar([Entry(f"c{i}.bin", os.urandom(50_000))]) for i in range(2)]
    await push_image(plain_registry.host, "concurrent/img", "t1", Image(tars))
    store = store_factory()
    ref = f"{plain_registry.host}/concurrent/img:t1"
    first, second = await asyncio.gather(
        store.service.pull(ref, lambda _m: None), store.service.pull(ref, lambda _m: None)
    )
    assert first.image_id == second.image_id
    assert sorted(p.name for p in store.layers.root.iterdir()) == sorted(
        digest_of(t).removeprefix("sha256:") for t in tars
    )
    assert store.leftovers() == []


async def test_a_layer_listed_twice_is_fetched_once(
    plain_registry: Registry, store_factory: StoreFactory
) -> None:
    same = layer_tar([Entry("twice.txt", b"same layer")])
    await push_image(plain_registry.host, "twice/img", "t1", Image([same, same]))
    store = store_factory()
    messages: list[Message] = []
    result = await store.service.pull(f"{plain_registry.host}/twice/img:t1", messages.append)
    assert statuses(messages).count("Pull complete") == 1
    assert store.images.get(result.image_id).diff_ids == [digest_of(same)] * 2
