"""`up` on dockerd: only what changed is recreated, dependency conditions, volumes, ipam, builds."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import docker
import pytest

from engine_adapters.compose import ComposeError, Orchestrator, load_project
from engine_adapters.docker_engine import DockerEngine
from tests.compose.conftest import Projects
from tests.compose.helpers import instant, project_containers, project_networks, sh

pytestmark = pytest.mark.docker
Write = Callable[..., Path]
IMAGE = "dockyard-test/busybox:latest"


def runner(
    engine: DockerEngine, file: Path, name: str, lines: list[str] | None = None
) -> Orchestrator:
    project = load_project(str(file), name, env=dict(os.environ))
    return Orchestrator(engine, project, report=(lines.append if lines is not None else print))


def ids(client: docker.DockerClient, name: str) -> dict[str, str]:
    return {n: c["Id"] for n, c in project_containers(client, name).items()}


async def test_up_again_recreates_only_what_changed(
    engine: DockerEngine, projects: Projects, write: Write, docker_client: docker.DockerClient
) -> None:
    name = projects.new("re")
    template = """
        services:
          app:
            image: {image}
            command: sleep 3600
            environment:
              COLOUR: {colour}
            stop_grace_period: 0s
          worker:
            image: {image}
            command: sleep 3600
          sidecar:
            image: {image}
            command: sleep 3600
            stop_grace_period: 0s
            network_mode: service:app
        """
    file = write("compose.yaml", template.format(image=IMAGE, colour="red"))
    await runner(engine, file, name).up()
    first = ids(docker_client, name)

    lines: list[str] = []
    await runner(engine, file, name, lines).up()
    assert ids(docker_client, name) == first
    assert all(line.endswith("Running") for line in lines if line.startswith("Container"))

    write("compose.yaml", template.format(image=IMAGE, colour="blue"))
    await runner(engine, file, name).up()
    second = ids(docker_client, name)
    assert second[f"{name}-worker-1"] == first[f"{name}-worker-1"]
    assert second[f"{name}-app-1"] != first[f"{name}-app-1"]
    # The sidecar lived in the old app container's network stack: it must follow.
    assert second[f"{name}-sidecar-1"] != first[f"{name}-sidecar-1"]
    sidecar = docker_client.api.inspect_container(f"{name}-sidecar-1")
    assert sidecar["HostConfig"]["NetworkMode"] == f"container:{second[f'{name}-app-1']}"
    assert "COLOUR=blue" in docker_client.api.inspect_container(f"{name}-app-1")["Config"]["Env"]

    # A stopped container with an unchanged config is started, not recreated.
    docker_client.api.stop(f"{name}-worker-1", timeout=0)
    await runner(engine, file, name).up()
    assert ids(docker_client, name) == second
    assert project_containers(docker_client, name)[f"{name}-worker-1"]["State"] == "running"


async def test_service_healthy_waits_for_the_healthcheck(
    engine: DockerEngine, projects: Projects, write: Write, docker_client: docker.DockerClient
) -> None:
    name = projects.new("hc")
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
          migrate:
            image: {IMAGE}
            command: sh -c "exit 0"
          web:
            image: {IMAGE}
            command: sleep 3600
            depends_on:
              db:
                condition: service_healthy
              migrate:
                condition: service_completed_successfully
        """,
    )
    lines: list[str] = []
    await runner(engine, file, name, lines).up()
    assert f"Container {name}-db-1  Healthy" in lines
    db = docker_client.api.inspect_container(f"{name}-db-1")
    web = docker_client.api.inspect_container(f"{name}-web-1")
    assert db["State"]["Health"]["Status"] == "healthy"
    first_pass = min(e["End"] for e in db["State"]["Health"]["Log"] if e["ExitCode"] == 0)
    assert instant(web["State"]["StartedAt"]) > instant(first_pass)  # both in UTC
    assert lines.index(f"Container {name}-db-1  Healthy") < lines.index(
        f"Container {name}-web-1  Started"
    )
    assert docker_client.api.inspect_container(f"{name}-migrate-1")["State"]["ExitCode"] == 0


async def test_a_dependency_that_fails_stops_up(
    engine: DockerEngine, projects: Projects, write: Write, docker_client: docker.DockerClient
) -> None:
    name = projects.new("fl")
    file = write(
        "compose.yaml",
        f"""
        services:
          migrate:
            image: {IMAGE}
            command: sh -c "exit 3"
          web:
            image: {IMAGE}
            command: sleep 3600
            depends_on:
              migrate:
                condition: service_completed_successfully
        """,
    )
    with pytest.raises(ComposeError, match="service migrate exited with code 3"):
        await runner(engine, file, name).up()
    assert f"{name}-web-1" not in project_containers(docker_client, name)


async def test_volumes_named_anonymous_and_bind(
    engine: DockerEngine, projects: Projects, write: Write, docker_client: docker.DockerClient
) -> None:
    name = projects.new("vol")
    write("site/index.html", "hello from the bind mount\n")
    file = write(
        "compose.yaml",
        f"""
        services:
          app:
            image: {IMAGE}
            command: sleep 3600
            volumes:
              - data:/data
              - /scratch
              - ./site:/site:ro
        volumes:
          data:
            labels:
              purpose: test
        """,
    )
    compose = runner(engine, file, name)
    await compose.up()
    volume = docker_client.api.inspect_volume(f"{name}_data")
    assert volume["Labels"]["com.docker.compose.project"] == name
    assert volume["Labels"]["com.docker.compose.volume"] == "data"
    assert volume["Labels"]["purpose"] == "test"
    container = f"{name}-app-1"
    assert sh(docker_client, container, "cat /site/index.html") == (
        0,
        "hello from the bind mount\n",
    )
    code, _ = sh(docker_client, container, "touch /site/x")
    assert code != 0  # read-only
    assert sh(docker_client, container, "echo kept > /data/f")[0] == 0
    mounts = {m["Destination"]: m for m in docker_client.api.inspect_container(container)["Mounts"]}
    assert mounts["/data"]["Name"] == f"{name}_data"
    assert mounts["/scratch"]["Type"] == "volume" and mounts["/site"]["Type"] == "bind"

    await compose.down(timeout=0)
    assert docker_client.api.inspect_volume(f"{name}_data")["Name"] == f"{name}_data"
    # As with docker compose, `down` without -v keeps the first container's anonymous volume.
    scratch = mounts["/scratch"]["Name"]
    try:
        await compose.up()
        assert sh(docker_client, container, "cat /data/f") == (0, "kept\n")
        await compose.down(volumes=True, timeout=0)
        with pytest.raises(docker.errors.NotFound):
            docker_client.api.inspect_volume(f"{name}_data")
    finally:
        docker_client.api.remove_volume(scratch)


async def test_networks_with_ipam_aliases_and_an_external_network(
    engine: DockerEngine,
    projects: Projects,
    write: Write,
    docker_client: docker.DockerClient,
) -> None:
    name = projects.new("ip")
    outside = f"{name}-outside"
    docker_client.api.create_network(outside)
    try:
        file = write(
            "compose.yaml",
            f"""
            services:
              api:
                image: {IMAGE}
                command: sleep 3600
                networks:
                  fixed:
                    ipv4_address: 10.231.7.10
                    aliases: [backend-api]
                  outside:
              client:
                image: {IMAGE}
                command: sleep 3600
                networks: [fixed]
            networks:
              fixed:
                internal: true
                ipam:
                  config:
                    - subnet: 10.231.7.0/24
                      gateway: 10.231.7.1
              outside:
                external: true
                name: {outside}
            """,
        )
        compose = runner(engine, file, name)
        await compose.up()
        assert project_networks(docker_client, name) == {f"{name}_fixed"}
        fixed = docker_client.api.inspect_network(f"{name}_fixed")
        assert fixed["Internal"] is True
        assert fixed["IPAM"]["Config"][0]["Subnet"] == "10.231.7.0/24"
        api = docker_client.api.inspect_container(f"{name}-api-1")["NetworkSettings"]["Networks"]
        assert api[f"{name}_fixed"]["IPAddress"] == "10.231.7.10"
        assert {"api", "backend-api"} <= set(api[f"{name}_fixed"]["Aliases"])
        assert "api" in api[outside]["Aliases"]
        code, output = sh(docker_client, f"{name}-client-1", "ping -c1 -W2 backend-api")
        assert code == 0 and "10.231.7.10" in output, output
        await compose.down(timeout=0)
        # The external network is not the project's to remove.
        assert docker_client.api.inspect_network(outside)["Name"] == outside
    finally:
        docker_client.api.remove_network(outside)


async def test_up_of_an_unknown_service_is_an_error(
    engine: DockerEngine, projects: Projects, write: Write, docker_client: docker.DockerClient
) -> None:
    name = projects.new("uk")
    file = write("compose.yaml", f"services:\n  a: {{image: '{IMAGE}', command: sleep 3600}}\n")
    with pytest.raises(ComposeError, match="no such service: ghost"):
        await runner(engine, file, name).up(["ghost"])
    assert project_networks(docker_client, name) == set()


async def test_missing_external_network_is_an_error(
    engine: DockerEngine, projects: Projects, write: Write, docker_client: docker.DockerClient
) -> None:
    name = projects.new("ext")
    file = write(
        "compose.yaml",
        f"""
        services:
          a: {{image: "{IMAGE}", command: sleep 3600, networks: [gone]}}
        networks:
          gone:
            external: true
            name: {name}-nowhere
        """,
    )
    with pytest.raises(ComposeError, match="declared external but does not exist"):
        await runner(engine, file, name).up()
    assert project_containers(docker_client, name) == {}


async def test_build_then_up_uses_the_built_image(
    engine: DockerEngine, projects: Projects, write: Write, docker_client: docker.DockerClient
) -> None:
    name = projects.new("bld")
    projects.images.append(f"{name}-app")
    write(
        "app/Dockerfile",
        f"""
        FROM {IMAGE}
        ARG FLAVOUR=plain
        RUN echo "built $FLAVOUR" > /built
        CMD ["sleep", "3600"]
        """,
    )
    file = write(
        "compose.yaml",
        """
        services:
          app:
            build:
              context: ./app
              args:
                FLAVOUR: spicy
        """,
    )
    compose = runner(engine, file, name)
    await compose.build()
    assert docker_client.images.get(f"{name}-app").id
    await compose.up()
    assert sh(docker_client, f"{name}-app-1", "cat /built") == (0, "built spicy\n")


async def test_start_stop_restart(
    engine: DockerEngine, projects: Projects, write: Write, docker_client: docker.DockerClient
) -> None:
    name = projects.new("ssr")
    file = write(
        "compose.yaml",
        f"""
        services:
          a: {{image: "{IMAGE}", command: sleep 3600, stop_grace_period: 1s}}
          b: {{image: "{IMAGE}", command: sleep 3600, depends_on: [a], stop_grace_period: 1s}}
        """,
    )
    compose = runner(engine, file, name)
    await compose.up()
    await compose.stop()
    assert {c["State"] for c in project_containers(docker_client, name).values()} == {"exited"}
    await compose.start(["a"])
    states = {n: c["State"] for n, c in project_containers(docker_client, name).items()}
    assert states == {f"{name}-a-1": "running", f"{name}-b-1": "exited"}
    await compose.start()
    before = docker_client.api.inspect_container(f"{name}-b-1")["State"]["StartedAt"]
    await compose.restart(["b"])
    after = docker_client.api.inspect_container(f"{name}-b-1")["State"]["StartedAt"]
    assert after > before
    assert [c.compose_service for c in await compose.containers()] == ["a", "b"]
