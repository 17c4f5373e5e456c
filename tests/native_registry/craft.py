"""Hand-made images pushed straight to a registry: crafted layers, indexes, odd media types."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from dataclasses import dataclass, field

from native_runtime.registry import manifest as mf
from native_runtime.registry.client import RegistryClient
from native_runtime.registry.reference import parse


@dataclass
class Entry:
    """One tar member: a file (data), a directory, a symlink, a hard link or a char device."""

    name: str
    data: bytes = b""
    kind: bytes = tarfile.REGTYPE
    link: str = ""
    mode: int = 0o644


def layer_tar(entries: list[Entry]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for e in entries:
            info = tarfile.TarInfo(e.name)
            info.type = e.kind
            info.mode = 0o755 if e.kind == tarfile.DIRTYPE else e.mode
            info.linkname = e.link
            info.size = len(e.data) if e.kind == tarfile.REGTYPE else 0
            tar.addfile(info, io.BytesIO(e.data) if e.kind == tarfile.REGTYPE else None)
    return buf.getvalue()


def digest_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass
class Image:
    """Layers (uncompressed tars) and the config/manifest built from them."""

    tars: list[bytes]
    arch: str = "amd64"
    compress: bool = True
    oci: bool = False
    config_extra: dict[str, object] = field(default_factory=dict)

    @property
    def blobs(self) -> list[bytes]:
        return [gzip.compress(t, mtime=0) if self.compress else t for t in self.tars]

    @property
    def config(self) -> bytes:
        doc = {
            "architecture": self.arch,
            "os": "linux",
            "config": {"Cmd": ["/bin/sh"], "Env": ["PATH=/bin"]},
            "rootfs": {"type": "layers", "diff_ids": [digest_of(t) for t in self.tars]},
            **self.config_extra,
        }
        return json.dumps(doc).encode()

    @property
    def layer_type(self) -> str:
        if self.oci:
            return mf.OCI_LAYER_GZIP if self.compress else mf.OCI_LAYER_TAR
        return mf.DOCKER_LAYER

    @property
    def manifest(self) -> bytes:
        config = self.config
        doc = {
            "schemaVersion": 2,
            "mediaType": mf.OCI_MANIFEST if self.oci else mf.DOCKER_MANIFEST,
            "config": {
                "mediaType": mf.OCI_CONFIG if self.oci else mf.DOCKER_CONFIG,
                "size": len(config),
                "digest": digest_of(config),
            },
            "layers": [
                {"mediaType": self.layer_type, "size": len(b), "digest": digest_of(b)}
                for b in self.blobs
            ],
        }
        return json.dumps(doc).encode()

    @property
    def media_type(self) -> str:
        return mf.OCI_MANIFEST if self.oci else mf.DOCKER_MANIFEST


async def push_image(host: str, name: str, tag: str, image: Image) -> str:
    """Upload blobs, config and manifest as they are; return the manifest digest."""
    async with RegistryClient(parse(f"{host}/{name}:{tag}"), None, "pull,push") as client:
        for blob in [*image.blobs, image.config]:
            if not await client.blob_exists(digest_of(blob)):
                await client.upload_bytes(blob, digest_of(blob))
        return await client.put_manifest(tag, image.manifest, image.media_type)


async def push_index(host: str, name: str, tag: str, images: list[Image], oci: bool) -> str:
    """Push each image by digest, then an index (OCI) or manifest list (Docker) naming them."""
    entries = []
    for image in images:
        await push_image(host, name, f"arch-{image.arch}", image)
        body = image.manifest
        entries.append(
            {
                "mediaType": image.media_type,
                "size": len(body),
                "digest": digest_of(body),
                "platform": {"os": "linux", "architecture": image.arch},
            }
        )
    media_type = mf.OCI_INDEX if oci else mf.DOCKER_LIST
    index = json.dumps({"schemaVersion": 2, "mediaType": media_type, "manifests": entries}).encode()
    async with RegistryClient(parse(f"{host}/{name}:{tag}"), None, "pull,push") as client:
        return await client.put_manifest(tag, index, media_type)
