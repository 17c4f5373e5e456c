"""Registry safety: wrong digests, oversized documents and escaping layers leave nothing behind."""

from __future__ import annotations

import json
import tarfile
import tempfile
from pathlib import Path

import pytest
from aiohttp import web

from native_runtime.images.tarsafe import UnsafeArchive
from native_runtime.registry.errors import DigestMismatch, TooLarge
from tests.native_registry.conftest import StoreFactory
from tests.native_registry.craft import Entry, Image, digest_of, layer_tar, push_image
from tests.native_registry.proxy import Proxy, running
from tests.native_registry.rig import Registry, Store


def assert_nothing_left(store: Store, image: Image) -> None:
    assert store.images.all() == []
    assert not any(store.layers.exists(digest_of(t)) for t in image.tars)
    assert store.leftovers() == []
    assert list(store.layers.root.iterdir()) == []


async def test_tampered_blob_in_registry_storage_is_refused(
    plain_registry: Registry, store_factory: StoreFactory
) -> None:
    image = Image([layer_tar([Entry("real.txt", b"the real content")])])
    await push_image(plain_registry.host, "tamper/img", "t1", image)
    blob = plain_registry.blob_path(digest_of(image.blobs[0]))
    original = blob.read_bytes()
    # Same length, one byte changed: only the digest check can notice.
    forged = original[:-9] + bytes([original[-9] ^ 0xFF]) + original[-8:]
    blob.write_bytes(forged)
    store = store_factory()
    try:
        with pytest.raises(DigestMismatch):
            await store.service.pull(f"{plain_registry.host}/tamper/img:t1", lambda _m: None)
    finally:
        blob.write_bytes(original)
    assert_nothing_left(store, image)


async def test_layer_not_matching_config_diff_id_is_refused(
    plain_registry: Registry, store_factory: StoreFactory
) -> None:
    honest = layer_tar([Entry("a.txt", b"a")])
    image = Image([honest])
    lying = Image([layer_tar([Entry("b.txt", b"b")])])
    # The manifest points at `honest` but the config claims another diff-id.
    image.config_extra = {"rootfs": {"type": "layers", "diff_ids": [digest_of(lying.tars[0])]}}
    await push_image(plain_registry.host, "diffid/img", "t1", image)
    store = store_factory()
    with pytest.raises(DigestMismatch):
        await store.service.pull(f"{plain_registry.host}/diffid/img:t1", lambda _m: None)
    assert_nothing_left(store, image)


async def test_config_over_8_mib_is_refused(
    plain_registry: Registry, store_factory: StoreFactory
) -> None:
    image = Image([layer_tar([Entry("x", b"x")])], config_extra={"padding": "p" * (9 << 20)})
    await push_image(plain_registry.host, "bigconfig/img", "t1", image)
    store = store_factory()
    with pytest.raises(TooLarge):
        await store.service.pull(f"{plain_registry.host}/bigconfig/img:t1", lambda _m: None)
    assert_nothing_left(store, image)


async def test_manifest_over_4_mib_is_refused(
    plain_registry: Registry, store_factory: StoreFactory
) -> None:
    image = Image([layer_tar([Entry("x", b"x")])])
    await push_image(plain_registry.host, "bigmanifest/img", "t1", image)

    async def huge(request: web.Request) -> web.StreamResponse | None:
        if "/manifests/" in request.path:
            doc = json.loads(image.manifest)
            doc["annotations"] = {"pad": "p" * (5 << 20)}
            return web.Response(body=json.dumps(doc).encode(), content_type=image.media_type)
        return None

    store = store_factory()
    async with running(Proxy(plain_registry.host, huge)) as proxy:
        with pytest.raises(TooLarge):
            await store.service.pull(f"{proxy.host}/bigmanifest/img:t1", lambda _m: None)
    assert_nothing_left(store, image)


async def test_manifest_not_matching_its_digest_is_refused(
    plain_registry: Registry, store_factory: StoreFactory
) -> None:
    image = Image([layer_tar([Entry("x", b"x")])])
    digest = await push_image(plain_registry.host, "swapped/img", "t1", image)
    other = Image([layer_tar([Entry("y", b"y")])])
    await push_image(plain_registry.host, "swapped/img", "t2", other)

    async def swap(request: web.Request) -> web.StreamResponse | None:
        if request.path.endswith(f"/manifests/{digest}"):
            return web.Response(body=other.manifest, content_type=other.media_type)
        return None

    store = store_factory()
    async with running(Proxy(plain_registry.host, swap)) as proxy:
        with pytest.raises(DigestMismatch):
            await store.service.pull(f"{proxy.host}/swapped/img@{digest}", lambda _m: None)
    assert_nothing_left(store, image)


@pytest.mark.parametrize(
    "entries",
    [
        [Entry("../escaped.txt", b"x")],
        [Entry("/abs-escaped.txt", b"x")],
        [Entry("link", kind=tarfile.SYMTYPE, link="/tmp"), Entry("link/escaped.txt", b"x")],
        [Entry("hard", kind=tarfile.LNKTYPE, link="../../../../etc/passwd")],
    ],
    ids=["dotdot", "absolute", "through-symlink", "hardlink-outside"],
)
async def test_escaping_layer_is_refused(
    plain_registry: Registry, store_factory: StoreFactory, entries: list[Entry]
) -> None:
    image = Image([layer_tar(entries)])
    name = f"escape/img{abs(hash(tuple(e.name for e in entries))) % 10_000}"
    await push_image(plain_registry.host, name, "t1", image)
    store = store_factory()
    before = set(Path(tempfile.gettempdir()).glob("*escaped.txt"))
    with pytest.raises(UnsafeArchive):
        await store.service.pull(f"{plain_registry.host}/{name}:t1", lambda _m: None)
    assert set(Path(tempfile.gettempdir()).glob("*escaped.txt")) == before
    assert not Path("/abs-escaped.txt").exists()
    assert_nothing_left(store, image)


async def test_device_nodes_in_a_layer_are_skipped(
    plain_registry: Registry, store_factory: StoreFactory
) -> None:
    image = Image([layer_tar([Entry("dev-sda", kind=tarfile.BLKTYPE), Entry("ok.txt", b"ok")])])
    await push_image(plain_registry.host, "devnode/img", "t1", image)
    store = store_factory()
    result = await store.service.pull(f"{plain_registry.host}/devnode/img:t1", lambda _m: None)
    (diff_id,) = store.images.get(result.image_id).diff_ids
    assert sorted(p.name for p in store.layers.rootfs(diff_id).iterdir()) == ["ok.txt"]
