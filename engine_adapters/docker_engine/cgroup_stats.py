"""Stats for a local engine's containers: their cgroup files read in one pass per interval."""

from __future__ import annotations

import asyncio
import math
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from engine_adapters.docker_engine import cgroup_files
from engine_adapters.docker_engine.cgroup_files import CgroupDirs, Counters, Mounts
from engine_adapters.docker_engine.errors import translate
from engine_adapters.docker_engine.stats import (
    CpuReading,
    Fetch,
    StatsPoller,
    cpu_percent,
    memory_used,
)
from engine_adapters.errors import EngineError, EngineUnavailable, NotFound
from engine_adapters.models import StatsSample

Inspect = Callable[[str], Mapping[str, Any]]


def can_read_locally(url: str) -> bool:
    """Whether containers of the engine at `url` may be read from this machine's files."""
    return (
        url.startswith("unix://")
        and sys.platform == "linux"
        and os.path.exists("/proc/self/mountinfo")
    )


class NotLocal(Exception):
    """The container's init process is not visible here, or its cgroup is not the container's."""


@dataclass(frozen=True, slots=True)
class Located:
    """Where one running container's figures are, found once per start of its init process."""

    pid: int
    started: str
    dirs: CgroupDirs
    host_network: bool


class CgroupCache:
    """What one engine's stats streams keep between them: where each container's files are,
    its last CPU reading and the one thread that reads them. A stream started for a changed
    set of containers inspects only the new ones, and their CPU% goes on without a gap."""

    def __init__(self) -> None:
        self.located: dict[str, Located] = {}
        self.cpu: dict[str, CpuReading] = {}
        self.mounts: Mounts | None = None
        self.files = cgroup_files.KeptFiles()
        self._pool: ThreadPoolExecutor | None = None

    @property
    def pool(self) -> ThreadPoolExecutor:
        # One thread: each batch is a single pass over every container's files.
        if self._pool is None:
            self._pool = ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="dockyard-cgroup-stats"
            )
        return self._pool

    def prune(self, wanted: set[str]) -> None:
        """Runs in the reading thread: drops the containers not `wanted` whose process is
        gone (another stream of the engine may still read the others)."""
        for ref, located in list(self.located.items()):
            if ref in wanted:
                continue
            try:
                alive = cgroup_files.start_time(located.pid, self.files.read) == located.started
            except (OSError, ValueError, IndexError):
                alive = False
            if not alive:
                del self.located[ref]
                self.cpu.pop(ref, None)

    def close(self) -> None:
        self.files.close()
        if self._pool is not None:
            pool, self._pool = self._pool, None
            pool.shutdown(wait=False, cancel_futures=True)


def next_tick(now: float, interval: float) -> float:
    """The next multiple of `interval` at least half an interval away: every stream of the
    process reads at the same instants, so several engines' batches reach the UI together."""
    return math.ceil((now + interval / 2) / interval) * interval


class CgroupStats:
    """Yields a batch of samples per interval, read from cgroup files in one worker thread.

    A container's init pid comes from one inspect and is kept until that process is gone
    (a restart gives a new pid or start time), in `cache`, which the engine's next stream
    takes over. A container whose files cannot be read here (another pid namespace, no
    permission) is handed to an API poller; `api_refs` names them.
    """

    def __init__(
        self,
        inspect: Inspect,
        fetch: Fetch,
        refs: Sequence[str],
        interval: float,
        endpoint: str,
        cache: CgroupCache | None = None,
    ) -> None:
        self._inspect = inspect
        self._fetch = fetch
        self._local = list(dict.fromkeys(refs))
        self._interval = interval
        self._endpoint = endpoint
        self._own_cache = cache is None
        self._cache = CgroupCache() if cache is None else cache
        self._located = self._cache.located
        self._cpu = self._cache.cpu
        self._poller: StatsPoller | None = None
        self.api_refs: list[str] = []
        self._pruned = False
        self._next_tick = 0.0
        self._closed = False

    def __aiter__(self) -> CgroupStats:
        return self

    async def __anext__(self) -> list[StatsSample]:
        if self._closed or not (self._local or self._poller):
            raise StopAsyncIteration
        loop = asyncio.get_running_loop()
        delay = self._next_tick - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        if self._closed:
            raise StopAsyncIteration
        self._next_tick = next_tick(loop.time(), self._interval)
        local = loop.run_in_executor(self._cache.pool, self._read_batch)
        api = asyncio.ensure_future(self._poll_api()) if self._poller else None
        await asyncio.wait({local} | ({api} if api else set()))
        if self._closed:
            raise StopAsyncIteration
        batch, moved, failures = local.result()
        if api is not None:
            batch += api.result()
        if moved:
            first = self._poller is None
            self._hand_to_api(moved)
            if first and not self._closed:
                # When nothing is readable here (we run in a container of our own with
                # the socket mounted), the first figures come no later than the poller's.
                batch += await self._poll_api()
        if failures and not batch and all(isinstance(f, EngineUnavailable) for f in failures):
            raise failures[0]
        return batch

    async def _poll_api(self) -> list[StatsSample]:
        assert self._poller is not None
        try:
            return await self._poller.__anext__()
        except StopAsyncIteration:  # every container it polled is gone
            self._poller = None
            return []

    def _hand_to_api(self, refs: list[str]) -> None:
        self.api_refs += refs
        if self._poller is None:
            self._poller = StatsPoller(self._fetch, refs, self._interval, self._endpoint)
        else:
            self._poller.add(refs)

    def _read_batch(self) -> tuple[list[StatsSample], list[str], list[EngineError]]:
        """Runs in the worker thread: every local container's figures, in one pass."""
        cache = self._cache
        if not self._pruned:
            self._pruned = True
            cache.prune(set(self._local))
        if cache.mounts is None:
            cache.mounts = cgroup_files.read_mounts()
        mounts = cache.mounts
        # One host reading for the batch: every container's CPU% shares the same denominator.
        system, cpus = cgroup_files.host_cpu_nanos(), cgroup_files.online_cpus()
        host_bytes = cgroup_files.host_memory()
        read = cache.files.read
        batch: list[StatsSample] = []
        moved: list[str] = []
        failures: list[EngineError] = []
        for ref in list(self._local):
            try:
                located = self._find(ref, mounts, read)
                if located is None:
                    continue  # not running now: no figures this time
                counters = cgroup_files.read_counters(
                    located.dirs, located.pid, located.host_network, host_bytes, read
                )
            except NotFound:
                self._forget(ref)  # the container is gone: stop asking for it
            except (NotLocal, PermissionError):
                self._forget(ref)
                moved.append(ref)
            except EngineError as error:
                failures.append(error)
            except (OSError, ValueError):
                # It stopped (its files went away); the next pass asks the engine again.
                self._located.pop(ref, None)
                self._cpu.pop(ref, None)
            else:
                now = CpuReading(counters.cpu_nanos, system, cpus)
                batch.append(self._sample(ref, counters, now, host_bytes))
        cache.files.end_pass()
        return batch, moved, failures

    def _find(self, ref: str, mounts: Mounts, read: cgroup_files.Read) -> Located | None:
        """The kept location while its process lives, else one inspect; None when not running."""
        located = self._located.get(ref)
        if located is not None:
            try:
                if cgroup_files.start_time(located.pid, read) == located.started:
                    return located
            except (OSError, ValueError, IndexError):
                pass
            # A new process may have a new cgroup whose counters start again from zero.
            self._located.pop(ref, None)
            self._cpu.pop(ref, None)
        try:
            info = self._inspect(ref)
        except Exception as error:
            raise translate(error, self._endpoint) from error
        state = info.get("State") or {}
        pid = int(state.get("Pid") or 0)
        if not state.get("Running") or pid <= 0:
            return None
        try:
            started = cgroup_files.start_time(pid)
            dirs = cgroup_files.locate(pid, str(info.get("Id", "")), mounts)
        except (OSError, ValueError, IndexError):
            dirs = None
        if dirs is None:
            raise NotLocal(ref)
        network_mode = str((info.get("HostConfig") or {}).get("NetworkMode") or "")
        located = Located(pid, started, dirs, network_mode == "host")
        self._located[ref] = located
        return located

    def located_pid(self, ref: str) -> int | None:
        """The init pid whose /proc entries the last pass read for `ref`, if any."""
        located = self._located.get(ref)
        return located.pid if located else None

    def _forget(self, ref: str) -> None:
        self._local.remove(ref)
        self._located.pop(ref, None)
        self._cpu.pop(ref, None)

    def _sample(
        self, ref: str, counters: Counters, now: CpuReading, host_bytes: int
    ) -> StatsSample:
        before = self._cpu.get(ref)
        self._cpu[ref] = now
        used = memory_used({"usage": counters.mem_usage, "stats": counters.mem_stat})
        return StatsSample(
            container_id=ref,
            at=time.time(),
            cpu_percent=cpu_percent(now, before),
            mem_used=used,
            mem_limit=counters.mem_limit or host_bytes,
            net_rx=counters.net_rx,
            net_tx=counters.net_tx,
            block_read=counters.block_read,
            block_write=counters.block_write,
            pids=counters.pids,
        )

    async def aclose(self) -> None:
        self._closed = True
        if self._poller is not None:
            await self._poller.aclose()
        if self._own_cache:
            self._cache.close()
