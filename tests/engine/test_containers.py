"""Container lists, inspect and actions through DockerEngine, checked against the real dockerd."""

from __future__ import annotations

import socket

import docker
import pytest

from engine_adapters.docker_engine import DockerEngine
from engine_adapters.errors import Conflict, EngineError, InvalidRequest, NotFound
from engine_adapters.models import ContainerState, PortSpec, Process, RunSpec, VolumeSpec
from tests.engine.conftest import TEST_IMAGE, Resources
from tests.waiting import eventually

pytestmark = pytest.mark.docker

SLEEPER = ("sleep", "3600")


async def test_exited_container_reports_its_exit_code(engine: DockerEngine, res: Resources) -> None:
    name = res.container()
    created = await engine.run(RunSpec(TEST_IMAGE, name=name, command=("sh", "-c", "exit 3")))
    assert await engine.wait(created.id) == 3
    listed = {c.name: c for c in await engine.containers(all=True)}
    assert listed[name].state is ContainerState.EXITED
    assert listed[name].exit_code == 3
    details = await engine.inspect_container(name)
    assert details.container.exit_code == 3
    assert details.container.finished_at is not None
    assert name not in {c.name for c in await engine.containers(all=False)}


async def test_run_applies_the_spec(
    engine: DockerEngine, res: Resources, docker_client: docker.DockerClient
) -> None:
    name, net, vol = res.container(), res.network(), res.volume()
    docker_client.networks.create(net)
    labels = {"com.docker.compose.project": "shop", "com.docker.compose.service": "web"}
    spec = RunSpec(
        TEST_IMAGE,
        name=name,
        command=SLEEPER,
        env={"GREETING": "hello", "API_TOKEN": "s3cret"},
        ports=(PortSpec(8080, host_ip="127.0.0.1"),),
        volumes=(VolumeSpec("/data", vol), VolumeSpec("/scratch")),
        network=net,
        network_aliases=("shopfront",),
        restart_policy="on-failure:2",
        labels=labels,
    )
    container = await engine.run(spec)
    assert container.state is ContainerState.RUNNING
    assert container.compose_project == "shop" and container.compose_service == "web"
    published = [p for p in container.ports if p.published]
    assert published and published[0].container_port == 8080 and published[0].host_port
    real = docker_client.api.inspect_container(name)
    host_port = real["NetworkSettings"]["Ports"]["8080/tcp"][0]["HostPort"]
    assert str(published[0].host_port) == host_port

    listed = {c.name: c for c in await engine.containers()}[name]
    attachment = {a.network: a for a in listed.networks}[net]
    assert attachment.ip == real["NetworkSettings"]["Networks"][net]["IPAddress"] != ""
    assert {m.destination for m in listed.mounts} == {"/data", "/scratch"}
    assert {m.name for m in listed.mounts if m.destination == "/data"} == {vol}
    assert listed.started_at is None or listed.started_at  # lists may not carry it

    details = await engine.inspect_container(name)
    assert ("GREETING", "hello") in details.env
    assert details.restart_policy == "on-failure:2"
    assert details.container.started_at is not None
    assert "shopfront" in {a for n in details.container.networks for a in n.aliases}


async def test_lifecycle_actions_change_the_real_state(
    engine: DockerEngine, res: Resources, docker_client: docker.DockerClient
) -> None:
    name = res.container()
    await engine.run(RunSpec(TEST_IMAGE, name=name, command=SLEEPER))

    def state() -> str:
        return str(docker_client.api.inspect_container(name)["State"]["Status"])

    await engine.pause(name)
    assert state() == "paused"
    await engine.unpause(name)
    assert state() == "running"
    await engine.stop(name, timeout=1)
    assert state() == "exited"
    await engine.start(name)
    assert state() == "running"
    first_start = docker_client.api.inspect_container(name)["State"]["StartedAt"]
    await engine.restart(name, timeout=1)
    assert docker_client.api.inspect_container(name)["State"]["StartedAt"] != first_start
    await engine.kill(name, "SIGKILL")
    assert state() == "exited"
    assert docker_client.api.inspect_container(name)["State"]["ExitCode"] == 137
    new_name = res.container()
    await engine.rename(name, new_name)
    assert docker_client.api.inspect_container(new_name)["Name"] == f"/{new_name}"


async def test_remove_force_and_volumes(
    engine: DockerEngine, res: Resources, docker_client: docker.DockerClient
) -> None:
    name = res.container()
    await engine.run(
        RunSpec(TEST_IMAGE, name=name, command=SLEEPER, volumes=(VolumeSpec("/anon"),))
    )
    anon = docker_client.api.inspect_container(name)["Mounts"][0]["Name"]
    with pytest.raises(Conflict):
        await engine.remove(name)
    await engine.remove(name, force=True, volumes=True)
    with pytest.raises(NotFound):
        await engine.inspect_container(name)
    with pytest.raises(docker.errors.NotFound):
        docker_client.api.inspect_volume(anon)


async def test_prune_containers_reports_what_went(engine: DockerEngine, res: Resources) -> None:
    name = res.container()
    created = await engine.run(RunSpec(TEST_IMAGE, name=name, command=("true",)))
    await engine.wait(created.id)
    report = await engine.prune_containers()
    assert created.id in report.deleted
    assert name not in {c.name for c in await engine.containers()}


async def test_errors_are_one_line_engine_errors(engine: DockerEngine, res: Resources) -> None:
    with pytest.raises(NotFound):
        await engine.start("dockyard-no-such-container")
    with pytest.raises(InvalidRequest):
        await engine.run(RunSpec("Not A Valid:Image Name", name=res.container()))
    with pytest.raises(InvalidRequest):
        await engine.run(RunSpec(TEST_IMAGE, restart_policy="sometimes"))
    try:
        await engine.stop("dockyard-no-such-container")
    except EngineError as exc:
        assert "\n" not in str(exc) and str(exc)


async def test_port_already_taken_fails_and_leaves_nothing(
    engine: DockerEngine, res: Resources
) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        name = res.container()
        spec = RunSpec(
            TEST_IMAGE,
            name=name,
            command=SLEEPER,
            ports=(PortSpec(80, host_port=port, host_ip="127.0.0.1"),),
        )
        with pytest.raises(EngineError) as caught:
            await engine.run(spec)
    assert str(port) in str(caught.value) or "address" in str(caught.value).lower()
    assert name not in {c.name for c in await engine.containers()}


async def test_top_lists_the_processes(engine: DockerEngine, res: Resources) -> None:
    name = res.container()
    await engine.run(RunSpec(TEST_IMAGE, name=name, command=SLEEPER))

    async def sleeping() -> list[Process] | None:
        # The container may be running before its first process has exec'd its command.
        processes = await engine.top(name)
        return processes if any("sleep 3600" in p.command for p in processes) else None

    processes = await eventually(sleeping)
    assert all(p.pid for p in processes)
