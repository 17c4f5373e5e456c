"""Services on the real three-node swarm through the engine layer's public calls."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from engine_adapters.docker_engine import DockerEngine
from engine_adapters.docker_engine.swarm import DockerSwarm
from engine_adapters.errors import EngineError, InvalidRequest, NotFound
from engine_adapters.swarm.spec import ServiceSpec, UpdatePolicy
from tests.swarm.conftest import SwarmRig, unique
from tests.waiting import eventually

IMAGE = "dockyard-test/busybox:latest"
SLEEPER = ("sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done")
pytestmark = pytest.mark.swarm


async def running_nodes(swarm: DockerSwarm, service: str) -> Counter[str]:
    tasks = await swarm.tasks(service=service)
    return Counter(t.node_hostname for t in tasks if t.state == "running")


async def test_scaling_spreads_tasks_over_the_three_nodes(
    swarm: DockerSwarm, names: list[str]
) -> None:
    name = unique()
    names.append(name)
    service = await swarm.create_service(ServiceSpec(name=name, image=IMAGE, args=SLEEPER))
    assert service.mode == "replicated" and service.desired == 1
    await eventually(lambda: _count(swarm, name, 1), timeout=60)

    await swarm.scale(name, 6)
    spread = await eventually(lambda: _spread(swarm, name, 6), timeout=90)
    assert set(spread) == {"swarm-node1", "swarm-node2", "swarm-node3"}
    listed = {s.name: s for s in await swarm.services()}
    assert listed[name].replicas_text == "6/6"

    await swarm.remove_service(name)
    assert name not in {s.name for s in await swarm.services()}
    with pytest.raises(NotFound):
        await swarm.inspect_service(name)


async def test_refusals_are_one_line_engine_errors(swarm: DockerSwarm) -> None:
    with pytest.raises(InvalidRequest) as bad_name:
        await swarm.create_service(ServiceSpec(name="not a name!", image=IMAGE))
    with pytest.raises(NotFound) as missing:
        await swarm.scale("dyt-no-such-service", 2)
    with pytest.raises(InvalidRequest, match="0 or more"):
        await swarm.scale("dyt-no-such-service", -1)
    for refused in (bad_name.value, missing.value):
        assert str(refused) and "\n" not in str(refused)


async def _count(swarm: DockerSwarm, name: str, wanted: int) -> bool:
    return sum((await running_nodes(swarm, name)).values()) == wanted


async def _spread(swarm: DockerSwarm, name: str, wanted: int) -> Counter[str] | None:
    nodes = await running_nodes(swarm, name)
    return nodes if sum(nodes.values()) == wanted and len(nodes) == 3 else None


async def test_draining_a_node_moves_its_tasks(swarm: DockerSwarm, names: list[str]) -> None:
    name = unique()
    names.append(name)
    spec = ServiceSpec(name=name, image=IMAGE, args=SLEEPER, replicas=3, max_replicas_per_node=2)
    await swarm.create_service(spec)
    await eventually(lambda: _spread(swarm, name, 3), timeout=90)
    worker = next(n for n in await swarm.nodes() if n.hostname == "swarm-node3")
    await swarm.set_availability(worker.id, "drain")
    try:
        nodes = await eventually(lambda: _drained(swarm, name), timeout=90)
        assert "swarm-node3" not in nodes and sum(nodes.values()) == 3
        drained = next(n for n in await swarm.nodes() if n.id == worker.id)
        assert drained.availability == "drain"
    finally:
        await swarm.set_availability(worker.id, "active")
    assert next(n for n in await swarm.nodes() if n.id == worker.id).availability == "active"


async def _drained(swarm: DockerSwarm, name: str) -> Counter[str] | None:
    nodes = await running_nodes(swarm, name)
    return nodes if "swarm-node3" not in nodes and sum(nodes.values()) == 3 else None


async def test_a_rolling_update_reports_progress_then_rolls_back(
    swarm: DockerSwarm, names: list[str]
) -> None:
    name = unique()
    names.append(name)
    policy = UpdatePolicy(parallelism=1, delay=0.5, monitor=1.0)
    spec = ServiceSpec(
        name=name,
        image=IMAGE,
        args=SLEEPER,
        replicas=3,
        update_config=policy,
        stop_grace_period=1.0,
    )
    await swarm.create_service(spec)
    await eventually(lambda: _count(swarm, name, 3), timeout=90)
    with pytest.raises(InvalidRequest, match="no previous spec"):
        await swarm.rollback(name)

    await swarm.update_image(name, "dockyard-test/busybox:v2")
    seen: set[int] = set()

    async def finished() -> bool:
        progress = await swarm.rolling_progress(name)
        seen.add(progress.updated)
        return progress.done and progress.updated == 3

    await eventually(finished, timeout=120, interval=0.3)
    # one task at a time: the caller saw the count climb, not jump from 0 to 3
    assert len(seen - {0, 3}) >= 1, seen
    service = await swarm.inspect_service(name)
    assert service.image == "dockyard-test/busybox:v2"
    assert service.update_status is not None and service.update_status.state == "completed"

    await swarm.rollback(name)

    async def rolled_back() -> bool:
        progress = await swarm.rolling_progress(name)
        state = progress.status.state if progress.status else ""
        return state == "rollback_completed" and progress.updated == 3

    await eventually(rolled_back, timeout=120, interval=0.3)
    assert (await swarm.inspect_service(name)).image == IMAGE


async def test_merged_logs_name_the_task_and_node_of_each_line(
    swarm: DockerSwarm, names: list[str]
) -> None:
    name = unique()
    names.append(name)
    speaker = (
        "sh",
        "-c",
        "echo hello from $(hostname); trap 'exit 0' TERM; "
        "while true; do sleep 1; echo tick $(hostname); done",
    )
    spec = ServiceSpec(
        name=name,
        image=IMAGE,
        args=speaker,
        replicas=3,
        max_replicas_per_node=1,
        stop_grace_period=1.0,
    )
    await swarm.create_service(spec)
    await eventually(lambda: _spread(swarm, name, 3), timeout=90)
    tasks = {t.id: t for t in await swarm.tasks(service=name) if t.state == "running"}

    async def lines() -> list[tuple[str, str, str]] | None:
        found = []
        stream = swarm.service_logs(name, tail=None, timestamps=True)
        async for line in stream:
            found.append((line.task_name, line.node_hostname, line.text))
            assert line.timestamp is not None
            assert line.task_id in tasks and line.node_id == tasks[line.task_id].node_id
        return found if len({node for _, node, _ in found}) == 3 else None

    found = await eventually(lines, timeout=60, interval=0.5)
    every_node = {"swarm-node1", "swarm-node2", "swarm-node3"}
    assert {node for _, node, text in found if text.startswith("hello from ")} == every_node
    assert {task for task, _, _ in found} == {t.name for t in tasks.values()}

    # Followed: new lines arrive from every node until the stream is closed.
    followed = swarm.service_logs(name, tail=0, follow=True)
    ticking: set[str] = set()
    try:
        async with asyncio.timeout(60):
            async for line in followed:
                assert line.text.startswith("tick ") and line.timestamp is None
                ticking.add(line.node_hostname)
                if ticking == every_node:
                    break
    finally:
        await followed.aclose()
    assert ticking == every_node


async def test_node_roles_and_labels(swarm: DockerSwarm) -> None:
    nodes = {n.hostname: n for n in await swarm.nodes()}
    assert nodes["swarm-node1"].leader and nodes["swarm-node1"].role == "manager"
    assert nodes["swarm-node2"].manager_reachability == "reachable"
    assert nodes["swarm-node3"].role == "worker" and not nodes["swarm-node3"].leader
    assert all(n.status == "ready" and n.engine_version and n.cpus > 0 for n in nodes.values())
    worker = nodes["swarm-node3"].id

    await swarm.set_node_labels(worker, {"zone": "b"})
    assert {n.id: n for n in await swarm.nodes()}[worker].labels == {"zone": "b"}
    await swarm.set_node_labels(worker, {})

    await swarm.set_role(worker, "manager")
    try:

        async def reachable() -> bool:
            node = {n.id: n for n in await swarm.nodes()}[worker]
            return node.role == "manager" and node.manager_reachability == "reachable"

        await eventually(reachable, timeout=60)
    finally:
        await swarm.set_role(worker, "worker")

    async def worker_again() -> bool:
        node = {n.id: n for n in await swarm.nodes()}[worker]
        return node.role == "worker" and not node.manager_reachability

    await eventually(worker_again, timeout=60)
    with pytest.raises(InvalidRequest, match="availability must be one of"):
        await swarm.set_availability(worker, "sleep")
    with pytest.raises(NotFound):
        await swarm.set_availability("no-such-node", "drain")


async def test_a_worker_and_a_lone_engine_say_they_are_not_managers(
    swarm_rig: SwarmRig, docker_url: str
) -> None:
    worker = DockerEngine(swarm_rig.sockets[2])
    lone = DockerEngine(docker_url)
    try:
        state = await worker.swarm.state()
        assert state.active and not state.is_manager and state.node_id
        with pytest.raises(EngineError) as refused:
            await worker.swarm.nodes()
        assert "\n" not in str(refused.value) and "manager" in str(refused.value)
        lone_state = await lone.swarm.state()
        assert lone_state.local_state == "inactive" and not lone_state.is_manager
        manager_state = await DockerEngine(swarm_rig.manager).swarm.state()
        assert manager_state.is_manager and manager_state.nodes == 3
        assert manager_state.managers == 2
    finally:
        await worker.close()
        await lone.close()


async def test_secrets_and_configs_are_listed_without_their_data(
    swarm: DockerSwarm, swarm_rig: SwarmRig
) -> None:
    client = swarm_rig.client(0)
    name = unique()
    secret = client.create_secret(name, b"s3cret", labels={"app": "db"})
    config = client.create_config(name, b"listen 80")
    try:
        secrets = {s.name: s for s in await swarm.secrets()}
        configs = {c.name: c for c in await swarm.configs()}
        assert secrets[name].labels == {"app": "db"} and secrets[name].kind == "secret"
        assert secrets[name].created is not None
        assert configs[name].kind == "config"
        assert "s3cret" not in repr(secrets[name]) and "listen" not in repr(configs[name])
    finally:
        client.remove_secret(secret["ID"])
        client.remove_config(config["ID"])
        client.close()
