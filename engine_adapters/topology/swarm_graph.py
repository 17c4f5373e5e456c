"""A swarm's topology: its nodes as groups, the tasks on each, the overlay networks across them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from engine_adapters.swarm.mesh import MeshSupport, mesh_support
from engine_adapters.swarm.models import (
    OverlayNetwork,
    PublishedPort,
    SwarmNode,
    SwarmService,
    SwarmTask,
)
from engine_adapters.swarm.protocol import SwarmEngine


@dataclass(frozen=True, slots=True)
class NodeGroup:
    node: SwarmNode
    tasks: tuple[SwarmTask, ...]  # those meant to run here, by name

    def on_network(self, network_id: str) -> list[tuple[SwarmTask, str]]:
        """The tasks attached to a network here, each with its address on it."""
        return [
            (task, address.address)
            for task in self.tasks
            for address in task.networks
            if address.network_id == network_id
        ]


@dataclass(frozen=True, slots=True)
class ServicePorts:
    service: str
    ports: tuple[PublishedPort, ...]
    nodes: tuple[str, ...]  # hostnames of the nodes its tasks run on


@dataclass(frozen=True, slots=True)
class SwarmGraph:
    groups: tuple[NodeGroup, ...]
    networks: tuple[OverlayNetwork, ...]  # with the hostnames each spans, from the tasks
    ports: tuple[ServicePorts, ...]
    mesh: MeshSupport

    @property
    def task_count(self) -> int:
        return sum(len(group.tasks) for group in self.groups)

    def spans(self, network_id: str) -> tuple[str, ...]:
        return next((n.nodes for n in self.networks if n.id == network_id), ())


def build_swarm_graph(
    nodes: list[SwarmNode],
    services: list[SwarmService],
    tasks: list[SwarmTask],
    networks: list[OverlayNetwork],
    mesh: MeshSupport,
) -> SwarmGraph:
    """Only the tasks meant to run count: shut-down history would crowd every node."""
    live = [t for t in tasks if t.desired_state == "running"]
    groups = tuple(
        NodeGroup(node, tuple(sorted((t for t in live if t.node_id == node.id), key=_task_order)))
        for node in sorted(nodes, key=lambda n: n.hostname)
    )
    hostnames = {node.id: node.hostname for node in nodes}
    spans: dict[str, set[str]] = {}
    for task in live:
        for address in task.networks:
            spans.setdefault(address.network_id, set()).add(hostnames.get(task.node_id, ""))
    overlays = tuple(
        OverlayNetwork(
            id=n.id,
            name=n.name,
            scope=n.scope,
            attachable=n.attachable,
            ingress=n.ingress,
            subnet=n.subnet,
            labels=n.labels,
            nodes=tuple(sorted(spans.get(n.id, set()) - {""})),
        )
        for n in sorted(networks, key=lambda n: (not n.ingress, n.name))
    )
    ports = tuple(
        ServicePorts(
            s.name,
            s.ports,
            tuple(sorted({hostnames.get(t.node_id, "") for t in live if t.service_id == s.id})),
        )
        for s in sorted(services, key=lambda s: s.name)
        if s.ports
    )
    return SwarmGraph(groups, overlays, ports, mesh)


def _task_order(task: SwarmTask) -> tuple[str, int]:
    return task.service_name, task.slot or 0


async def load_swarm_graph(swarm: SwarmEngine) -> SwarmGraph:
    """Nodes, services, tasks and overlay networks read at once from a manager."""
    nodes, services, tasks, networks = await asyncio.gather(
        swarm.nodes(), swarm.services(), swarm.tasks(), swarm.overlay_networks()
    )
    return build_swarm_graph(nodes, services, tasks, networks, mesh_support(swarm.endpoint))
