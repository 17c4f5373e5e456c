"""Stats of a local engine read from cgroup files and /proc, checked against the docker CLI."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from engine_adapters.docker_engine import DockerEngine, cgroup_files
from engine_adapters.docker_engine.cgroup_files import locate, read_mounts
from engine_adapters.docker_engine.cgroup_stats import CgroupStats, next_tick
from engine_adapters.models import RunSpec, StatsSample
from engine_adapters.protocol import Stream
from tests.engine.conftest import TEST_IMAGE, Resources
from tests.fixtures.podman import not_on_podman

pytestmark = pytest.mark.docker

DOCKER_CLI = "/usr/local/bin/docker"
SLEEP = ("sleep", "3600")
# Holds 16 MB in a shell variable after writing 8 MB of page cache, which "used" leaves out.
HOLD_MEMORY = (
    "sh",
    "-c",
    "head -c 8000000 /dev/zero > /tmp/cache;"
    ' a=$(head -c 16000000 /dev/zero | tr "\\000" x); sleep 3600; echo ${#a}',
)


def cgroup_stream(engine: DockerEngine, refs: list[str], interval: float) -> CgroupStats:
    stream = engine.stats(refs, interval=interval)
    # Both engines under test are local: falling back to the API would be a failure here.
    assert isinstance(stream, CgroupStats), type(stream)
    return stream


async def next_batch(stream: Stream[list[StatsSample]]) -> dict[str, StatsSample]:
    return {s.container_id: s for s in await asyncio.wait_for(stream.__anext__(), 10)}


async def batch_where(
    stream: Stream[list[StatsSample]],
    condition: Callable[[dict[str, StatsSample]], bool],
    batches: int = 40,
) -> dict[str, StatsSample]:
    """The first batch that meets `condition`, within a bounded number of batches."""
    for _ in range(batches):
        batch = await next_batch(stream)
        if condition(batch):
            return batch
    raise AssertionError(f"no batch met the condition in {batches} batches (last: {batch})")


async def run(engine: DockerEngine, name: str, command: tuple[str, ...]) -> str:
    return (await engine.run(RunSpec(TEST_IMAGE, name=name, command=command))).id


_UNITS = {"B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}


def cli_memory_used(url: str, ref: str) -> int:
    """`docker stats --no-stream` by the real docker CLI: the used part of "MemUsage"."""
    out = subprocess.run(
        [DOCKER_CLI, "stats", "--no-stream", "--format", "{{json .}}", ref],
        env={**os.environ, "DOCKER_HOST": url},
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    used = json.loads(out)["MemUsage"].split("/")[0].strip()
    match = re.fullmatch(r"([\d.]+)\s*([KMGT]?i?B)", used)
    assert match, used
    return int(float(match[1]) * _UNITS[match[2]])


async def test_busy_and_idle_cpu_memory_and_pids(
    engine: DockerEngine, res: Resources, docker_url: str
) -> None:
    not_on_podman(
        docker_url,
        "`docker stats` on Podman counts memory its own way, so the CLI is no reference there",
    )
    busy, idle, held = res.container(), res.container(), res.container()
    await run(engine, busy, ("sh", "-c", "while :; do :; done"))
    await run(engine, idle, ("sh", "-c", "sleep 3600 & sleep 3600 & wait"))
    await run(engine, held, HOLD_MEMORY)
    stream = cgroup_stream(engine, [busy, idle, held], interval=0.5)
    cpu: dict[str, list[float]] = {busy: [], idle: []}
    try:
        for _ in range(6):  # both run and are read here: every batch holds them
            batch = await next_batch(stream)
            for ref in cpu:
                cpu[ref].append(batch[ref].cpu_percent)
        assert stream.api_refs == []
        assert cpu[busy][0] == 0.0, "the first reading has nothing to compare with"
        # One core spinning is 100 % as the docker CLI counts; the band allows for other load.
        assert 50.0 <= max(cpu[busy][1:]) <= 150.0, cpu[busy]
        assert max(cpu[idle][1:]) < 10.0, cpu[idle]
        assert batch[idle].pids == 3, "sh and its two sleeps"
        assert batch[busy].pids == 1

        # The shell holds its 16 MB only once it has filled the variable.
        await batch_where(stream, lambda b: held in b and b[held].mem_used >= 16_000_000)
        expected = await asyncio.to_thread(cli_memory_used, docker_url, held)
        sample = (await next_batch(stream))[held]
        assert abs(sample.mem_used - expected) <= 0.25 * expected, (sample.mem_used, expected)
        assert sample.mem_used < 16_000_000 + 8_000_000, "the page cache is not counted as used"
        assert sample.mem_limit >= sample.mem_used
    finally:
        await stream.aclose()


def container_ip(info: Mapping[str, Any]) -> str:
    networks = info["NetworkSettings"]["Networks"]
    return next(str(n["IPAddress"]) for n in networks.values() if n.get("IPAddress"))


async def test_network_rx_grows_with_traffic_from_the_host(
    engine: DockerEngine, res: Resources
) -> None:
    name = res.container()
    await run(engine, name, SLEEP)
    address = container_ip(json.loads((await engine.inspect_container(name)).raw_json))
    stream = cgroup_stream(engine, [name], interval=0.3)
    try:
        first = (await next_batch(stream))[name].net_rx
        # UDP to a port nobody listens on still arrives at the container's interface.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            for _ in range(50):
                sender.sendto(b"x" * 1000, (address, 9))
        await batch_where(stream, lambda b: b[name].net_rx - first >= 50_000)
    finally:
        await stream.aclose()


async def test_the_first_batch_holds_twenty_containers(
    engine: DockerEngine, res: Resources
) -> None:
    names = [res.container() for _ in range(20)]
    await asyncio.gather(*(run(engine, name, SLEEP) for name in names))
    stream = cgroup_stream(engine, names, interval=1.0)
    try:
        assert set(await next_batch(stream)) == set(names)
        assert stream.api_refs == []
    finally:
        await stream.aclose()


async def test_after_the_first_batch_a_containers_files_are_read_without_opening_them(
    engine: DockerEngine, res: Resources, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening a cgroup file costs more than reading it: the files stay open between
    batches and are read again from their start, with the same figures coming out."""
    names = [res.container() for _ in range(3)]
    await asyncio.gather(*(run(engine, name, SLEEP) for name in names))
    opened: list[str] = []
    real_open = os.open

    def counting_open(path: str, flags: int, *args: Any) -> int:
        opened.append(path)
        return int(real_open(path, flags, *args))

    monkeypatch.setattr(cgroup_files.os, "open", counting_open)
    stream = cgroup_stream(engine, names, interval=0.3)
    try:
        assert set(await next_batch(stream)) == set(names)
        first = len(opened)
        assert first >= 3 * 7, "each container's cgroup and /proc files"
        for _ in range(3):
            batch = await next_batch(stream)
            assert set(batch) == set(names)
            assert all(s.mem_used > 0 and s.pids == 1 for s in batch.values())
        # Only the host's CPU time, once a batch, is opened again.
        assert [path for path in opened[first:] if path != "/proc/stat"] == []
    finally:
        await stream.aclose()


async def test_stopped_and_restarted_containers(engine: DockerEngine, res: Resources) -> None:
    keep, stopped, restarted = res.container(), res.container(), res.container()
    for name in (keep, stopped, restarted):
        await run(engine, name, SLEEP)
    stream = cgroup_stream(engine, [keep, stopped, restarted], interval=0.3)
    try:
        assert set(await next_batch(stream)) == {keep, stopped, restarted}
        await engine.kill(stopped)
        await engine.restart(restarted, timeout=0)
        # The restarted container comes back under its new init pid; the stopped one
        # leaves the batch and the stream goes on.
        await batch_where(stream, lambda b: set(b) == {keep, restarted})
        new_pid = (await engine.inspect_container(restarted)).pid
        assert stream.located_pid(restarted) == new_pid
        assert set(await next_batch(stream)) == {keep, restarted}
    finally:
        await stream.aclose()


async def test_a_container_not_readable_here_falls_back_to_the_api(
    engine: DockerEngine, res: Resources, docker_url: str
) -> None:
    local, remote = res.container(), res.container()
    await run(engine, local, SLEEP)
    await run(engine, remote, SLEEP)

    def inspect(ref: str) -> Any:
        info = engine.api.inspect_container(ref)
        if info["Name"] == f"/{remote}":
            # As seen from another pid namespace: the pid is some other process of ours.
            info["State"]["Pid"] = os.getpid()
        return info

    def fetch(ref: str) -> Any:
        return engine.api.stats(ref, stream=False, one_shot=True)

    stream = CgroupStats(inspect, fetch, [local, remote], 0.3, docker_url)
    try:
        seen: set[str] = set()
        for _ in range(40):  # the poller may miss a batch while dockerd collects
            seen |= set(await next_batch(stream))
            if seen == {local, remote}:
                break
        assert seen == {local, remote}
        assert stream.api_refs == [remote]
    finally:
        await stream.aclose()


def test_a_pid_whose_cgroup_does_not_name_the_container_is_not_trusted() -> None:
    assert locate(os.getpid(), "0" * 64, read_mounts()) is None


async def test_a_new_stream_of_the_engine_goes_on_from_what_the_last_one_found(
    engine: DockerEngine, res: Resources
) -> None:
    """A changed set of running containers restarts the stream: the containers read before
    are not inspected again, and their CPU% has a reading to compare with at once."""
    busy, added = res.container(), res.container()
    await run(engine, busy, ("sh", "-c", "while :; do :; done"))
    first = cgroup_stream(engine, [busy], interval=0.3)
    try:
        await batch_where(first, lambda b: busy in b)
    finally:
        await first.aclose()
    await run(engine, added, SLEEP)
    second = cgroup_stream(engine, [busy, added], interval=0.3)
    try:
        pid = (await engine.inspect_container(busy)).pid
        assert second.located_pid(busy) == pid, "known before its first batch"
        batch = await next_batch(second)
        assert batch[busy].cpu_percent > 10.0, "compared with the last stream's reading"
        assert batch[added].cpu_percent == 0.0  # its first reading
    finally:
        await second.aclose()


async def test_streams_started_apart_read_at_the_same_instants(
    engine: DockerEngine, res: Resources
) -> None:
    """Several engines' batches reach the UI together, so it redraws once per interval."""
    one, other = res.container(), res.container()
    await run(engine, one, SLEEP)
    await run(engine, other, SLEEP)
    early = cgroup_stream(engine, [one], interval=1.0)
    late: CgroupStats | None = None
    try:
        await next_batch(early)
        await asyncio.sleep(0.45)
        late = cgroup_stream(engine, [other], interval=1.0)
        await next_batch(late)  # at once, off the grid
        await asyncio.gather(next_batch(early), next_batch(late))  # each onto the grid
        for _ in range(2):
            a, b = await asyncio.gather(next_batch(early), next_batch(late))
            apart = (a[one].at - b[other].at) % 1.0  # a whole interval apart is in step too
            assert min(apart, 1.0 - apart) < 0.2, (a[one].at, b[other].at)
    finally:
        await early.aclose()
        if late is not None:
            await late.aclose()


def test_ticks_fall_on_multiples_of_the_interval_at_least_half_an_interval_away() -> None:
    assert next_tick(10.1, 2.0) == 12.0
    assert next_tick(11.2, 2.0) == 14.0
    assert next_tick(12.0, 2.0) == 14.0
    assert next_tick(0.0, 0.5) == 0.5
