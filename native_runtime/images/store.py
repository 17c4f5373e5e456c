"""Image configs keyed by their sha256 digest, plus the repo:tag table."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from native_runtime import names
from native_runtime.db import Database
from native_runtime.errors import BadParameter, NotFound
from native_runtime.images.layers import LayerStore
from native_runtime.registry import reference


def normalize_ref(name: str) -> str:
    """`busybox` -> `busybox:latest`; Docker Hub prefixes are dropped (we have no hub).

    The name must be a valid reference: a tag such as `../../x:latest` is refused
    (InvalidReference, a 400) before it reaches the tags table.
    """
    if "@" in name:
        raise BadParameter(f"digest references are not supported: {name}")
    reference.parse(name)
    for prefix in ("docker.io/library/", "docker.io/", "index.docker.io/library/"):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    last = name.rsplit("/", 1)[-1]
    return name if ":" in last else f"{name}:latest"


@dataclass(frozen=True)
class ImageRecord:
    """One stored image: its id, raw config bytes and the tags pointing at it."""

    id: str
    config_bytes: bytes
    size: int
    tags: list[str]

    @property
    def config(self) -> dict[str, Any]:
        doc: dict[str, Any] = json.loads(self.config_bytes)
        return doc

    @property
    def diff_ids(self) -> list[str]:
        return list(self.config.get("rootfs", {}).get("diff_ids", []))


class ImageStore:
    """Configs in `<imagedb>/<hex>.json`, exact bytes kept so ids survive save/load."""

    def __init__(self, root: Path, db: Database, layers: LayerStore) -> None:
        self.root = root
        self.db = db
        self.layers = layers

    def put(self, config_bytes: bytes, tags: list[str]) -> str:
        """Store a config (its layers must already be stored) and point `tags` at it."""
        image_id = "sha256:" + hashlib.sha256(config_bytes).hexdigest()
        config = json.loads(config_bytes)
        diff_ids = config.get("rootfs", {}).get("diff_ids", [])
        for diff_id in diff_ids:
            names.check_digest(diff_id, "layer diff-id")
            if not self.layers.exists(diff_id):
                raise BadParameter(f"image config names a missing layer {diff_id}")
        size = sum(self.layers.size(d) for d in diff_ids)
        self._config_path(image_id).write_bytes(config_bytes)
        with self.db.transaction() as tx:
            tx.execute(
                "INSERT OR REPLACE INTO images (id, created, size) VALUES (?, ?, ?)",
                (image_id, str(config.get("created", "")), size),
            )
            for tag in tags:
                tx.execute(
                    "INSERT OR REPLACE INTO tags VALUES (?, ?)", (normalize_ref(tag), image_id)
                )
        return image_id

    def _config_path(self, image_id: str) -> Path:
        return self.root / (names.digest_hex(image_id, "image id") + ".json")

    def resolve(self, name: str) -> str:
        """Find an image id by full id, short id prefix, or repo[:tag]."""
        if name.startswith("sha256:") or (len(name) >= 4 and _is_hex(name)):
            prefix = name if name.startswith("sha256:") else "sha256:" + name
            rows = self.db.query(
                "SELECT id FROM images WHERE id LIKE ? ESCAPE '\\'", (names.like_prefix(prefix),)
            )
            if len(rows) == 1:
                return str(rows[0]["id"])
        try:
            ref = normalize_ref(name)
        except BadParameter:
            raise NotFound(f"No such image: {name}") from None
        rows = self.db.query("SELECT image_id FROM tags WHERE ref=?", (ref,))
        if rows:
            return str(rows[0]["image_id"])
        raise NotFound(f"No such image: {name}")

    def get(self, image_id: str) -> ImageRecord:
        rows = self.db.query("SELECT id, size FROM images WHERE id=?", (image_id,))
        if not rows:
            raise NotFound(f"No such image: {image_id}")
        data = self._config_path(image_id).read_bytes()
        return ImageRecord(image_id, data, int(rows[0]["size"]), self.tags_of(image_id))

    def lookup(self, name: str) -> ImageRecord:
        return self.get(self.resolve(name))

    def tags_of(self, image_id: str) -> list[str]:
        rows = self.db.query("SELECT ref FROM tags WHERE image_id=? ORDER BY ref", (image_id,))
        return [str(r["ref"]) for r in rows]

    def all(self) -> list[ImageRecord]:
        rows = self.db.query("SELECT id FROM images ORDER BY created DESC")
        return [self.get(str(r["id"])) for r in rows]

    def tag(self, image_id: str, ref: str) -> None:
        with self.db.transaction() as tx:
            tx.execute("INSERT OR REPLACE INTO tags VALUES (?, ?)", (normalize_ref(ref), image_id))

    def untag(self, ref: str) -> None:
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM tags WHERE ref=?", (normalize_ref(ref),))

    def delete(self, image_id: str) -> None:
        """Drop the image, its tags and any layer no other image still uses."""
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM tags WHERE image_id=?", (image_id,))
            tx.execute("DELETE FROM images WHERE id=?", (image_id,))
        self._config_path(image_id).unlink(missing_ok=True)
        self.layers.remove_unused(self.layers_in_use())

    def layers_in_use(self) -> set[str]:
        used: set[str] = set()
        for record in self.all():
            used.update(record.diff_ids)
        return used


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdef" for c in text)
