"""The classic builder's layer cache: parent id + instruction (+ source hash) -> the result."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path

from native_runtime.images.layers import LayerStore


def cache_key(parent_id: str, created_by: str, extra: str = "") -> str:
    text = json.dumps([parent_id, created_by, extra])
    return hashlib.sha256(text.encode()).hexdigest()


class BuildCache:
    """One file per key holding the resulting image config bytes.

    An entry only counts while every layer it names is still stored: `rmi`
    may have collected them, and then the step simply runs again.
    """

    def __init__(self, root: Path, layers: LayerStore) -> None:
        self.root = root
        self.layers = layers
        root.mkdir(parents=True, exist_ok=True)

    def get(self, key: str) -> bytes | None:
        try:
            data = (self.root / key).read_bytes()
            doc = json.loads(data)
        except (OSError, json.JSONDecodeError):
            return None
        diff_ids = doc.get("rootfs", {}).get("diff_ids", [])
        if not all(self.layers.exists(d) for d in diff_ids):
            return None
        return data

    def put(self, key: str, config_bytes: bytes) -> None:
        # Written to a temp file and renamed: a crash never leaves a torn entry.
        fd, name = tempfile.mkstemp(dir=self.root, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(config_bytes)
            os.replace(name, self.root / key)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(name)
            raise
