"""`depends_on: condition: service_healthy` on dockerd and on the native engine."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import docker
import pytest

from engine_adapters.compose import ComposeError, Orchestrator, load_project
from engine_adapters.docker_engine import DockerEngine
from tests.compose.conftest import Projects
from tests.compose.helpers import instant, project_containers
from tests.fixtures.both_engines import docker_client, docker_url, engine

pytestmark = pytest.mark.docker

# one body, two engines: these fixtures override the dockerd-only ones for this module
__all__ = ["docker_client", "docker_url", "engine"]

IMAGE = "dockyard-test/busybox:latest"


async def test_up_waits_for_a_healthy_dependency(
    engine: DockerEngine,
    projects: Projects,
    write: Callable[..., Path],
    docker_client: docker.DockerClient,
) -> None:
    name = projects.new("hb")
    file = write(
        "compose.yaml",
        f"""
        services:
          db:
            image: {IMAGE}
            command: sh -c "sleep 1; touch /tmp/ready; exec sleep 3600"
            healthcheck:
              test: ["CMD", "test", "-f", "/tmp/ready"]
              interval: 200ms
              retries: 50
          web:
            image: {IMAGE}
            command: sleep 3600
            depends_on:
              db:
                condition: service_healthy
        """,
    )
    lines: list[str] = []
    project = load_project(str(file), name, env=dict(os.environ))
    await Orchestrator(engine, project, report=lines.append).up()
    assert lines.index(f"Container {name}-db-1  Healthy") < lines.index(
        f"Container {name}-web-1  Started"
    )
    db = docker_client.api.inspect_container(f"{name}-db-1")
    web = docker_client.api.inspect_container(f"{name}-web-1")
    assert db["State"]["Health"]["Status"] == "healthy"
    first_pass = min(e["End"] for e in db["State"]["Health"]["Log"] if e["ExitCode"] == 0)
    assert instant(web["State"]["StartedAt"]) > instant(first_pass)  # both in UTC
    assert project_containers(docker_client, name)[f"{name}-web-1"]["State"] == "running"


async def test_up_stops_at_an_unhealthy_dependency(
    engine: DockerEngine,
    projects: Projects,
    write: Callable[..., Path],
    docker_client: docker.DockerClient,
) -> None:
    name = projects.new("hu")
    file = write(
        "compose.yaml",
        f"""
        services:
          db:
            image: {IMAGE}
            command: sleep 3600
            healthcheck:
              test: ["CMD", "false"]
              interval: 200ms
              retries: 2
          web:
            image: {IMAGE}
            command: sleep 3600
            depends_on:
              db:
                condition: service_healthy
        """,
    )
    project = load_project(str(file), name, env=dict(os.environ))
    with pytest.raises(ComposeError, match="dependency db is unhealthy"):
        await Orchestrator(engine, project, report=lambda _line: None).up()
    assert f"{name}-web-1" not in project_containers(docker_client, name) or (
        project_containers(docker_client, name)[f"{name}-web-1"]["State"] == "created"
    )
