"""Small checks shared by the compose integration tests."""

from __future__ import annotations

import argparse
import os
from typing import Any

import docker

from engine_adapters.compose import Orchestrator, Project, load_project
from engine_adapters.protocol import Engine
from tui.commands.compose import run_compose_command
from tui.commands.compose_args import add_compose_parser


def dockyard(*argv: str) -> int:
    """`dockyard compose ARGV...` as the command line runs it; its exit code."""
    parser = argparse.ArgumentParser(prog="dockyard")
    parser.add_argument("--engine", "-e")
    add_compose_parser(parser.add_subparsers(dest="command"))
    return run_compose_command(parser.parse_args(["compose", *argv]))


def sh(client: docker.DockerClient, container: str, command: str) -> tuple[int, str]:
    """Runs `sh -c command` in a container; the exit code and the merged output."""
    code, output = client.containers.get(container).exec_run(["sh", "-c", command])
    assert isinstance(output, bytes) and code is not None
    return int(code), output.decode(errors="replace")


def instant(text: str) -> str:
    """An RFC 3339 time from dockerd, made to sort as text: Go trims the trailing zeros of the
    nanoseconds, so ".12Z" would sort after ".123Z"."""
    head, _, fraction = text.removesuffix("Z").partition(".")
    return f"{head}.{fraction.ljust(9, '0')}"


def env_of(client: docker.DockerClient, container: str) -> dict[str, str]:
    """A container's environment as a mapping."""
    raw = client.api.inspect_container(container)["Config"]["Env"] or []
    return dict(item.partition("=")[::2] for item in raw)


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
