"""Pull: resolve a reference to one image manifest, fetch verified layers, record the image last."""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from native_runtime.errors import NotFound
from native_runtime.images.layers import LayerStore
from native_runtime.images.store import ImageStore
from native_runtime.registry import manifest as mf
from native_runtime.registry.cache import RegistryCache
from native_runtime.registry.client import RegistryClient
from native_runtime.registry.errors import RegistryError
from native_runtime.registry.progress import Emit, Meter, short_id, status
from native_runtime.registry.reference import Reference
from native_runtime.registry.unpack import store_layer

CONFIG_LIMIT = 8 << 20
PARALLEL_DOWNLOADS = 3
T = TypeVar("T")


@dataclass(frozen=True)
class Stores:
    """Where a pull puts things: the image and layer stores, our cache and a temp folder root."""

    layers: LayerStore
    images: ImageStore
    cache: RegistryCache
    tmp: Path
    # Shared by every pull of a daemon: one layer is unpacked at a time, so two
    # pulls of the same layer never race inside LayerStore.add.
    unpacking: asyncio.Lock


@dataclass(frozen=True)
class Plan:
    """A resolved pull: the digest the user asked for, the image manifest and its config."""

    ref: Reference
    digest: str
    manifest: mf.ImageManifest
    config: bytes
    diff_ids: list[str]


@dataclass(frozen=True)
class PullResult:
    image_id: str
    digest: str
    up_to_date: bool


async def resolve(client: RegistryClient, wanted: mf.Platform) -> Plan:
    """Manifest (through an index if need be) and config, all verified; nothing stored yet."""
    ref = client.ref
    body, media_type, digest = await client.manifest(ref.reference)
    parsed = mf.parse(body, media_type)
    if isinstance(parsed, mf.Index):
        chosen = mf.choose(parsed, wanted)
        body, media_type, _ = await client.manifest(chosen.digest)
        parsed = mf.parse(body, media_type)
        if not isinstance(parsed, mf.ImageManifest):
            raise RegistryError("a manifest list points at another manifest list")
    config = await client.blob_bytes(parsed.config.digest, CONFIG_LIMIT)
    try:
        doc = json.loads(config)
        diff_ids = list(doc["rootfs"]["diff_ids"])
    except (ValueError, KeyError, TypeError) as exc:
        raise RegistryError(f"image config has no rootfs.diff_ids: {exc}") from exc
    if len(diff_ids) != len(parsed.layers):
        raise RegistryError(
            f"manifest has {len(parsed.layers)} layers but the config names {len(diff_ids)}"
        )
    for layer in parsed.layers:
        if layer.media_type not in mf.LAYER_TYPES:
            raise RegistryError(f"unsupported layer type {layer.media_type!r}")
    return Plan(ref, digest, parsed, config, diff_ids)


async def _finish(work: Awaitable[T]) -> T:
    """Await a worker thread; if we are cancelled, let it finish so no half state stays behind."""
    fut = asyncio.ensure_future(work)
    try:
        return await asyncio.shield(fut)
    except asyncio.CancelledError:
        await asyncio.wait([fut])
        raise


class _LayerJob:
    """Download, verify and store one layer, reporting as Docker's CLI expects."""

    def __init__(self, plan: Plan, client: RegistryClient, stores: Stores, folder: Path,
                 emit: Emit) -> None:  # fmt: skip
        self.plan = plan
        self.client = client
        self.stores = stores
        self.folder = folder
        self.emit = emit
        self.downloads = asyncio.Semaphore(PARALLEL_DOWNLOADS)
        # A layer store whose temp folder is this pull's: everything it leaves is removed with it.
        self.layer_store = LayerStore(stores.layers.root, folder, stores.layers.db)

    async def run(self, layer: mf.Descriptor, diff_id: str) -> None:
        ident = short_id(layer.digest)
        blob = self.folder / (ident + ".blob")
        async with self.downloads:
            await self.client.download(
                layer.digest, layer.size, blob, Meter(self.emit, "Downloading", ident, layer.size)
            )
        self.emit(status("Verifying Checksum", ident))
        self.emit(status("Download complete", ident))
        meter = Meter(self.emit, "Extracting", ident, layer.size)
        async with self.stores.unpacking:
            if not self.stores.layers.exists(diff_id):  # another pull may have stored it
                await _finish(asyncio.to_thread(self._store, blob, diff_id, meter, layer))
        blob.unlink(missing_ok=True)
        self.emit(status("Pull complete", ident))

    def _store(self, blob: Path, diff_id: str, meter: Callable[[int], None],
               layer: mf.Descriptor) -> None:  # fmt: skip
        store_layer(self.layer_store, blob, diff_id, meter)
        self.stores.cache.remember_blob(diff_id, layer.digest, layer.size)


async def fetch(client: RegistryClient, plan: Plan, stores: Stores, emit: Emit) -> PullResult:
    """Store the missing layers, then record the image and its tag in one transaction."""
    ref = plan.ref
    emit(status(f"Pulling from {ref.path}", ref.tag or ref.digest))
    todo: list[tuple[mf.Descriptor, str]] = []
    queued: set[str] = set()
    for layer, diff_id in zip(plan.manifest.layers, plan.diff_ids, strict=True):
        if stores.layers.exists(diff_id) or diff_id in queued:
            emit(status("Already exists", short_id(layer.digest)))
        else:
            emit(status("Pulling fs layer", short_id(layer.digest)))
            todo.append((layer, diff_id))
            queued.add(diff_id)
    folder = Path(tempfile.mkdtemp(dir=stores.tmp, prefix="pull-"))
    try:
        job = _LayerJob(plan, client, stores, folder, emit)
        # One failed layer does not stop the others: whatever finishes is kept,
        # so the next pull of the same image resumes with less to fetch.
        outcomes = await asyncio.gather(
            *(job.run(layer, diff_id) for layer, diff_id in todo), return_exceptions=True
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return _record(plan, stores, emit)


def _record(plan: Plan, stores: Stores, emit: Emit) -> PullResult:
    ref = plan.ref
    previous = None
    if ref.digest is None:
        try:
            previous = stores.images.resolve(ref.tagged)
        except NotFound:
            previous = None
    tags = [ref.tagged] if ref.digest is None else []
    image_id = stores.images.put(plan.config, tags)
    stores.cache.remember_repo_digest(f"{ref.familiar}@{plan.digest}", image_id)
    emit(status(f"Digest: {plan.digest}"))
    up_to_date = previous == image_id
    shown = ref.tagged if ref.digest is None else f"{ref.familiar}@{ref.digest}"
    if up_to_date:
        emit(status(f"Status: Image is up to date for {shown}"))
    else:
        emit(status(f"Status: Downloaded newer image for {shown}"))
    return PullResult(image_id, plan.digest, up_to_date)
