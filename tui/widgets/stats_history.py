"""Ring buffers of stats samples per container: what the tables, charts and dashboard read."""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Iterable

from engine_adapters.models import StatsSample

# 450 samples at the default 2 s interval keep 15 minutes, the longest chart window; a
# shorter interval grows a ring (up to a sample a second) so it still keeps 15 minutes.
HISTORY = 450
KEEP_SECONDS = 900.0
MOST = 900
# The fields drawn over time; the memory limit and the pid count are read from the newest
# sample only, so they keep no column.
FIELDS = ("at", "cpu_percent", "mem_used", "net_rx", "net_tx", "block_read", "block_write")


class SampleRing:
    """One container's last `size` samples, a column of doubles per charted field, and the
    newest sample whole.

    Fifty containers over fifteen minutes are 22,500 samples: as objects that was about
    8 MiB of the app's memory, as columns it is 1.2 MiB (25 MiB for a thousand containers).
    """

    def __init__(self, container_id: str, size: int, most: int | None = None) -> None:
        self.container_id = container_id
        self.size = size
        self.most = size if most is None else max(size, most)
        self.count = 0  # samples added (since the ring last grew); the newest at (count - 1) % size
        self.columns = {field: array("d", bytes(8 * size)) for field in FIELDS}
        self.latest: StatsSample | None = None

    def append(self, sample: StatsSample) -> None:
        if self.count >= self.size and self.size < self.most:
            oldest = self.columns["at"][self.count % self.size]
            if sample.at - oldest < KEEP_SECONDS:
                self._grow(min(self.most, 2 * self.size))
        slot = self.count % self.size
        for field, column in self.columns.items():
            column[slot] = getattr(sample, field)
        self.count += 1
        self.latest = sample

    def _grow(self, size: int) -> None:
        """Oldest first into larger columns; the next sample goes after the newest."""
        kept = len(self)
        self.columns = {
            field: array("d", self.column(field)) + array("d", bytes(8 * (size - kept)))
            for field in FIELDS
        }
        self.size, self.count = size, kept

    def __len__(self) -> int:
        return min(self.count, self.size)

    def column(self, field: str) -> list[float]:
        """Oldest first."""
        values = self.columns[field]
        if self.count <= self.size:
            return values[: self.count].tolist()
        start = self.count % self.size
        return values[start:].tolist() + values[:start].tolist()


class StatsHistory:
    """Samples keyed by container id; `dirty` lists ids changed since the last flush."""

    def __init__(self, size: int = HISTORY, most: int | None = None) -> None:
        self.size = size
        # What a ring may grow to, to keep KEEP_SECONDS at a short interval: the default
        # history (the charts') grows to MOST; one asked for a size keeps it.
        self.most = most if most is not None else MOST if size == HISTORY else size
        self.samples: dict[str, SampleRing] = {}
        self.dirty: set[str] = set()
        self.generation = 0

    def add(self, batch: Iterable[StatsSample]) -> None:
        self.generation += 1
        for sample in batch:
            ring = self.samples.get(sample.container_id)
            if ring is None:
                ring = self.samples[sample.container_id] = SampleRing(
                    sample.container_id, self.size, self.most
                )
            ring.append(sample)
            self.dirty.add(sample.container_id)

    def latest(self, container_id: str) -> StatsSample | None:
        ring = self.samples.get(container_id)
        return ring.latest if ring else None

    def series(self, container_id: str, field: str) -> list[float]:
        ring = self.samples.get(container_id)
        return ring.column(field) if ring else []

    def rates(self, container_id: str, field: str) -> list[float]:
        """Per-second rates of a cumulative counter (net and block bytes)."""
        ring = self.samples.get(container_id)
        if ring is None:
            return []
        out: list[float] = []
        for (t0, v0), (t1, v1) in itertools.pairwise(
            zip(ring.column("at"), ring.column(field), strict=True)
        ):
            span = t1 - t0
            out.append(max(0.0, (v1 - v0) / span) if span > 0 else 0.0)
        return out

    def take_dirty(self) -> set[str]:
        dirty, self.dirty = self.dirty, set()
        return dirty

    def forget(self, keep: Iterable[str]) -> None:
        keep = set(keep)
        for gone in set(self.samples) - keep:
            del self.samples[gone]
