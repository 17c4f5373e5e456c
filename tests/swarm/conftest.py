"""The swarm rig for these tests: three dockerd nodes in network namespaces."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import docker
import pytest

from engine_adapters.docker_engine import DockerEngine
from engine_adapters.docker_engine.swarm import DockerSwarm
from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]
RIG = ROOT / "scripts" / "swarm-rig.sh"


@dataclass(frozen=True)
class SwarmRig:
    folder: str
    sockets: tuple[str, ...]  # unix:// URLs: node 1 (leader), node 2 (manager), node 3 (worker)
    addresses: tuple[str, ...]
    registry: str
    up_seconds: float

    @property
    def manager(self) -> str:
        return self.sockets[0]

    def client(self, node: int) -> docker.APIClient:
        return docker.APIClient(base_url=self.sockets[node], version="1.41", timeout=60)


def _read_env(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {k: v for k, v in pairs}


@pytest.fixture(scope="package")
def swarm_rig() -> Iterator[SwarmRig]:
    """Started once for this folder's tests that ask for it, removed after the last one
    (the rest of a run does not carry three idle daemons), whatever they did."""
    require(os.geteuid() == 0, "the swarm rig needs root (network namespaces)")
    for tool in ("dockerd", "docker", "docker-registry", "nsenter", "unshare", "ip", "iptables"):
        require(shutil.which(tool) is not None, f"{tool} is not installed")
    base = os.environ.get("DOCKYARD_RIG_DIR") or tempfile.mkdtemp(prefix="dockyard-swarm.")
    folder = os.path.join(base, f"swarm-{uuid.uuid4().hex[:6]}")
    started = time.monotonic()
    result = subprocess.run([str(RIG), "start", folder], capture_output=True, text=True)
    try:
        assert result.returncode == 0, f"swarm rig failed to start: {result.stderr.strip()}"
        env = _read_env(Path(folder) / "rig.env")
        net = env["NET"]
        yield SwarmRig(
            folder=folder,
            sockets=tuple(env[f"NODE{n}_SOCKET"] for n in (1, 2, 3)),
            addresses=tuple(f"{net}.{10 + n}" for n in (1, 2, 3)),
            registry=env["REGISTRY"],
            up_seconds=time.monotonic() - started,
        )
    finally:
        stopped = subprocess.run([str(RIG), "stop", folder], capture_output=True, text=True)
        assert stopped.returncode == 0, f"swarm rig left something behind: {stopped.stderr}"


@pytest.fixture
async def manager(swarm_rig: SwarmRig) -> AsyncIterator[DockerEngine]:
    engine = DockerEngine(swarm_rig.manager)
    yield engine
    await engine.close()


@pytest.fixture
def swarm(manager: DockerEngine) -> DockerSwarm:
    return manager.swarm


@pytest.fixture
def names(swarm_rig: SwarmRig) -> Iterator[list[str]]:
    """Service names a test creates (`dyt<hex>-...`); removed at the end with their networks."""
    created: list[str] = []
    yield created
    client = swarm_rig.client(0)
    for name in created:
        for service in client.services(filters={"name": name}):
            client.remove_service(service["ID"])
        for service in client.services(filters={"label": f"com.docker.stack.namespace={name}"}):
            client.remove_service(service["ID"])
    for name in created:
        for network in client.networks(filters={"label": f"com.docker.stack.namespace={name}"}):
            _remove_network(client, network["Id"])
    client.close()


def _remove_network(client: docker.APIClient, network_id: str) -> None:
    """The manager refuses while it still counts a removed service's tasks on it."""
    deadline = time.monotonic() + 20
    while True:
        try:
            client.remove_network(network_id)
            return
        except docker.errors.NotFound:
            return
        except docker.errors.APIError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def unique(prefix: str = "dyt") -> str:
    return f"{prefix}{uuid.uuid4().hex[:6]}"
