"""Ring buffers of stats samples per container: what the tables, charts and dashboard read."""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable

from engine_adapters.models import StatsSample

# 450 samples at the default 2 s interval keep 15 minutes: more than the 10 promised.
HISTORY = 450


class StatsHistory:
    """Samples keyed by container id; `dirty` lists ids changed since the last flush."""

    def __init__(self, size: int = HISTORY) -> None:
        self.size = size
        self.samples: dict[str, deque[StatsSample]] = {}
        self.dirty: set[str] = set()
        self.generation = 0

    def add(self, batch: Iterable[StatsSample]) -> None:
        self.generation += 1
        for sample in batch:
            ring = self.samples.get(sample.container_id)
            if ring is None:
                ring = self.samples[sample.container_id] = deque(maxlen=self.size)
            ring.append(sample)
            self.dirty.add(sample.container_id)

    def latest(self, container_id: str) -> StatsSample | None:
        ring = self.samples.get(container_id)
        return ring[-1] if ring else None

    def series(self, container_id: str, field: str) -> list[float]:
        return [float(getattr(s, field)) for s in self.samples.get(container_id, ())]

    def rates(self, container_id: str, field: str) -> list[float]:
        """Per-second rates of a cumulative counter (net and block bytes)."""
        ring = list(self.samples.get(container_id, ()))
        out: list[float] = []
        for prev, cur in itertools.pairwise(ring):
            span = cur.at - prev.at
            delta = getattr(cur, field) - getattr(prev, field)
            out.append(max(0.0, delta / span) if span > 0 else 0.0)
        return out

    def take_dirty(self) -> set[str]:
        dirty, self.dirty = self.dirty, set()
        return dirty

    def forget(self, keep: Iterable[str]) -> None:
        keep = set(keep)
        for gone in set(self.samples) - keep:
            del self.samples[gone]
