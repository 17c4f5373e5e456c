"""Fixtures for engine-layer tests against real engines; each removes what it created."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Iterator

import docker
import pytest

from engine_adapters.discovery import socket_answers
from engine_adapters.docker_engine import DockerEngine
from tests.conftest import require

DOCKER_SOCKET = "/var/run/docker.sock"
TEST_IMAGE = "dockyard-test/busybox:latest"


class Resources:
    """Names for things a test creates, and their removal at teardown."""

    def __init__(self, client: docker.DockerClient) -> None:
        self.client = client
        self.prefix = f"dyt-{uuid.uuid4().hex[:8]}"
        self.containers: list[str] = []
        self.networks: list[str] = []
        self.volumes: list[str] = []
        self.images: list[str] = []

    def name(self, kind: str = "c") -> str:
        return (
            f"{self.prefix}-{kind}{len(self.containers) + len(self.networks) + len(self.volumes)}"
        )

    def container(self, name: str | None = None) -> str:
        name = name or self.name("c")
        self.containers.append(name)
        return name

    def network(self, name: str | None = None) -> str:
        name = name or self.name("n")
        self.networks.append(name)
        return name

    def volume(self, name: str | None = None) -> str:
        name = name or self.name("v")
        self.volumes.append(name)
        return name

    def cleanup(self) -> None:
        for c in self.client.containers.list(all=True, filters={"name": self.prefix}):
            with contextlib.suppress(docker.errors.APIError):
                c.remove(force=True, v=True)
        for name in self.containers:
            with contextlib.suppress(docker.errors.APIError):
                self.client.api.remove_container(name, force=True, v=True)
        for name in self.networks:
            with contextlib.suppress(docker.errors.APIError):
                self.client.api.remove_network(name)
        for name in self.volumes:
            with contextlib.suppress(docker.errors.APIError):
                self.client.api.remove_volume(name, force=True)
        for ref in self.images:
            with contextlib.suppress(docker.errors.APIError):
                self.client.api.remove_image(ref, force=True)


@pytest.fixture(scope="session")
def docker_url() -> str:
    require(socket_answers(DOCKER_SOCKET), f"no dockerd answers on {DOCKER_SOCKET}")
    return f"unix://{DOCKER_SOCKET}"


@pytest.fixture(scope="session")
def docker_client(docker_url: str) -> Iterator[docker.DockerClient]:
    """The docker SDK used directly: how tests set things up and check real effects."""
    client = docker.DockerClient(base_url=docker_url, version="1.41", timeout=60)
    require(bool(client.images.list(name=TEST_IMAGE)), f"test image {TEST_IMAGE} missing")
    yield client
    client.close()


@pytest.fixture
async def engine(docker_url: str) -> AsyncIterator[DockerEngine]:
    engine = DockerEngine(docker_url)
    yield engine
    await engine.close()


@pytest.fixture
def res(docker_client: docker.DockerClient) -> Iterator[Resources]:
    resources = Resources(docker_client)
    yield resources
    resources.cleanup()


@pytest.fixture(scope="session")
def registry() -> str:
    address = os.environ.get("DOCKYARD_TEST_REGISTRY", "127.0.0.1:5000")
    host, _, port = address.partition(":")
    import socket

    with socket.socket() as probe:
        probe.settimeout(1)
        reachable = probe.connect_ex((host, int(port or 5000))) == 0
    require(reachable, f"no test registry on {address}")
    return address
