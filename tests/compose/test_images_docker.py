"""`pull` and `up` fetch missing images from a registry (Debian's docker-registry on loopback)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import docker
import pytest

from engine_adapters.compose import Orchestrator, load_project
from engine_adapters.docker_engine import DockerEngine
from tests.compose.conftest import Projects

pytestmark = pytest.mark.docker
Write = Callable[..., Path]
IMAGE = "dockyard-test/busybox:latest"


async def test_pull_and_up_fetch_missing_images(
    engine: DockerEngine,
    projects: Projects,
    write: Write,
    docker_client: docker.DockerClient,
    registry: str,
) -> None:
    name = projects.new("pl")
    repository = f"{registry}/dockyard-test/compose-{name}"
    projects.images.append(f"{repository}:latest")
    docker_client.images.get(IMAGE).tag(repository, "latest")
    for status in docker_client.api.push(repository, tag="latest", stream=True, decode=True):
        assert "error" not in status, status
    docker_client.api.remove_image(f"{repository}:latest")

    file = write(
        "compose.yaml",
        f"""
        services:
          app:
            image: {repository}:latest
            command: sleep 3600
            stop_grace_period: 0s
        """,
    )
    lines: list[str] = []
    compose = Orchestrator(
        engine, load_project(str(file), name, env=dict(os.environ)), lines.append
    )
    await compose.pull()
    assert docker_client.images.get(f"{repository}:latest").id
    assert f"Image {repository}:latest  Pulled" in lines

    docker_client.api.remove_image(f"{repository}:latest")
    await compose.up()
    assert f"Image {repository}:latest  Pulling" in lines
    state = docker_client.api.inspect_container(f"{name}-app-1")["State"]
    assert state["Running"] is True
