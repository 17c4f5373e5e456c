"""The swarm graph's pure parts: grouping by node, what each box holds, the ip_vs check."""

from __future__ import annotations

import os
from pathlib import Path

from engine_adapters.swarm.mesh import MeshSupport, kernel_has_ip_vs, mesh_support
from engine_adapters.swarm.models import (
    OverlayNetwork,
    PublishedPort,
    SwarmNode,
    SwarmService,
    SwarmTask,
    TaskAddress,
)
from engine_adapters.topology.swarm_graph import SwarmGraph, build_swarm_graph
from engine_adapters.topology.swarm_render import export_swarm, render_swarm_dot, render_swarm_text


def _node(n: int, role: str = "manager") -> SwarmNode:
    return SwarmNode(
        id=f"n{n}",
        hostname=f"node{n}",
        role=role,
        availability="active",
        status="ready",
        address=f"10.0.0.{n}",
        engine_version="20.10",
        leader=n == 1,
    )


def _task(
    service: str, slot: int, node: int, address: str = "", desired: str = "running"
) -> SwarmTask:
    networks = (TaskAddress("net1", "app_net", address),) if address else ()
    return SwarmTask(
        id=f"{service}{slot}{desired}",
        service_id=service,
        service_name=service,
        slot=slot,
        node_id=f"n{node}",
        node_hostname=f"node{node}",
        state="running",
        desired_state=desired,
        image="img",
        networks=networks,
    )


def _graph(ip_vs: bool | None = False) -> SwarmGraph:
    nodes = [_node(2), _node(1), _node(3, "worker")]
    web = SwarmService(
        id="web",
        name="web",
        mode="replicated",
        image="img",
        running=2,
        desired=2,
        ports=(PublishedPort(80, 8080, mode="host"), PublishedPort(81, 9090)),
    )
    tasks = [
        _task("web", 1, 1, "10.1.0.2"),
        _task("web", 2, 2, "10.1.0.3"),
        _task("web", 3, 3, "10.1.0.9", desired="shutdown"),  # history: not drawn
        _task("batch", 1, 1),
    ]
    net = OverlayNetwork(
        id="net1",
        name="app_net",
        scope="swarm",
        attachable=False,
        ingress=False,
        subnet="10.1.0.0/24",
    )
    return build_swarm_graph(nodes, [web], tasks, [net], MeshSupport(ip_vs))


def test_each_node_box_holds_its_own_tasks_on_each_network() -> None:
    graph = _graph()
    assert [g.node.hostname for g in graph.groups] == ["node1", "node2", "node3"]
    assert graph.task_count == 3 and graph.spans("net1") == ("node1", "node2")
    text = render_swarm_text(graph, 80)
    boxes = text.split("╭─ ")[1:]
    assert boxes[0].startswith("node1 · manager, leader · active · ready · 10.0.0.1 ")
    assert "app_net      web.1 10.1.0.2" in boxes[0] and "web.2" not in boxes[0]
    assert "(no overlay) batch.1" in boxes[0]
    assert "host ports   web.1 80->80/tcp" not in boxes[0]
    assert "host ports   web.1 8080->80/tcp (host)" in boxes[0]
    assert "no tasks" in boxes[2] and "web.3" not in text
    assert "app_net 10.1.0.0/24: node1 ═ node2" in text
    assert "web  9090->81/tcp  ingress: the routing mesh does not forward here (no ip_vs)" in text
    assert all(len(line) <= 80 for line in text.splitlines())


def test_the_mesh_note_follows_the_kernel() -> None:
    assert "no ip_vs" in render_swarm_text(_graph(False))
    assert "ip_vs present" in render_swarm_text(_graph(True))
    assert "not checked for a remote" in render_swarm_text(_graph(None))
    assert "ingress: every node" in render_swarm_text(_graph(True))
    assert mesh_support("ssh://me@host").ip_vs is None
    on_screen = render_swarm_text(_graph(False), on_screen=True)
    assert on_screen.splitlines()[-1].startswith("  web  9090->81/tcp")
    assert "routing mesh: this kernel" not in on_screen
    assert not on_screen.startswith("Swarm: ")  # the screen's status line says it


def test_dot_has_a_cluster_per_node_and_an_edge_per_attachment() -> None:
    dot = render_swarm_dot(_graph())
    assert dot.count("subgraph cluster_") == 3
    assert dot.count('-> "n:net1"') == 2
    assert export_swarm(_graph(), "dot") == dot


def test_ip_vs_is_found_loaded_as_a_module_or_built_in(tmp_path: Path) -> None:
    proc, modules = tmp_path / "proc", tmp_path / "modules"
    (proc / "net").mkdir(parents=True)
    release = modules / os.uname().release
    assert not kernel_has_ip_vs(proc, modules)
    (proc / "net" / "ip_vs").write_text("")
    assert kernel_has_ip_vs(proc, modules)
    (proc / "net" / "ip_vs").unlink()
    ipvs = release / "kernel" / "net" / "netfilter" / "ipvs"
    ipvs.mkdir(parents=True)
    (ipvs / "ip_vs.ko.xz").write_text("")
    assert kernel_has_ip_vs(proc, modules)
    (ipvs / "ip_vs.ko.xz").unlink()
    (release / "modules.builtin").write_text("kernel/net/netfilter/ipvs/ip_vs.ko\n")
    assert kernel_has_ip_vs(proc, modules)
