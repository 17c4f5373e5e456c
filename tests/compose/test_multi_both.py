"""Override files, profiles and scale through `dockyard compose`, on dockerd and native."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import docker
import pytest

from engine_adapters.compose import ComposeError
from tests.compose.conftest import Projects
from tests.compose.helpers import dockyard, env_of, labels, project_containers, project_networks, sh
from tests.fixtures.both_engines import docker_client, docker_url

pytestmark = pytest.mark.docker

# one body, two engines: these fixtures override the dockerd-only ones for this module
__all__ = ["docker_client", "docker_url"]

Write = Callable[..., Path]
IMAGE = "dockyard-test/busybox:latest"


def test_an_override_file_merges_over_the_base(
    write: Write,
    tmp_path: Path,
    projects: Projects,
    docker_url: str,
    docker_client: docker.DockerClient,
) -> None:
    name = projects.new("ovr")
    base = write(
        "compose.yaml",
        f"""
        services:
          web:
            image: {IMAGE}
            command: ["sh", "-c", "exit 3"]
            environment: [A=base, B=base]
            labels: {{tier: base}}
            volumes: ["./base-data:/data"]
        """,
    )
    override = write(
        "override.yaml",
        f"""
        services:
          web:
            command: ["sleep", "600"]
            environment: {{B: over}}
            labels: [extra=yes]
            volumes: ["./mine:/data"]
          sidecar:
            image: {IMAGE}
            command: ["sleep", "600"]
        """,
        folder=tmp_path / "over",
    )
    common = ("-e", docker_url, "-f", str(base), "-f", str(override), "-p", name)
    assert dockyard(*common, "up", "-d") == 0

    containers = project_containers(docker_client, name)
    assert set(containers) == {f"{name}-web-1", f"{name}-sidecar-1"}
    assert all(c["State"] == "running" for c in containers.values())  # sleep, not exit 3
    web = docker_client.api.inspect_container(f"{name}-web-1")
    assert web["Config"]["Cmd"] == ["sleep", "600"]
    env = env_of(docker_client, f"{name}-web-1")
    assert (env["A"], env["B"]) == ("base", "over")
    mounts = {m["Destination"]: m["Source"] for m in web["Mounts"]}
    assert mounts["/data"] == str(tmp_path / "over" / "mine")  # against the override's folder
    web_labels = labels(docker_client, f"{name}-web-1")
    assert (web_labels["tier"], web_labels["extra"]) == ("base", "yes")
    assert web_labels["com.docker.compose.project.config_files"] == f"{base},{override}"
    assert web_labels["com.docker.compose.project.working_dir"] == str(tmp_path)

    assert dockyard(*common, "down", "-t", "0") == 0
    assert project_containers(docker_client, name) == {}
    assert project_networks(docker_client, name) == set()


PROFILED = f"""
services:
  web:
    image: {IMAGE}
    command: ["sleep", "600"]
  tool:
    image: {IMAGE}
    command: ["sleep", "600"]
    profiles: [debug]
    depends_on: [helper]
  helper:
    image: {IMAGE}
    command: ["sleep", "600"]
    profiles: [support]
"""


def test_profiles_choose_the_services(
    write: Write, projects: Projects, docker_url: str, docker_client: docker.DockerClient
) -> None:
    name = projects.new("prof")
    file = write("compose.yaml", PROFILED)
    common = ("-e", docker_url, "-f", str(file), "-p", name)

    assert dockyard(*common, "up", "-d") == 0
    assert set(project_containers(docker_client, name)) == {f"{name}-web-1"}
    # named on the command line, `tool` comes with `helper` though neither profile is active
    assert dockyard(*common, "up", "-d", "tool") == 0
    assert set(project_containers(docker_client, name)) == {
        f"{name}-web-1",
        f"{name}-tool-1",
        f"{name}-helper-1",
    }
    assert dockyard(*common, "down", "-t", "0") == 0
    assert project_containers(docker_client, name) == {}

    assert dockyard(*common[:-2], "--profile", "support", "-p", name, "up", "-d") == 0
    assert set(project_containers(docker_client, name)) == {f"{name}-web-1", f"{name}-helper-1"}
    assert dockyard(*common, "down", "-t", "0") == 0
    assert project_containers(docker_client, name) == {}


def test_scale_up_to_three_then_down_to_one(
    write: Write,
    projects: Projects,
    docker_url: str,
    docker_client: docker.DockerClient,
    capsys: pytest.CaptureFixture[str],
) -> None:
    name = projects.new("scale")
    file = write(
        "compose.yaml",
        f"""
        services:
          web:
            image: {IMAGE}
            command: ["sleep", "600"]
            ports: ["80"]
            stop_grace_period: 0s  # sleep ignores SIGTERM: do not wait for it
          pinned:
            image: {IMAGE}
            command: ["sleep", "600"]
            ports: ["18080:80"]
            profiles: [never]
        """,
    )
    common = ("-e", docker_url, "-f", str(file), "-p", name)
    assert dockyard(*common, "up", "-d") == 0
    first_id = docker_client.api.inspect_container(f"{name}-web-1")["Id"]

    assert dockyard(*common, "up", "-d", "--scale", "web=3") == 0
    replicas = [f"{name}-web-{n}" for n in (1, 2, 3)]
    containers = project_containers(docker_client, name)
    assert set(containers) == set(replicas)
    assert all(c["State"] == "running" for c in containers.values())
    assert [labels(docker_client, r)["com.docker.compose.container-number"] for r in replicas] == [
        "1",
        "2",
        "3",
    ]
    assert docker_client.api.inspect_container(replicas[0])["Id"] == first_id  # kept
    capsys.readouterr()
    assert dockyard(*common, "ps") == 0
    assert [row.split()[0] for row in capsys.readouterr().out.splitlines()[1:]] == replicas
    # the service name answers on the project network, from every replica
    network = f"{name}_default"
    addresses = {
        docker_client.api.inspect_container(r)["NetworkSettings"]["Networks"][network]["IPAddress"]
        for r in replicas
    }
    for replica in (replicas[0], replicas[2]):
        code, output = sh(docker_client, replica, "nslookup web")
        assert code == 0 and any(a in output for a in addresses), output

    assert dockyard(*common, "up", "-d", "--scale", "web=1") == 0
    assert set(project_containers(docker_client, name)) == {replicas[0]}
    assert docker_client.api.inspect_container(replicas[0])["Id"] == first_id

    # a fixed host port cannot be shared: one line, nothing created
    with pytest.raises(ComposeError, match=r'service "pinned" cannot run 2 containers'):
        dockyard(*common, "up", "-d", "pinned", "--scale", "pinned=2")
    assert set(project_containers(docker_client, name)) == {replicas[0]}

    assert dockyard(*common, "down", "-t", "0") == 0
    assert project_containers(docker_client, name) == {}
    assert project_networks(docker_client, name) == set()
