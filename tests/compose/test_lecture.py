"""The lecture's three compose files up on dockerd and on the native engine, then down."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from pathlib import Path

import docker
import pytest

from engine_adapters.compose import Orchestrator
from engine_adapters.docker_engine import DockerEngine
from tests.compose.conftest import Projects, free_port
from tests.compose.helpers import labels, project_containers, project_networks, sh, up
from tests.fixtures.both_engines import docker_client, docker_url, engine
from tests.waiting import eventually

pytestmark = pytest.mark.docker

# one body, two engines: these fixtures override the dockerd-only ones for this module
__all__ = ["docker_client", "docker_url", "engine"]


async def test_networks_example(
    engine: DockerEngine,
    projects: Projects,
    lecture: Callable[[str], Path],
    docker_client: docker.DockerClient,
) -> None:
    name = projects.new("net")
    file = lecture("networks")
    project = await up(engine, str(file), name)

    assert project_networks(docker_client, name) == {f"{name}_mynet", f"{name}_mynet2"}
    containers = project_containers(docker_client, name)
    assert set(containers) == {f"{name}-c1-1", f"{name}-c2-1", f"{name}-c3-1"}
    assert all(c["State"] == "running" for c in containers.values())
    c1 = labels(docker_client, f"{name}-c1-1")
    assert c1["com.docker.compose.project"] == name
    assert c1["com.docker.compose.service"] == "c1"
    assert c1["com.docker.compose.container-number"] == "1"
    assert c1["com.docker.compose.oneoff"] == "False"
    assert c1["com.docker.compose.project.working_dir"] == str(file.parent)
    assert c1["com.docker.compose.project.config_files"] == str(file)
    assert len(c1["com.docker.compose.config-hash"]) == 64
    net = docker_client.api.inspect_network(f"{name}_mynet")
    assert net["Labels"]["com.docker.compose.network"] == "mynet"
    assert net["Labels"]["com.docker.compose.project"] == name

    # c2 is on both networks, so it finds c1 and c3 by service name and container name.
    for target in ("c1", "c3", f"{name}-c1-1", f"{name}-c3-1"):
        code, output = sh(docker_client, f"{name}-c2-1", f"ping -c1 -W2 {target}")
        assert code == 0, output
    code, output = sh(
        docker_client, f"{name}-c2-1", "nslookup c1"
    )  # the engine's DNS, from resolv.conf
    c1_ip = docker_client.api.inspect_container(f"{name}-c1-1")["NetworkSettings"]["Networks"][
        f"{name}_mynet"
    ]["IPAddress"]
    assert code == 0 and c1_ip in output, output

    # c1 and c3 share no network: neither the name nor the address reaches across.
    code, output = sh(docker_client, f"{name}-c1-1", "nslookup c3")
    assert code != 0, output
    c3_ip = docker_client.api.inspect_container(f"{name}-c3-1")["NetworkSettings"]["Networks"][
        f"{name}_mynet2"
    ]["IPAddress"]
    code, output = sh(docker_client, f"{name}-c1-1", f"ping -c1 -W1 {c3_ip}")
    assert code != 0, output

    await Orchestrator(engine, project).down(timeout=0)
    assert project_containers(docker_client, name) == {}
    assert project_networks(docker_client, name) == set()


async def test_network_mode_service_example(
    engine: DockerEngine,
    projects: Projects,
    lecture: Callable[[str], Path],
    docker_client: docker.DockerClient,
) -> None:
    name = projects.new("nm")
    project = await up(engine, str(lecture("network-mode")), name)

    c1 = docker_client.api.inspect_container(f"{name}-c1-1")
    c2 = docker_client.api.inspect_container(f"{name}-c2-1")
    assert c1["HostConfig"]["NetworkMode"] == f"container:{c2['Id']}"
    assert c1["NetworkSettings"]["Networks"] == {}
    # c1 sees c2's interfaces, so it reaches c3 over mynet2 without a network of its own.
    _, c1_addrs = sh(docker_client, f"{name}-c1-1", "ip -4 -o addr show | awk '{print $4}' | sort")
    _, c2_addrs = sh(docker_client, f"{name}-c2-1", "ip -4 -o addr show | awk '{print $4}' | sort")
    assert c1_addrs == c2_addrs and c1_addrs.count("\n") == 3  # lo, mynet, mynet2
    code, output = sh(docker_client, f"{name}-c1-1", "ping -c1 -W2 c3")
    assert code == 0, output
    assert project_networks(docker_client, name) == {f"{name}_mynet", f"{name}_mynet2"}

    await Orchestrator(engine, project).down(timeout=0)
    assert project_containers(docker_client, name) == {}
    assert project_networks(docker_client, name) == set()


async def test_tomcat_mysql_example(
    engine: DockerEngine,
    projects: Projects,
    lecture: Callable[[str], Path],
    docker_client: docker.DockerClient,
) -> None:
    name = projects.new("tm")
    file = lecture("tomcat-mysql")
    http_port, ssh_port = free_port(), free_port()
    env = {"TOMCAT_HTTP_PORT": str(http_port), "TOMCAT_SSH_PORT": str(ssh_port)}
    project = await up(engine, str(file), name, env)

    assert project_networks(docker_client, name) == {f"{name}_default"}
    tomcat = docker_client.api.inspect_container(f"{name}-tomcat-1")
    ports = tomcat["NetworkSettings"]["Ports"]
    assert ports["8080/tcp"][0]["HostPort"] == str(http_port)
    assert ports["22/tcp"][0]["HostPort"] == str(ssh_port)
    binds = {m["Destination"]: m["Source"] for m in tomcat["Mounts"]}
    assert binds["/var/lib/tomcat7/webapps"] == str(file.parent / "webapps")
    assert binds["/var/log/tomcat7"] == str(file.parent / "logs")
    mysql = docker_client.api.inspect_container(f"{name}-mysql-1")
    assert "MYSQL_ROOT_PASSWORD=lecture" in mysql["Config"]["Env"]
    assert {m["Destination"]: m["Source"] for m in mysql["Mounts"]}["/var/lib/mysql"] == str(
        file.parent / "mysql"
    )

    # The link alias `db` and the service name both reach mysql from tomcat.
    for target in ("db", "mysql"):
        code, output = sh(docker_client, f"{name}-tomcat-1", f"ping -c1 -W2 {target}")
        assert code == 0, output

    def page() -> str:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/index.html", timeout=2) as r:
                return str(r.read().decode())
        except OSError:
            return ""

    assert "tomcat stand-in" in await eventually(page)

    await Orchestrator(engine, project).down(timeout=0)
    assert project_containers(docker_client, name) == {}
    assert project_networks(docker_client, name) == set()
    assert json.dumps(docker_client.api.networks(names=[f"{name}_default"])) == "[]"
