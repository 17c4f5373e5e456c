"""Manifest formats: Docker v2 schema 2, OCI, manifest lists / indexes and the host platform."""

from __future__ import annotations

import json
import platform
from dataclasses import dataclass
from typing import Any

from native_runtime import names
from native_runtime.registry.errors import RegistryError

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
DOCKER_FOREIGN = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd"
SCHEMA1 = (
    "application/vnd.docker.distribution.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
)

MANIFEST_ACCEPT = (OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST)
LAYER_TYPES = {
    DOCKER_LAYER: "gzip",
    OCI_LAYER_GZIP: "gzip",
    OCI_LAYER_TAR: "none",
    OCI_LAYER_ZSTD: "zstd",
    # Some registries and tools label uncompressed layers with the gzip type; the
    # decompressor sniffs the magic bytes, so the label only says "a layer".
    "application/vnd.docker.image.rootfs.diff.tar": "none",
}

_MACHINES = {
    "x86_64": ("amd64", ""),
    "amd64": ("amd64", ""),
    "aarch64": ("arm64", "v8"),
    "arm64": ("arm64", "v8"),
    "armv7l": ("arm", "v7"),
    "armv6l": ("arm", "v6"),
    "i386": ("386", ""),
    "i686": ("386", ""),
    "ppc64le": ("ppc64le", ""),
    "s390x": ("s390x", ""),
    "riscv64": ("riscv64", ""),
}


@dataclass(frozen=True)
class Platform:
    os: str
    architecture: str
    variant: str = ""

    def __str__(self) -> str:
        text = f"{self.os}/{self.architecture}"
        return f"{text}/{self.variant}" if self.variant else text


@dataclass(frozen=True)
class Descriptor:
    media_type: str
    digest: str
    size: int
    platform: Platform | None = None
    urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImageManifest:
    media_type: str
    config: Descriptor
    layers: list[Descriptor]


@dataclass(frozen=True)
class Index:
    media_type: str
    manifests: list[Descriptor]


def host_platform() -> Platform:
    machine = platform.machine().lower()
    arch, variant = _MACHINES.get(machine, (machine, ""))
    return Platform("linux", arch, variant)


def parse_platform(text: str) -> Platform:
    """`linux/arm64/v8` or `linux/amd64`, as the API's `platform` parameter gives it."""
    parts = text.strip().lower().split("/")
    if len(parts) not in (2, 3) or not all(parts):
        raise RegistryError(f"invalid platform {text!r}")
    return Platform(parts[0], parts[1], parts[2] if len(parts) == 3 else "")


def _descriptor(doc: Any) -> Descriptor:
    if not isinstance(doc, dict):
        raise RegistryError("malformed descriptor in manifest")
    digest, size = doc.get("digest"), doc.get("size")
    # The digest names files and URLs later on: only `sha256:` and 64 lowercase hex pass.
    if not isinstance(digest, str) or not names.valid_digest(digest):
        raise RegistryError(f"invalid digest {digest!r} in manifest")
    if not digest.startswith("sha256:"):
        raise RegistryError(f"unsupported digest algorithm {digest!r} in manifest")
    if not isinstance(size, int) or size < 0:
        raise RegistryError(f"invalid size for {digest}")
    plat = doc.get("platform")
    found = None
    if isinstance(plat, dict):
        found = Platform(
            str(plat.get("os", "")), str(plat.get("architecture", "")), str(plat.get("variant", ""))
        )
    return Descriptor(
        str(doc.get("mediaType", "")), digest, size, found, tuple(doc.get("urls") or ())
    )


def parse(body: bytes, content_type: str) -> ImageManifest | Index:
    """Decode a manifest; the `mediaType` field wins over the HTTP Content-Type."""
    try:
        doc = json.loads(body)
    except ValueError as exc:
        raise RegistryError(f"manifest is not JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise RegistryError("manifest is not a JSON object")
    media_type = str(doc.get("mediaType") or content_type)
    if doc.get("schemaVersion") == 1 or media_type in SCHEMA1:
        raise RegistryError(
            "manifest schema 1 is not supported; push the image with a newer client"
        )
    if "manifests" in doc or media_type in (DOCKER_LIST, OCI_INDEX):
        return Index(media_type or OCI_INDEX, [_descriptor(m) for m in doc.get("manifests") or []])
    if "config" not in doc:
        raise RegistryError(f"unsupported manifest type {media_type!r}")
    layers = [_descriptor(layer) for layer in doc.get("layers") or []]
    return ImageManifest(media_type or OCI_MANIFEST, _descriptor(doc["config"]), layers)


def choose(index: Index, wanted: Platform) -> Descriptor:
    """The index entry for `wanted`; a missing variant on either side still matches."""
    fits = [
        d
        for d in index.manifests
        if d.platform is not None
        and d.platform.os == wanted.os
        and d.platform.architecture == wanted.architecture
    ]
    exact = [d for d in fits if d.platform and d.platform.variant == wanted.variant]
    loose = [d for d in fits if d.platform and not (d.platform.variant and wanted.variant)]
    for group in (exact, loose, fits if not wanted.variant else []):
        if group:
            return group[0]
    offered = ", ".join(str(d.platform) for d in index.manifests if d.platform) or "none"
    raise RegistryError(
        f"no matching manifest for {wanted} in the manifest list (offered: {offered})"
    )
