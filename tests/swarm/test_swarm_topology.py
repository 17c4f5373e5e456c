"""The swarm's topology on the real three-node rig: `dockyard topology --swarm` and `T` then `w`."""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from engine_adapters.docker_engine import DockerEngine
from engine_adapters.docker_engine.swarm import DockerSwarm
from engine_adapters.swarm.mesh import kernel_has_ip_vs
from engine_adapters.swarm.models import STACK_LABEL, PublishedPort, SwarmTask
from engine_adapters.swarm.spec import ServiceNetworkRef, ServiceSpec
from tests.swarm.conftest import SwarmRig, unique
from tests.swarm.test_swarm_view import IMAGE, SLEEPER, SwarmWalk
from tests.waiting import eventually
from tui.app import DockyardApp
from tui.cli import main
from tui.screens.topology import TopologyScreen

pytestmark = pytest.mark.swarm
NODES = ("swarm-node1", "swarm-node2", "swarm-node3")


def _boxes(text: str) -> dict[str, str]:
    """Each node's box in the text drawing, by hostname."""
    boxes = {}
    for chunk in text.split("╭─ ")[1:]:
        box = chunk.split("╰", 1)[0]
        boxes[box.split(" ", 1)[0]] = box
    return boxes


def _dockyard(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.timeout(300)
async def test_the_swarm_graph_groups_tasks_by_node_with_the_overlay_across_them(
    swarm_rig: SwarmRig,
    manager: DockerEngine,
    swarm: DockerSwarm,
    names: list[str],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name = unique()
    names.append(name)
    network = f"{name}_net"
    await swarm.create_overlay_network(network, {STACK_LABEL: name})
    spec = ServiceSpec(
        name=f"{name}_web",
        image=IMAGE,
        args=SLEEPER,
        replicas=3,
        max_replicas_per_node=1,
        networks=(ServiceNetworkRef(network),),
        endpoint_mode="dnsrr",
        ports=(PublishedPort(target=80, published=18080, mode="host"),),
        labels={STACK_LABEL: name},
        stop_grace_period=1.0,
    )
    service = await swarm.create_service(spec)

    async def placed() -> list[SwarmTask]:
        tasks = await swarm.tasks(service=service.id)
        running = [t for t in tasks if t.state == "running" and t.desired_state == "running"]
        return running if sorted(t.node_hostname for t in running) == list(NODES) else []

    tasks = await eventually(placed, timeout=90)
    mesh = "no ip_vs" if not kernel_has_ip_vs() else "ip_vs present"

    # The command line: a box per node holding its own task, on the overlay, with its port.
    code, out, err = await asyncio.to_thread(
        _dockyard, capsys, "topology", "--swarm", "-e", swarm_rig.manager, "--width", "100"
    )
    assert code == 0, err
    boxes = _boxes(out)
    assert sorted(boxes) == list(NODES)
    for task in tasks:
        box = boxes[task.node_hostname]
        address = next(a.address for a in task.networks if a.network == network)
        assert f"{task.name} {address}" in box
        assert f"{task.name} 18080->80/tcp (host)" in box
        others = [t for t in tasks if t.node_hostname != task.node_hostname]
        assert all(f"{t.name} " not in box for t in others)
    assert f"{network} " in out and " ═ ".join(NODES) in out
    assert mesh in out

    code, dot, err = await asyncio.to_thread(
        _dockyard, capsys, "topology", "--swarm", "-e", swarm_rig.manager, "--format", "dot"
    )
    assert code == 0, err
    assert dot.count("subgraph cluster_") == 3
    net_id = next(a.network_id for a in tasks[0].networks if a.network == network)
    assert dot.count(f'-> "n:{net_id}"') == 3
    code, svg, err = await asyncio.to_thread(
        _dockyard, capsys, "topology", "--swarm", "-e", swarm_rig.manager, "--format", "svg"
    )
    assert code == 0 and ET.fromstring(svg).tag.endswith("svg"), err

    # A worker cannot list the swarm: one line, exit 2.
    code, out, err = await asyncio.to_thread(
        _dockyard, capsys, "topology", "--swarm", "-e", swarm_rig.sockets[2]
    )
    assert code == 2 and err.strip().endswith("is not a swarm manager"), err

    # The screen: T opens the topology, w its swarm graph, w again the containers' graph.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    app = DockyardApp(manager, config_path=tmp_path / "xdg" / "dockyard" / "config.toml")
    async with app.run_test(size=(120, 50)) as pilot:
        w = SwarmWalk(pilot)
        await w.until(lambda: app.main_screen is not None)
        await w.press("app.topology")
        await w.until(lambda: isinstance(app.screen, TopologyScreen))
        screen = app.screen
        assert isinstance(screen, TopologyScreen)
        await w.until(lambda: screen.manages_swarm)  # then `w` is on the key bar
        await pilot.press("w")
        await w.until(lambda: all(t.name in screen.swarm_text for t in tasks))
        assert screen.showing_swarm
        assert sorted(_boxes(screen.swarm_text)) == list(NODES)
        assert mesh in str(screen.query_one("#topology-legend").render())
        await pilot.press("w")
        await w.until(lambda: not screen.showing_swarm)
