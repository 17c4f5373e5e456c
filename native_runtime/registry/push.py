"""Push: gzip each layer (or reuse a known blob), upload the missing ones, then the manifest."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from native_runtime.images.layers import LayerStore
from native_runtime.images.store import ImageRecord
from native_runtime.registry import manifest as mf
from native_runtime.registry.cache import RegistryCache
from native_runtime.registry.client import RegistryClient, sha256_digest
from native_runtime.registry.progress import Emit, Meter, short_id, status
from native_runtime.registry.reference import Reference

CHUNK = 1 << 20
PARALLEL_UPLOADS = 3


@dataclass(frozen=True)
class PushResult:
    tag: str
    digest: str
    size: int


class _HashingWriter:
    """A file wrapper that hashes what gzip writes, so the blob is read only once."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.hasher = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.hasher.update(data)
        return self.out.write(data)

    def flush(self) -> None:
        self.out.flush()


def compress(tar_path: Path, dest: Path) -> tuple[str, int]:
    """gzip a layer tar (mtime 0, so the same layer always gives the same digest)."""
    with open(tar_path, "rb") as src, open(dest, "wb") as raw:
        hashing = _HashingWriter(raw)
        with gzip.GzipFile(fileobj=hashing, mode="wb", compresslevel=6, mtime=0) as out:
            shutil.copyfileobj(src, out, CHUNK)
    return "sha256:" + hashing.hasher.hexdigest(), os.path.getsize(dest)


class _LayerPush:
    """One layer: skip it if the registry has it, otherwise compress and upload it."""

    def __init__(self, client: RegistryClient, layers: LayerStore, cache: RegistryCache,
                 folder: Path, emit: Emit) -> None:  # fmt: skip
        self.client = client
        self.layers = layers
        self.cache = cache
        self.folder = folder
        self.emit = emit
        self.gate = asyncio.Semaphore(PARALLEL_UPLOADS)

    async def run(self, diff_id: str) -> mf.Descriptor:
        ident = short_id(diff_id)
        async with self.gate:
            known = self.cache.blob_for(diff_id)
            if known is not None and await self.client.blob_exists(known[0]):
                self.emit(status("Layer already exists", ident))
                return mf.Descriptor(mf.DOCKER_LAYER, known[0], known[1])
            self.emit(status("Pushing", ident))
            blob = self.folder / (ident + ".tar.gz")
            digest, size = await asyncio.to_thread(compress, self.layers.tar_path(diff_id), blob)
            self.cache.remember_blob(diff_id, digest, size)
            if await self.client.blob_exists(digest):
                self.emit(status("Layer already exists", ident))
            else:
                await self.client.upload(blob, digest, Meter(self.emit, "Pushing", ident, size))
                self.emit(status("Pushed", ident))
            blob.unlink(missing_ok=True)
            return mf.Descriptor(mf.DOCKER_LAYER, digest, size)


def image_manifest(config: bytes, config_digest: str, layers: list[mf.Descriptor]) -> bytes:
    doc = {
        "schemaVersion": 2,
        "mediaType": mf.DOCKER_MANIFEST,
        "config": {"mediaType": mf.DOCKER_CONFIG, "size": len(config), "digest": config_digest},
        "layers": [{"mediaType": d.media_type, "size": d.size, "digest": d.digest} for d in layers],
    }
    return json.dumps(doc, indent=3).encode()


async def push(
    client: RegistryClient,
    record: ImageRecord,
    layers: LayerStore,
    cache: RegistryCache,
    tmp: Path,
    emit: Emit,
) -> PushResult:
    """Push `record` as `client.ref` (a tagged reference)."""
    ref: Reference = client.ref
    diff_ids = record.diff_ids
    for diff_id in diff_ids:
        emit(status("Preparing", short_id(diff_id)))
    for diff_id in diff_ids:
        emit(status("Waiting", short_id(diff_id)))
    folder = Path(tempfile.mkdtemp(dir=tmp, prefix="push-"))
    try:
        job = _LayerPush(client, layers, cache, folder, emit)
        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(job.run(d)) for d in diff_ids]
        except BaseExceptionGroup as grouped:
            raise grouped.exceptions[0] from None
        descriptors = [task.result() for task in tasks]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    config_digest = sha256_digest(record.config_bytes)
    if not await client.blob_exists(config_digest):
        await client.upload_bytes(record.config_bytes, config_digest)
    body = image_manifest(record.config_bytes, config_digest, descriptors)
    tag = ref.tag or "latest"
    digest = await client.put_manifest(tag, body, mf.DOCKER_MANIFEST)
    cache.remember_repo_digest(f"{ref.familiar}@{digest}", record.id)
    emit(status(f"{tag}: digest: {digest} size: {len(body)}"))
    emit({"progressDetail": {}, "aux": {"Tag": tag, "Digest": digest, "Size": len(body)}})
    return PushResult(tag, digest, len(body))
