"""A service extending one in another file, brought up by `dockyard compose`, on both engines."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import docker
import pytest

from tests.compose.conftest import Projects
from tests.compose.helpers import dockyard, labels, project_containers, sh
from tests.fixtures.both_engines import docker_client, docker_url

pytestmark = pytest.mark.docker

# one body, two engines: these fixtures override the dockerd-only ones for this module
__all__ = ["docker_client", "docker_url"]

Write = Callable[..., Path]
IMAGE = "dockyard-test/busybox:latest"


def test_an_extended_service_runs_with_the_merged_settings(
    write: Write,
    tmp_path: Path,
    projects: Projects,
    docker_url: str,
    docker_client: docker.DockerClient,
) -> None:
    name = projects.new("ext")
    common = tmp_path / "common"
    write("shared/hello.txt", "from the base's folder\n", folder=common)
    write("base.env", "FROM_ENV_FILE=yes\n", folder=common)
    write(
        "common.yaml",
        f"""
        services:
          app:
            image: {IMAGE}
            command: ["sh", "-c", "exit 3"]
            env_file: base.env
            environment: {{LEVEL: base, KEPT: base}}
            labels: {{tier: base}}
            volumes: ["./shared:/shared:ro"]
        """,
        folder=common,
    )
    file = write(
        "compose.yaml",
        """
        services:
          web:
            extends:
              file: ../common/common.yaml
              service: app
            command: ["sleep", "600"]
            environment: {LEVEL: web}
            stop_grace_period: 1s
        """,
        folder=tmp_path / "app",
    )
    assert dockyard("-e", docker_url, "-f", str(file), "-p", name, "up", "-d") == 0

    containers = project_containers(docker_client, name)
    assert set(containers) == {f"{name}-web-1"}  # the base file's service is not created
    assert containers[f"{name}-web-1"]["State"] == "running"  # sleep, not the base's exit 3
    code, out = sh(docker_client, f"{name}-web-1", 'echo "$LEVEL $KEPT $FROM_ENV_FILE"')
    assert (code, out) == (0, "web base yes\n")
    code, out = sh(docker_client, f"{name}-web-1", "cat /shared/hello.txt")
    assert (code, out) == (0, "from the base's folder\n")
    assert labels(docker_client, f"{name}-web-1")["tier"] == "base"
    assert dockyard("-e", docker_url, "-f", str(file), "-p", name, "down") == 0
    assert project_containers(docker_client, name) == {}
