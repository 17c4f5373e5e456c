"""`dockyard stack ...` as a user types it, against the real three-node swarm."""

from __future__ import annotations

import asyncio
import urllib.request
from pathlib import Path

import pytest

from engine_adapters.compose import ComposeFileError
from engine_adapters.docker_engine.swarm import DockerSwarm
from engine_adapters.swarm.stack_file import load_stack
from tests.swarm.conftest import SwarmRig, unique
from tests.waiting import eventually
from tui.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "swarm" / "stack.yml"


def dockyard(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


async def dockyard_async(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """The command line from an async test: it runs its own event loop, so in a thread."""
    return await asyncio.to_thread(dockyard, capsys, *argv)


@pytest.mark.swarm
async def test_the_lecture_stack_deploys_spans_nodes_and_is_removed(
    swarm_rig: SwarmRig,
    swarm: DockerSwarm,
    names: list[str],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    name = unique("lecture")
    names.append(name)
    engine = ("stack", "--engine", swarm_rig.manager)
    code, out, err = await dockyard_async(capsys, *engine, "deploy", "-c", str(EXAMPLE), name)
    assert code == 0, err
    assert out.splitlines() == [
        f"Creating network {name}_backend",
        f"Creating service {name}_tomcat",
        f"Creating service {name}_mysql",
    ]
    assert err == ""  # every key of the example is one a swarm honours

    async def all_running() -> list[str] | None:
        code, out, _ = await dockyard_async(capsys, *engine, "ps", name)
        rows = [line.split() for line in out.splitlines()[1:]]
        running = [r for r in rows if r[4:6] == ["running", "running"]]
        return out.splitlines() if code == 0 and len(running) == 3 else None

    await eventually(all_running, timeout=120, interval=0.5)
    code, out, _ = await dockyard_async(capsys, *engine, "ls")
    assert [name, "2", "2", "1"] in [line.split() for line in out.splitlines()]
    code, out, _ = await dockyard_async(capsys, *engine, "services", name)
    assert "8080->8080/tcp (host)" in out and "2/2" in out

    # The two tomcat tasks run on two nodes (one per node); each answers on its own node.
    tasks = [t for t in await swarm.tasks(stack=name) if t.state == "running"]
    tomcats = [t for t in tasks if t.service_name == f"{name}_tomcat"]
    mysql = next(t for t in tasks if t.service_name == f"{name}_mysql")
    assert len({t.node_id for t in tomcats}) == 2
    for task in tomcats:
        address = swarm_rig.addresses[int(task.node_hostname[-1]) - 1]
        with urllib.request.urlopen(f"http://{address}:8080/", timeout=10) as reply:
            assert reply.read().decode().startswith("tomcat on ")

    # A tomcat on another node than mysql reaches it by name over the overlay network.
    remote = next(t for t in tomcats if t.node_id != mysql.node_id)
    node = swarm_rig.client(int(remote.node_hostname[-1]) - 1)
    mysql_node = swarm_rig.client(int(mysql.node_hostname[-1]) - 1)
    try:
        expected = mysql_node.inspect_container(mysql.container_id)["Config"]["Hostname"]
        # busybox's static wget crashes in its name lookup; nc resolves through the
        # swarm's DNS as any program does.
        request = 'printf "GET /hostname HTTP/1.0\\r\\n\\r\\n" | nc -w 5 mysql 3306'

        def answer() -> str:
            run = node.exec_create(remote.container_id, ["sh", "-c", request])
            return node.exec_start(run["Id"]).decode()

        reply = await eventually(lambda: _answered(answer(), expected), timeout=30, interval=0.5)
        assert reply.startswith("HTTP/1.1 200 OK")
    finally:
        node.close()
        mysql_node.close()

    code, out, _ = await dockyard_async(capsys, *engine, "deploy", "-c", str(EXAMPLE), name)
    assert code == 0 and out.splitlines() == [
        f"Updating service {name}_tomcat",
        f"Updating service {name}_mysql",
    ]

    # Without mysql in the files, --prune removes its service; tomcat is left as it was.
    tomcat_only = tmp_path / "tomcat.yml"
    text = EXAMPLE.read_text()
    mysql, networks = text.index("  mysql:"), text.index("networks:\n  backend")
    tomcat_only.write_text(text[:mysql] + text[networks:])
    code, out, err = await dockyard_async(
        capsys, *engine, "deploy", "--prune", "-c", str(tomcat_only), name
    )
    assert code == 0, err
    assert out.splitlines() == [
        f"Updating service {name}_tomcat",
        f"Removing service {name}_mysql",
    ]
    assert [s.name for s in await swarm.services(stack=name)] == [f"{name}_tomcat"]

    code, out, _ = await dockyard_async(capsys, *engine, "rm", name)
    assert code == 0
    assert out.splitlines() == [
        f"Removing service {name}_tomcat",
        f"Removing network {name}_backend",
    ]
    code, out, _ = await dockyard_async(capsys, *engine, "ls")
    assert name not in out
    code, _, err = await dockyard_async(capsys, *engine, "ps", name)
    assert code == 2 and err == f'dockyard: no stack "{name}"\n'


def _answered(reply: str, body: str) -> str | None:
    return reply if reply.rstrip().endswith(body) else None


@pytest.mark.swarm
def test_a_worker_is_refused_with_one_line(
    swarm_rig: SwarmRig, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = dockyard(capsys, "stack", "--engine", swarm_rig.sockets[2], "ls")
    assert code == 2 and out == ""
    refusal = "is not a swarm manager: stacks need a manager (--engine)"
    assert err == f"dockyard: {swarm_rig.sockets[2]} {refusal}\n"


def test_keys_a_swarm_cannot_honour_are_named_by_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "stack.yml"
    file.write_text(
        """services:
  web:
    image: x
    container_name: web1
    links: [db]
    ports: ["8080-8081:80"]
    deploy:
      mode: everywhere
      placement:
        constraints: [node.role manager]
      resources:
        limits: {memory: lots}
  db:
    build: .
    network_mode: host
networks:
  local:
    driver: bridge
  """
    )
    code, out, err = dockyard(capsys, "stack", "deploy", "-c", str(file), "bad")
    assert code == 1 and out == ""
    web, db = f"{file}:{{}}: services.web.", f"{file}:{{}}: services.db."
    assert err.splitlines() == [
        web.format(6) + "ports[0]: a swarm publishes one port per target, not a range",
        web.format(8) + 'deploy.mode: must be replicated or global, not "everywhere"',
        web.format(10) + 'deploy.placement.constraints[0]: invalid constraint "node.role manager"',
        web.format(12) + 'deploy.resources.limits.memory: invalid size "lots"',
        db.format(14) + "build: a swarm does not build: give an image pushed to a registry",
        db.format(15) + "network_mode: a swarm task joins networks, not another's network stack",
    ]


def test_ignored_keys_are_warnings_with_their_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "stack.yml"
    file.write_text(
        """services:
  web:
    image: x
    container_name: web1
    restart: always
    depends_on: [db]
    networks: [front]
    deploy:
      replicas: 3
      update_config: {parallelism: 2, delay: 5s, order: start-first}
      resources:
        limits: {cpus: "0.5", memory: 64M}
  db:
    image: y
    networks: [front]
networks:
  front:
    driver: bridge
"""
    )
    bridge = r'stack.yml:18: networks.front.driver: a "bridge" network cannot span nodes'
    with pytest.raises(ComposeFileError, match=bridge):
        load_stack([str(file)], "w")
    file.write_text(file.read_text().replace("driver: bridge", "driver: overlay"))
    stack = load_stack([str(file)], "w")
    web = f"{file}:{{}}: services.web.{{}}: ignored by a swarm: {{}}"
    assert list(stack.warnings) == [
        web.format(4, "container_name", "a swarm names each task's container"),
        web.format(5, "restart", "use deploy.restart_policy"),
        web.format(6, "depends_on", "a swarm starts services in any order"),
    ]
    web = next(s for s in stack.services if s.name == "w_web")
    assert web.replicas == 3 and web.update_config is not None
    assert (web.update_config.parallelism, web.update_config.delay) == (2, 5.0)
    assert web.update_config.order == "start-first"
    assert web.resources is not None and web.resources.memory_limit == 64 << 20
    assert web.resources.cpus_limit == 0.5
    assert [n.name for n in web.networks] == ["w_front"] and web.networks[0].aliases == ("web",)
    assert web.labels["com.docker.stack.namespace"] == "w"
