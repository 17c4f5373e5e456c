"""A dead, slow or restarted engine: errors, never hangs, and recovery when it is back."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine_adapters.docker_engine import DockerEngine
from engine_adapters.errors import EngineTimeout, EngineUnavailable
from tests.conftest import require

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def silent_socket(tmp_path: Path) -> Iterator[str]:
    """A unix socket that accepts connections and never answers: a hung engine."""
    path = str(tmp_path / "silent.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield path
    stop.set()
    thread.join(2)
    for conn in held:
        conn.close()
    server.close()


async def test_a_hung_engine_times_out(silent_socket: str) -> None:
    engine = DockerEngine(f"unix://{silent_socket}", timeout=1)
    with pytest.raises(EngineTimeout):
        await asyncio.wait_for(engine.containers(), 10)
    await engine.close()


async def test_a_missing_engine_is_unavailable(tmp_path: Path) -> None:
    engine = DockerEngine(f"unix://{tmp_path}/nobody.sock", timeout=2)
    with pytest.raises(EngineUnavailable):
        await engine.ping()
    stream = engine.events()
    with pytest.raises(EngineUnavailable):
        await asyncio.wait_for(stream.__anext__(), 10)


@pytest.mark.docker
@pytest.mark.parametrize("docker_url", ["docker"], indirect=True)  # restarts dockerd itself
async def test_dockerd_restart_mid_stream_then_recovery(docker_url: str) -> None:
    require(
        os.environ.get("DOCKYARD_RIG_OWNS_DOCKERD") == "1",
        "the test rig did not start this dockerd, so it may not restart it",
    )
    engine = DockerEngine(docker_url, timeout=5)
    await engine.ping()
    stream = engine.events()
    pending = asyncio.ensure_future(stream.__anext__())
    await asyncio.sleep(0.2)  # let the events request reach dockerd before it goes away
    ctl = [str(REPO / "scripts" / "dockerd-ctl.sh")]
    await asyncio.to_thread(subprocess.run, [*ctl, "stop"], check=True, timeout=60)
    try:
        with pytest.raises(EngineUnavailable):
            await asyncio.wait_for(pending, 30)
        with pytest.raises(EngineUnavailable):
            await engine.containers()
    finally:
        await asyncio.to_thread(subprocess.run, [*ctl, "start"], check=True, timeout=90)
    await engine.ping()  # the same engine object reconnects by itself
    assert isinstance(await engine.containers(), list)
    await engine.close()
