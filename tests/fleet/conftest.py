"""A fleet of three real engines for the fleet tests: dockerd, a throwaway native daemon
(its own, so a test may kill it) and the test rig's Podman service."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import docker
import pytest

from engine_adapters.discovery import socket_answers
from engine_adapters.fleet import FleetEngine, fleet_members, open_fleet
from engine_adapters.native import open_engine
from tests.conftest import require
from tests.fixtures.docker import DOCKER_SOCKET, TEST_IMAGE, listed_containers
from tests.fixtures.podman import podman_url
from tests.native.conftest import NativeDaemon, load_test_image, new_daemon

# Ends at once on TERM, so a stop takes no grace period.
SLEEPER = ["sh", "-c", "trap 'exit 0' TERM; sleep 600 & wait"]


@dataclass
class Rig:
    """The three engines, an SDK client on each, and the containers made on them."""

    native: NativeDaemon
    clients: dict[str, docker.DockerClient]
    prefix: str = field(default_factory=lambda: f"dyf-{uuid.uuid4().hex[:6]}")

    @property
    def specs(self) -> list[str]:
        return [
            f"docker=unix://{DOCKER_SOCKET}",
            f"native={self.native.docker_host}",
            f"podman={podman_url()}",
        ]

    def run(self, engine: str, suffix: str) -> str:
        """A sleeping container on `engine`; its name."""
        name = f"{self.prefix}-{engine}-{suffix}"
        self.clients[engine].containers.run(TEST_IMAGE, SLEEPER, name=name, detach=True)
        return name

    def state(self, engine: str, name: str) -> str:
        return str(self.clients[engine].api.inspect_container(name)["State"]["Status"])

    def cleanup(self) -> None:
        for engine, client in self.clients.items():
            if engine == "native" and not socket_answers(self.native.socket):
                continue
            with contextlib.suppress(docker.errors.APIError, docker.errors.DockerException):
                for c in listed_containers(client, name=self.prefix):
                    c.remove(force=True)


@pytest.fixture
def isolated_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "dockyard" / "config.toml"


@pytest.fixture(scope="module")
def rig() -> Iterator[Rig]:
    """One native daemon for the module's tests; one that kills it starts it again."""
    require(socket_answers(DOCKER_SOCKET), f"no dockerd answers on {DOCKER_SOCKET}")
    require(os.geteuid() == 0, "the native engine needs root")
    podman = podman_url()
    daemon = new_daemon()
    clients: dict[str, docker.DockerClient] = {}
    made: Rig | None = None
    try:
        daemon.start()
        load_test_image(daemon)
        for engine, url in (
            ("docker", f"unix://{DOCKER_SOCKET}"),
            ("native", daemon.docker_host),
            ("podman", podman),
        ):
            clients[engine] = docker.DockerClient(base_url=url, version="1.41", timeout=60)
        made = Rig(daemon, clients)
        yield made
    finally:
        if made is not None:
            made.cleanup()
        for client in clients.values():
            client.close()
        daemon.destroy()


@pytest.fixture
async def fleet(rig: Rig) -> AsyncIterator[list[FleetEngine]]:
    members = fleet_members(rig.specs)
    engines = open_fleet(members, open_engine(members[0].target))
    yield engines
    for member in engines:
        with contextlib.suppress(Exception):
            await member.engine.close()
