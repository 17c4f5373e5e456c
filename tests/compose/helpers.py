"""Small checks shared by the compose integration tests."""

from __future__ import annotations

import os
from typing import Any

import docker

from engine_adapters.compose import Orchestrator, Project, load_project
from engine_adapters.protocol import Engine


def sh(client: docker.DockerClient, container: str, command: str) -> tuple[int, str]:
    """Runs `sh -c command` in a container; the exit code and the merged output."""
    code, output = client.containers.get(container).exec_run(["sh", "-c", command])
    assert isinstance(output, bytes) and code is not None
    return int(code), output.decode(errors="replace")


def labels(client: docker.DockerClient, container: str) -> dict[str, str]:
    raw: dict[str, Any] = client.api.inspect_container(container)
    return dict(raw["Config"]["Labels"] or {})


def project_containers(client: docker.DockerClient, project: str) -> dict[str, dict[str, Any]]:
    label = f"com.docker.compose.project={project}"
    return {
        c["Names"][0].lstrip("/"): c
        for c in client.api.containers(all=True, filters={"label": label})
    }


def project_networks(client: docker.DockerClient, project: str) -> set[str]:
    label = f"com.docker.compose.project={project}"
    return {n["Name"] for n in client.api.networks(filters={"label": label})}


async def up(engine: Engine, file: str, name: str, env: dict[str, str] | None = None) -> Project:
    """Loads the file as project `name` (the shell's variables plus `env`) and brings it up."""
    project = load_project(file, name, env={**os.environ, **(env or {})})
    await Orchestrator(engine, project).up()
    return project
