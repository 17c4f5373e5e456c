"""`--cache-from`: the images whose steps a build may reuse, as dockerd's classic builder."""

# Given any `cache_from`, dockerd's builder stops trusting its local cache on its own: a
# cached step counts only when its image leads to one of the given images. A step the
# local cache does not hold is taken from a given image's history when that image was
# built on the same steps so far and its next entry was made by the same instruction.
# Images that are not there are skipped (dockerd logs them and goes on).

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from native_runtime.errors import NotFound
from native_runtime.images.layers import LayerStore
from native_runtime.images.store import ImageStore


@dataclass(frozen=True)
class Source:
    """One given image: its config bytes and the parts of it a step is matched against."""

    config_bytes: bytes
    history: list[dict[str, Any]]
    diff_ids: list[str]

    @classmethod
    def of(cls, config_bytes: bytes) -> Source:
        doc = json.loads(config_bytes)
        return cls(
            config_bytes,
            list(doc.get("history") or []),
            list((doc.get("rootfs") or {}).get("diff_ids") or []),
        )

    def continues(self, history: list[dict[str, Any]], diff_ids: list[str]) -> bool:
        """Whether this image was built on exactly that history and those layers."""
        return (
            len(history) <= len(self.history)
            and self.history[: len(history)] == history
            and self.diff_ids[: len(diff_ids)] == diff_ids
        )


@dataclass(frozen=True)
class Restored:
    """A step taken from a source: the whole source image, or its next entry and layer."""

    config_bytes: bytes | None
    entry: dict[str, Any]
    diff_id: str | None


class CacheSources:
    """The images named by `cache_from`, narrowed to one once a step was taken from it."""

    def __init__(self, images: ImageStore, layers: LayerStore, refs: tuple[str, ...]) -> None:
        self.layers = layers
        self.sources: list[Source] = []
        for ref in refs:
            try:
                self.sources.append(Source.of(images.lookup(ref).config_bytes))
            except NotFound:
                continue

    def admits(self, cached: bytes) -> bool:
        """A locally cached step counts when its image is one of the sources or leads to one."""
        step = Source.of(cached)
        return any(s.continues(step.history, step.diff_ids) for s in self.sources)

    def restore(
        self, history: list[dict[str, Any]], diff_ids: list[str], created_by: str
    ) -> Restored | None:
        """The next step from a source built on `history` whose next entry is `created_by`."""
        for source in self.sources:
            n = len(history)
            if not source.continues(history, diff_ids) or n >= len(source.history):
                continue
            entry = source.history[n]
            if entry.get("created_by") != created_by:
                continue
            diff_id: str | None = None
            if not entry.get("empty_layer"):
                if len(diff_ids) >= len(source.diff_ids):
                    continue
                diff_id = source.diff_ids[len(diff_ids)]
                if not self.layers.exists(diff_id):
                    continue
            # As dockerd, the rest of the build follows this one source only.
            self.sources = [source]
            last = n == len(source.history) - 1
            return Restored(source.config_bytes if last else None, dict(entry), diff_id)
        return None
