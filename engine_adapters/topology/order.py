"""Crossing reduction: the order of container rows and network buses, by barycenter sweeps."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from statistics import fmean

from engine_adapters.topology.model import Topology

SWEEPS = 8


@dataclass(frozen=True, slots=True)
class Order:
    """Containers top to bottom (compose projects kept together) and buses near to far."""

    containers: tuple[str, ...]
    networks: tuple[str, ...]
    crossings: int


def count_crossings(
    topology: Topology, containers: tuple[str, ...], networks: tuple[str, ...]
) -> int:
    """Bus crossings of the drawing: a stub to bus k crosses each nearer bus still running."""
    row = {cid: i for i, cid in enumerate(containers)}
    pos = {nid: k for k, nid in enumerate(networks)}
    last = [-1] * len(networks)
    for a in topology.attachments:
        last[pos[a.network_id]] = max(last[pos[a.network_id]], row[a.container_id])
    return sum(
        1
        for a in topology.attachments
        for j in range(pos[a.network_id])
        if last[j] > row[a.container_id]
    )


def _anchors(topology: Topology) -> dict[str, str]:
    """A container without networks of its own sits next to the one it leans on."""
    anchors = {s.source_id: s.target_id for s in topology.shared_stacks}
    for link in topology.links:
        anchors.setdefault(link.source_id, link.target_id)
    return anchors


def _groups(topology: Topology) -> list[tuple[str, ...]]:
    """Compose projects move as one block; every other container moves alone."""
    clustered = {cid for cluster in topology.clusters for cid in cluster.container_ids}
    groups = [cluster.container_ids for cluster in topology.clusters]
    groups += [(c.id,) for c in topology.containers if c.id not in clustered]
    return groups


def _centers(
    containers: tuple[str, ...],
    networks: tuple[str, ...],
    nets_of: dict[str, list[str]],
    anchors: dict[str, str],
) -> dict[str, float]:
    """Each container's barycenter over its buses; a container with none takes its anchor's."""
    pos = {nid: k for k, nid in enumerate(networks)}
    center = {cid: fmean(pos[n] for n in nets_of[cid]) for cid in containers if nets_of[cid]}
    for cid in containers:
        if cid not in center:
            center[cid] = center.get(anchors.get(cid, ""), float(len(networks)))
    return center


def order_topology(topology: Topology) -> Order:
    """Alternate barycenter sweeps between the two layers and keep the best order seen."""
    nets_of: dict[str, list[str]] = defaultdict(list)
    members: dict[str, list[str]] = defaultdict(list)
    for a in topology.attachments:
        nets_of[a.container_id].append(a.network_id)
        members[a.network_id].append(a.container_id)
    anchors = _anchors(topology)
    groups = _groups(topology)
    containers = tuple(cid for group in groups for cid in group)
    networks = tuple(n.id for n in topology.networks)
    best = Order(containers, networks, count_crossings(topology, containers, networks))
    for _ in range(SWEEPS):
        center = _centers(containers, networks, nets_of, anchors)
        row = {cid: i for i, cid in enumerate(containers)}
        # Ties keep the current order, so sweeps settle instead of oscillating.
        groups = sorted(
            (tuple(sorted(g, key=lambda c: (center[c], row[c]))) for g in groups),
            key=lambda g: (fmean(center[c] for c in g), row[g[0]]),
        )
        containers = tuple(cid for group in groups for cid in group)
        row = {cid: i for i, cid in enumerate(containers)}
        pos = {nid: k for k, nid in enumerate(networks)}
        bottom = float(len(containers))
        networks = tuple(
            sorted(
                networks,
                key=lambda n: (fmean(row[c] for c in members[n]) if members[n] else bottom, pos[n]),
            )
        )
        crossings = count_crossings(topology, containers, networks)
        if crossings < best.crossings:
            best = Order(containers, networks, crossings)
    return best
