"""Stats for many containers: one-shot readings polled without overlap, figured as docker does."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from engine_adapters.docker_engine.errors import translate
from engine_adapters.errors import EngineUnavailable, NotFound
from engine_adapters.models import StatsSample

Json = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class CpuReading:
    total_usage: int
    system_usage: int
    online_cpus: int


def cpu_reading(cpu_stats: Json) -> CpuReading:
    usage = cpu_stats.get("cpu_usage") or {}
    online = int(cpu_stats.get("online_cpus") or 0) or len(usage.get("percpu_usage") or ()) or 1
    return CpuReading(
        total_usage=int(usage.get("total_usage") or 0),
        system_usage=int(cpu_stats.get("system_cpu_usage") or 0),
        online_cpus=online,
    )


def cpu_percent(now: CpuReading, before: CpuReading | None) -> float:
    """The docker CLI's CPU%: container CPU time over host CPU time, times online CPUs."""
    if before is None:
        return 0.0
    cpu_delta = now.total_usage - before.total_usage
    system_delta = now.system_usage - before.system_usage
    if cpu_delta <= 0 or system_delta <= 0:
        return 0.0
    return cpu_delta / system_delta * now.online_cpus * 100.0


def memory_used(memory_stats: Json) -> int:
    """Usage less the inactive page cache, as `docker stats` shows it (cgroup v1 and v2)."""
    usage = int(memory_stats.get("usage") or 0)
    stats = memory_stats.get("stats") or {}
    for key in ("total_inactive_file", "inactive_file"):
        inactive = stats.get(key)
        if inactive is not None and int(inactive) < usage:
            return usage - int(inactive)
    return usage


def block_io(blkio_stats: Json) -> tuple[int, int]:
    read = write = 0
    for entry in blkio_stats.get("io_service_bytes_recursive") or ():
        op = str(entry.get("op", "")).lower()
        if op == "read":
            read += int(entry.get("value") or 0)
        elif op == "write":
            write += int(entry.get("value") or 0)
    return read, write


def sample_from_api(
    container_id: str, data: Json, before: CpuReading | None
) -> tuple[StatsSample, CpuReading]:
    now = cpu_reading(data.get("cpu_stats") or {})
    pre_stats = data.get("precpu_stats") or {}
    # A streamed or two-sample reading carries its own previous CPU figures;
    # a one-shot reading does not, so our own last reading stands in.
    if (pre_stats.get("cpu_usage") or {}).get("total_usage") and pre_stats.get("system_cpu_usage"):
        before = cpu_reading(pre_stats)
    memory = data.get("memory_stats") or {}
    rx = tx = 0
    for net in (data.get("networks") or {}).values():
        rx += int(net.get("rx_bytes") or 0)
        tx += int(net.get("tx_bytes") or 0)
    read, write = block_io(data.get("blkio_stats") or {})
    sample = StatsSample(
        container_id=container_id,
        at=time.time(),
        cpu_percent=cpu_percent(now, before),
        mem_used=memory_used(memory),
        mem_limit=int(memory.get("limit") or 0),
        net_rx=rx,
        net_tx=tx,
        block_read=read,
        block_write=write,
        pids=int((data.get("pids_stats") or {}).get("current") or 0),
    )
    return sample, now


Fetch = Callable[[str], Json]


class StatsPoller:
    """Yields a batch of samples per interval for many containers.

    Each container has at most one request in flight: the next one is armed only
    when the last has answered, so a slow container skips batches rather than
    delaying the others or piling up requests.
    """

    def __init__(
        self,
        fetch: Fetch,
        refs: Sequence[str],
        interval: float,
        endpoint: str,
        workers: int = 8,
    ) -> None:
        self._fetch = fetch
        self._refs = list(dict.fromkeys(refs))
        self._interval = interval
        self._endpoint = endpoint
        # The pool starts a thread only when none is idle, so a few refs use few threads;
        # sizing it by `workers` leaves room for refs that `add()` brings later.
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers))
        self._inflight: dict[str, asyncio.Future[Json]] = {}
        self._cpu: dict[str, CpuReading] = {}
        self._next_tick = 0.0
        self._closed = False

    def add(self, refs: Sequence[str]) -> None:
        """More containers to poll from the next batch on."""
        self._refs += [ref for ref in refs if ref not in self._refs]

    def __aiter__(self) -> StatsPoller:
        return self

    async def __anext__(self) -> list[StatsSample]:
        if self._closed or not self._refs:
            raise StopAsyncIteration
        loop = asyncio.get_running_loop()
        delay = self._next_tick - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        if self._closed:
            raise StopAsyncIteration
        self._next_tick = loop.time() + self._interval
        for ref in self._refs:
            if ref not in self._inflight:
                self._inflight[ref] = loop.run_in_executor(self._pool, self._fetch, ref)
        pending = set(self._inflight.values())
        await asyncio.wait(pending, timeout=max(0.05, self._next_tick - loop.time()))
        return self._collect()

    def _collect(self) -> list[StatsSample]:
        batch: list[StatsSample] = []
        failures: list[BaseException] = []
        for ref, future in list(self._inflight.items()):
            if not future.done():
                continue
            del self._inflight[ref]
            error = future.exception()
            if error is None:
                sample, reading = sample_from_api(ref, future.result(), self._cpu.get(ref))
                self._cpu[ref] = reading
                batch.append(sample)
                continue
            translated = translate(error, self._endpoint)
            if isinstance(translated, NotFound):
                self._refs.remove(ref)  # the container is gone: stop asking for it
                self._cpu.pop(ref, None)
            else:
                failures.append(translated)
        if failures and not batch and all(isinstance(f, EngineUnavailable) for f in failures):
            raise failures[0]
        return batch

    async def aclose(self) -> None:
        self._closed = True
        for future in self._inflight.values():
            future.cancel()
        self._inflight.clear()
        self._pool.shutdown(wait=False, cancel_futures=True)
