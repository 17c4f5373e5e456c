"""DockerEngine on an ssh:// engine: the rig's sshd, whose account reaches the real dockerd."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import docker
import pytest

from engine_adapters.docker_engine import DockerEngine
from engine_adapters.models import ContainerState, StatsSample
from tests.fixtures.docker import TEST_IMAGE, Resources
from tests.waiting import eventually

pytestmark = pytest.mark.docker


def our_ssh_clients() -> list[int]:
    """Pids of the ssh clients this test process started (the engine's)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
            stat = (proc / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if argv[0] == b"ssh" and parent == os.getpid():
            found.append(int(proc.name))
    return found


async def test_lists_logs_stats_and_exec_through_ssh(
    ssh_url: str, res: Resources, docker_client: docker.DockerClient
) -> None:
    name = res.container()
    script = "echo over-ssh-1; echo over-ssh-2; exec sleep 3600"
    made = docker_client.containers.run(TEST_IMAGE, ["sh", "-c", script], name=name, detach=True)
    engine = DockerEngine(ssh_url, name="remote")
    try:
        assert await engine.first_contact() is None  # remote: the list is read afterwards
        listed = {c.name: c for c in await engine.containers(all=True)}
        assert listed[name].state is ContainerState.RUNNING

        lines = [line.text async for line in engine.logs(name, tail=None)]
        assert lines[:2] == ["over-ssh-1", "over-ssh-2"]

        made_id = str(made.id)
        stream = engine.stats([made_id], interval=0.5)

        async def first_sample() -> StatsSample:
            async for batch in stream:
                for sample in batch:
                    if sample.container_id == made_id:
                        return sample
            raise AssertionError("the stats stream ended")

        try:
            sample = await asyncio.wait_for(first_sample(), 30)
        finally:
            await stream.aclose()
        assert sample.mem_used > 0 and sample.pids >= 1

        session = await engine.exec(name, ["sh"], tty=True, size=(24, 80))
        await session.write(b"echo exec-$((6*7)); exit 5\n")
        seen = b""
        while b"exec-42" not in seen and (chunk := await asyncio.wait_for(session.read(), 15)):
            seen += chunk
        assert b"exec-42" in seen
        assert await asyncio.wait_for(session.wait(), 15) == 5
        await session.close()

        assert our_ssh_clients()
    finally:
        await engine.close()
    # every ssh the engine started ends with it
    await eventually(lambda: not our_ssh_clients())
