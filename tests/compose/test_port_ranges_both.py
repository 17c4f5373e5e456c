"""`up --scale` with a host port range, on dockerd and native: one port of the range each."""

from __future__ import annotations

import contextlib
import random
import socket
from collections.abc import Callable
from pathlib import Path

import docker
import pytest

from engine_adapters.compose import ComposeError
from tests.compose.conftest import Projects
from tests.compose.helpers import dockyard, project_containers
from tests.fixtures.both_engines import docker_client, docker_url

pytestmark = pytest.mark.docker

# one body, two engines: these fixtures override the dockerd-only ones for this module
__all__ = ["docker_client", "docker_url"]

Write = Callable[..., Path]
IMAGE = "dockyard-test/busybox:latest"


def free_range(size: int) -> int:
    """The first of `size` consecutive host ports that nothing listens on, high up."""
    for _ in range(50):
        low = random.randrange(42000, 48000)
        with contextlib.ExitStack() as stack:
            probes = [stack.enter_context(socket.socket()) for _ in range(size)]
            try:
                for k, probe in enumerate(probes):
                    probe.bind(("0.0.0.0", low + k))
            except OSError:
                continue
        return low
    raise AssertionError("no free host port range found")


def published(client: docker.DockerClient, project: str) -> dict[str, set[int]]:
    """Each container's host ports for 80/tcp, from the engine's list and from inspect; the two
    must agree."""
    found: dict[str, set[int]] = {}
    for name, entry in project_containers(client, project).items():
        listed = {p["PublicPort"] for p in entry["Ports"] or () if p.get("PublicPort")}
        raw = client.api.inspect_container(name)
        bound = {int(b["HostPort"]) for b in raw["HostConfig"]["PortBindings"]["80/tcp"]}
        live = {int(b["HostPort"]) for b in raw["NetworkSettings"]["Ports"]["80/tcp"] or ()}
        assert listed == bound == live, (name, listed, bound, live)
        found[name] = listed
    return found


def test_scaled_replicas_take_one_port_of_the_range_each(
    write: Write,
    projects: Projects,
    docker_url: str,
    docker_client: docker.DockerClient,
) -> None:
    name = projects.new("ports")
    low = free_range(3)
    file = write(
        "compose.yaml",
        f"""
        services:
          web:
            image: {IMAGE}
            command: ["httpd", "-f", "-p", "80"]
            ports: ["{low}-{low + 2}:80"]
        """,
    )
    common = ("-e", docker_url, "-f", str(file), "-p", name)
    web = [f"{name}-web-{n}" for n in (1, 2, 3)]

    assert dockyard(*common, "up", "-d", "--scale", "web=3") == 0
    assert published(docker_client, name) == {
        web[0]: {low},
        web[1]: {low + 1},
        web[2]: {low + 2},
    }
    ids = {r: docker_client.api.inspect_container(r)["Id"] for r in web}

    assert dockyard(*common, "up", "-d", "--scale", "web=2") == 0
    assert published(docker_client, name) == {web[0]: {low}, web[1]: {low + 1}}
    assert {r: docker_client.api.inspect_container(r)["Id"] for r in web[:2]} == {
        r: ids[r] for r in web[:2]
    }

    # a new third replica takes the port the old one freed
    assert dockyard(*common, "up", "-d", "--scale", "web=3") == 0
    assert published(docker_client, name)[web[2]] == {low + 2}

    # one more than the range holds: refused with the port's line, nothing created
    with pytest.raises(ComposeError) as refused:
        dockyard(*common, "up", "-d", "--scale", "web=4")
    assert str(refused.value) == (
        f'{file}:5: services.web.ports[0]: service "web" cannot run 4 containers: '
        f"host port range {low}-{low + 2} has 3 ports"
    )
    assert set(project_containers(docker_client, name)) == set(web)

    assert dockyard(*common, "down", "-t", "0") == 0
    assert project_containers(docker_client, name) == {}
