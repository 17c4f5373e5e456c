"""Events, stats, logs, exec and attach streams from the real dockerd."""

from __future__ import annotations

import asyncio
import time

import docker
import pytest

from engine_adapters.docker_engine import DockerEngine
from engine_adapters.models import Event, RunSpec
from tests.engine.conftest import TEST_IMAGE, Resources
from tests.waiting import eventually

pytestmark = pytest.mark.docker


async def test_events_arrive_for_the_container_lifecycle(
    engine: DockerEngine, res: Resources
) -> None:
    stream = engine.events(since=time.time() - 1)
    seen: list[Event] = []

    async def collect() -> None:
        async for event in stream:
            seen.append(event)

    collector = asyncio.create_task(collect())
    name = res.container()
    container = await engine.run(RunSpec(TEST_IMAGE, name=name, command=("sh", "-c", "exit 0")))
    await engine.wait(container.id)
    await engine.remove(container.id)

    def actions() -> list[str]:
        return [e.action for e in seen if e.type == "container" and e.actor_id == container.id]

    await eventually(lambda: "destroy" in actions())
    assert [a for a in actions() if a in ("create", "start", "die", "destroy")] == [
        "create",
        "start",
        "die",
        "destroy",
    ]
    assert {e.actor_name for e in seen if e.actor_id == container.id} == {name}
    await stream.aclose()
    await asyncio.wait_for(collector, 5)  # closing ends the iteration promptly


async def test_stats_show_memory_and_rising_cpu(engine: DockerEngine, res: Resources) -> None:
    busy, idle = res.container(), res.container()
    await engine.run(RunSpec(TEST_IMAGE, name=busy, command=("sh", "-c", "while :; do :; done")))
    await engine.run(RunSpec(TEST_IMAGE, name=idle, command=("sleep", "3600")))
    stream = engine.stats([busy, idle], interval=0.5)
    latest: dict[str, list[float]] = {busy: [], idle: []}
    try:
        async for batch in stream:
            for sample in batch:
                latest[sample.container_id].append(sample.cpu_percent)
                assert sample.mem_used > 0 and sample.mem_limit >= sample.mem_used
                assert sample.pids >= 1
            if len(latest[busy]) >= 4 and len(latest[idle]) >= 4:
                break
    finally:
        await stream.aclose()
    assert latest[busy][0] == 0.0, "the first one-shot reading has nothing to compare with"
    assert max(latest[busy][1:]) > 30.0, latest[busy]
    assert max(latest[idle][1:]) < 10.0, latest[idle]


async def test_stats_drop_a_container_that_goes_away(engine: DockerEngine, res: Resources) -> None:
    keep, gone = res.container(), res.container()
    await engine.run(RunSpec(TEST_IMAGE, name=keep, command=("sleep", "3600")))
    await engine.run(RunSpec(TEST_IMAGE, name=gone, command=("sleep", "3600")))
    stream = engine.stats([keep, gone], interval=0.3)
    try:
        seen: set[str] = set()
        while seen != {keep, gone}:  # dockerd answers at its own 1 s collection tick
            seen |= {s.container_id for s in await asyncio.wait_for(stream.__anext__(), 5)}
        await engine.remove(gone, force=True)
        later: list[set[str]] = []
        while len(later) < 4 or not later[-1]:
            later.append({s.container_id for s in await asyncio.wait_for(stream.__anext__(), 5)})
        assert later[-1] == {keep}
    finally:
        await stream.aclose()


async def test_logs_keep_stdout_and_stderr_apart(engine: DockerEngine, res: Resources) -> None:
    name = res.container()
    script = "for i in 1 2 3; do echo out$i; echo err$i >&2; done"
    container = await engine.run(RunSpec(TEST_IMAGE, name=name, command=("sh", "-c", script)))
    await engine.wait(container.id)
    lines = [line async for line in engine.logs(name, tail=None)]
    assert [(ln.stream, ln.text) for ln in lines if ln.stream == "stdout"] == [
        ("stdout", "out1"),
        ("stdout", "out2"),
        ("stdout", "out3"),
    ]
    assert [ln.text for ln in lines if ln.stream == "stderr"] == ["err1", "err2", "err3"]
    tail = [line.text async for line in engine.logs(name, tail=2)]
    assert len(tail) == 2
    stamped = [line async for line in engine.logs(name, tail=None, timestamps=True)]
    assert all(line.timestamp is not None for line in stamped)
    assert {line.text for line in stamped} == {ln.text for ln in lines}
    later = [line async for line in engine.logs(name, tail=None, since=time.time() + 60)]
    assert later == []


async def test_logs_follow_and_close(engine: DockerEngine, res: Resources) -> None:
    name = res.container()
    script = "i=0; while :; do i=$((i+1)); echo tick$i; sleep 0.1; done"
    await engine.run(RunSpec(TEST_IMAGE, name=name, command=("sh", "-c", script)))
    stream = engine.logs(name, tail=0, follow=True)
    texts: list[str] = []
    async for line in stream:
        texts.append(line.text)
        if len(texts) == 5:
            break
    await asyncio.wait_for(stream.aclose(), 5)
    numbers = [int(t.removeprefix("tick")) for t in texts]
    assert numbers == sorted(numbers) and len(set(numbers)) == 5


async def test_logs_of_a_tty_container(engine: DockerEngine, res: Resources) -> None:
    name = res.container()
    container = await engine.run(
        RunSpec(TEST_IMAGE, name=name, command=("sh", "-c", "echo in-a-tty"), tty=True)
    )
    await engine.wait(container.id)
    lines = [line async for line in engine.logs(name, tail=None)]
    assert [line.text for line in lines] == ["in-a-tty"]


async def test_exec_returns_output_and_exit_code(engine: DockerEngine, res: Resources) -> None:
    name = res.container()
    await engine.run(RunSpec(TEST_IMAGE, name=name, command=("sleep", "3600")))
    session = await engine.exec(name, ["sh", "-c", "echo hello; echo oops >&2; exit 7"], tty=False)
    output = b""
    while chunk := await session.read():
        output += chunk
    assert b"hello\n" in output and b"oops\n" in output
    assert await session.wait() == 7
    await session.close()


async def test_exec_with_a_pty_takes_input_and_resizes(
    engine: DockerEngine, res: Resources
) -> None:
    name = res.container()
    await engine.run(RunSpec(TEST_IMAGE, name=name, command=("sleep", "3600")))
    session = await engine.exec(name, ["sh"], tty=True, size=(24, 80))
    output = bytearray()

    async def read_until(marker: bytes) -> None:
        while marker not in output:
            chunk = await asyncio.wait_for(session.read(), 10)
            assert chunk, f"stream ended before {marker!r}: {bytes(output)!r}"
            output.extend(chunk)

    await session.resize(33, 111)
    await session.write(b"stty size; tty\n")
    await read_until(b"33 111")
    await read_until(b"/dev/pts/")
    await session.write(b"exit 4\n")
    assert await asyncio.wait_for(session.wait(), 10) == 4
    await session.close()


async def test_attach_and_detach_leave_the_container_running(
    engine: DockerEngine, res: Resources, docker_client: docker.DockerClient
) -> None:
    name = res.container()
    await engine.run(RunSpec(TEST_IMAGE, name=name, command=("sh",), tty=True, stdin_open=True))
    session = await engine.attach(name)
    assert session.tty
    await session.write(b"echo attached-$((40+2))\n")
    output = bytearray()
    while b"attached-42" not in output:
        chunk = await asyncio.wait_for(session.read(), 10)
        assert chunk
        output.extend(chunk)
    await session.close()
    assert docker_client.api.inspect_container(name)["State"]["Running"]
