"""A downloaded, verified blob turned into a stored layer, its diff-id checked on the way."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import IO

from native_runtime.images.layers import LayerStore
from native_runtime.registry.errors import DigestMismatch, RegistryError

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


class _Counting:
    """Reports how many compressed bytes have been consumed (the "Extracting" bar)."""

    def __init__(self, src: IO[bytes], progress: Callable[[int], None]) -> None:
        self.src = src
        self.progress = progress
        self.done = 0

    def read(self, size: int = -1) -> bytes:
        data = self.src.read(size)
        self.done += len(data)
        self.progress(self.done)
        return data


class _DiffIdCheck:
    """Hashes the uncompressed tar; at its end a wrong diff-id raises before anything is stored.

    LayerStore.add spools the whole stream before it extracts, so raising at EOF
    keeps a layer whose content disagrees with the image config out of the store.
    """

    def __init__(self, src: IO[bytes], expected: str) -> None:
        self.src = src
        self.expected = expected
        self.hasher = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.src.read(size)
        if data:
            self.hasher.update(data)
        elif size != 0:
            actual = "sha256:" + self.hasher.hexdigest()
            if actual != self.expected:
                raise DigestMismatch(
                    f"layer diff-id {actual} does not match the config's {self.expected}"
                )
        return data


def _decompressed(src: IO[bytes], head: bytes) -> IO[bytes]:
    if head.startswith(GZIP_MAGIC):
        return gzip.GzipFile(fileobj=src, mode="rb")  # type: ignore[return-value]
    if head.startswith(ZSTD_MAGIC):
        try:
            import zstandard
        except ImportError as exc:
            raise RegistryError("zstd-compressed layers need the zstandard package") from exc
        return zstandard.ZstdDecompressor().stream_reader(src)  # type: ignore[no-any-return]
    return src


def store_layer(
    layers: LayerStore, blob: Path, diff_id: str, progress: Callable[[int], None]
) -> str:
    """Decompress `blob` (gzip, zstd or plain tar) into the layer store; return its diff-id."""
    with open(blob, "rb") as raw:
        head = raw.read(4)
        raw.seek(0)
        counted = _Counting(raw, progress)
        stream = _DiffIdCheck(_decompressed(counted, head), diff_id)  # type: ignore[arg-type]
        stored = layers.add(stream)  # type: ignore[arg-type]
    if stored != diff_id:
        raise DigestMismatch(f"stored layer {stored} is not the expected {diff_id}")
    return stored
