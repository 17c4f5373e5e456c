"""The lecture's files under Debian's docker-compose 1.29 and under Dockyard: the same result.

Compared: network names, container names, the com.docker.compose label keys on
containers and networks, which networks each container joins, its DNS aliases
and its network mode. Names are compared without the project prefix, and with
Compose v1's `_` separator read as v2's `-` (`proj_c1_1` against `proj-c1-1`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docker
import pytest

from engine_adapters.compose import Orchestrator
from engine_adapters.docker_engine import DockerEngine
from tests.compose.conftest import Projects, free_port
from tests.compose.helpers import up
from tests.conftest import require

pytestmark = pytest.mark.docker
COMPOSE_KEYS = "com.docker.compose."


def snapshot(client: docker.DockerClient, project: str) -> dict[str, Any]:
    label = f"com.docker.compose.project={project}"

    def short(name: str) -> str:
        return name[len(project) + 1 :].replace("_", "-")

    networks = {n["Name"]: n for n in client.api.networks(filters={"label": label})}
    containers = {}
    ids = {}
    for listed in client.api.containers(all=True, filters={"label": label}):
        raw = client.api.inspect_container(listed["Id"])
        name = short(raw["Name"].lstrip("/"))
        ids[raw["Id"]] = name
        endpoints = raw["NetworkSettings"]["Networks"] or {}
        containers[name] = {
            "state": raw["State"]["Status"],
            "labels": sorted(k for k in raw["Config"]["Labels"] if k.startswith(COMPOSE_KEYS)),
            "networks": {
                short(net): sorted(
                    a for a in ep["Aliases"] or () if not a.startswith(raw["Id"][:12])
                )
                for net, ep in endpoints.items()
            },
            "mode": raw["HostConfig"]["NetworkMode"],
            "env": sorted(e for e in raw["Config"]["Env"] if e.startswith("MYSQL_")),
        }
    for entry in containers.values():
        mode = entry["mode"]
        if mode.startswith("container:"):
            entry["mode"] = f"container:{ids[mode.split(':', 1)[1]]}"
        elif mode in networks:
            entry["mode"] = short(mode)
    return {
        "networks": {
            short(name): sorted(k for k in n["Labels"] if k.startswith(COMPOSE_KEYS))
            for name, n in networks.items()
        },
        "containers": containers,
    }


@pytest.fixture(scope="module")
def docker_compose() -> str:
    found = shutil.which("docker-compose")
    require(found is not None, "docker-compose 1.29 (Debian's) is not installed")
    assert found is not None
    return found


@pytest.mark.parametrize("example", ["networks", "network-mode", "tomcat-mysql"])
async def test_same_result_as_docker_compose(
    example: str,
    docker_compose: str,
    engine: DockerEngine,
    projects: Projects,
    lecture: Callable[[str], Path],
    docker_client: docker.DockerClient,
) -> None:
    file = lecture(example)
    env = {
        **os.environ,
        "TOMCAT_HTTP_PORT": str(free_port()),
        "TOMCAT_SSH_PORT": str(free_port()),
    }
    theirs, ours = projects.new("v1"), projects.new("dy")

    command = [docker_compose, "-f", str(file), "-p", theirs]
    subprocess.run([*command, "up", "-d"], env=env, check=True, capture_output=True, timeout=120)
    expected = snapshot(docker_client, theirs)
    subprocess.run(
        [*command, "down", "-t", "0"], env=env, check=True, capture_output=True, timeout=120
    )

    project = await up(engine, str(file), ours, env)
    actual = snapshot(docker_client, ours)
    await Orchestrator(engine, project).down(timeout=0)

    assert expected["containers"], "docker-compose created nothing"
    assert actual == expected
