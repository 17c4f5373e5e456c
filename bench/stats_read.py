"""Stats for N containers on dockerd: cgroup files against the API poller; prints figures only.

For each reader: the time until every container has a sample, the CPU of this process and
of dockerd with containerd and its shims over a steady stretch, and the cost of one batch.
Usage: bench/stats_read.py [N] (default 50); it runs and removes its own containers.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine_adapters.docker_engine import DockerEngine  # noqa: E402
from engine_adapters.docker_engine.cgroup_stats import CgroupStats  # noqa: E402
from engine_adapters.docker_engine.stats import StatsPoller  # noqa: E402
from engine_adapters.models import RunSpec, StatsSample  # noqa: E402
from engine_adapters.protocol import Stream  # noqa: E402

URL = "unix:///var/run/docker.sock"
IMAGE = "dockyard-test/busybox:latest"
PREFIX = f"dyb-stats-{os.getpid()}"
INTERVAL = 2.0  # the UI's default stats interval
STEADY_BATCHES = 5
TICKS = os.sysconf("SC_CLK_TCK")


def engine_cpu_seconds() -> float:
    """CPU time used so far by dockerd, containerd and the shims (they answer stats requests)."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                text = f.read()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        if name == "dockerd" or name.startswith("containerd"):
            fields = text[text.rindex(")") + 2 :].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def open_stream(engine: DockerEngine, kind: str, ids: list[str]) -> Stream[list[StatsSample]]:
    if kind == "cgroup":
        stream = engine.stats(ids, interval=INTERVAL)
        assert isinstance(stream, CgroupStats)
        return stream

    def fetch(ref: str) -> Any:
        return engine.api.stats(ref, stream=False, one_shot=True)

    return StatsPoller(fetch, ids, INTERVAL, URL)


async def measure(engine: DockerEngine, kind: str, ids: list[str]) -> None:
    stream = open_stream(engine, kind, ids)
    try:
        start = time.perf_counter()
        seen: set[str] = set()
        while seen != set(ids):
            seen |= {s.container_id for s in await stream.__anext__()}
        first = time.perf_counter() - start
        app, dockerd, wall = time.process_time(), engine_cpu_seconds(), time.perf_counter()
        samples = 0
        for _ in range(STEADY_BATCHES):
            samples += len(await stream.__anext__())
        wall = time.perf_counter() - wall
        app = time.process_time() - app
        dockerd = engine_cpu_seconds() - dockerd
    finally:
        await stream.aclose()
    print(
        f"{kind:>6}: every container sampled after {first:6.2f} s;"
        f" steady {STEADY_BATCHES} batches in {wall:5.1f} s ({samples} samples):"
        f" app {100 * app / wall:5.2f} % CPU, dockerd+containerd {100 * dockerd / wall:5.2f} % CPU"
    )


async def baseline() -> None:
    """The same stretch with no stats read: what the engine burns anyway (other load too)."""
    app, dockerd, wall = time.process_time(), engine_cpu_seconds(), time.perf_counter()
    await asyncio.sleep(STEADY_BATCHES * INTERVAL)
    wall = time.perf_counter() - wall
    app = time.process_time() - app
    dockerd = engine_cpu_seconds() - dockerd
    print(
        f"  none: no stats for {wall:4.1f} s:"
        f" app {100 * app / wall:5.2f} % CPU, dockerd+containerd {100 * dockerd / wall:5.2f} % CPU"
    )


async def batch_cost(engine: DockerEngine, ids: list[str]) -> None:
    """One pass over every container's files once pids are known (no pacing)."""
    stream = engine.stats(ids, interval=0.0)
    try:
        await stream.__anext__()
        rounds = 20
        start, cpu = time.perf_counter(), time.process_time()
        for _ in range(rounds):
            await stream.__anext__()
        wall = (time.perf_counter() - start) / rounds * 1000
        cpu = (time.process_time() - cpu) / rounds * 1000
    finally:
        await stream.aclose()
    print(f"cgroup: one batch of {len(ids)} containers: {wall:.1f} ms wall, {cpu:.1f} ms CPU")


async def main(count: int) -> None:
    engine = DockerEngine(URL)
    names = [f"{PREFIX}-{n}" for n in range(count)]
    try:
        for name in names:
            await engine.run(RunSpec(IMAGE, name=name, command=("sleep", "3600")))
        ids = [(await engine.inspect_container(name)).container.id for name in names]
        print(f"stats for {count} idle containers on dockerd, interval {INTERVAL} s")
        await baseline()
        await measure(engine, "api", ids)
        await measure(engine, "cgroup", ids)
        await baseline()
        await batch_cost(engine, ids)
    finally:
        for name in names:
            try:
                await engine.remove(name, force=True)
            except Exception as error:  # a bench never fails on cleanup
                print(f"could not remove {name}: {error}")
        await engine.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 50))
