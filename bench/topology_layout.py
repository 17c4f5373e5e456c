"""Times building and laying out a 50-container, 8-network topology; prints figures only."""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, datetime

from engine_adapters.models import (
    COMPOSE_PROJECT_LABEL,
    Container,
    ContainerState,
    Network,
    NetworkAttachment,
    Subnet,
)
from engine_adapters.topology import build_topology, layout_topology, render_dot

WHEN = datetime(2026, 1, 1, tzinfo=UTC)


def sample(n_containers: int, n_networks: int) -> tuple[list[Container], list[Network]]:
    networks = [
        Network(
            id=f"net{k:064d}", name=f"net{k}", driver="bridge", subnets=(Subnet(f"10.{k}.0.0/16"),)
        )
        for k in range(n_networks)
    ]
    containers = []
    for i in range(n_containers):
        picks = sorted({(i * 3) % n_networks, (i * 5 + 1) % n_networks})
        attachments = tuple(
            NetworkAttachment(networks[k].name, networks[k].id, f"10.{k}.0.{i + 2}") for k in picks
        )
        labels = {COMPOSE_PROJECT_LABEL: f"proj{i % 4}"} if i % 2 else {}
        containers.append(
            Container(
                id=f"{i:064x}",
                name=f"svc{i:02d}",
                image="busybox",
                image_id="sha256:0",
                command="sleep 3600",
                state=ContainerState.RUNNING if i % 5 else ContainerState.EXITED,
                status="",
                created=WHEN,
                networks=attachments,
                labels=labels,
            )
        )
    return containers, networks


def main() -> None:
    sizes = [(50, 8), (200, 16)]
    if len(sys.argv) == 3:
        sizes = [(int(sys.argv[1]), int(sys.argv[2]))]
    for n_containers, n_networks in sizes:
        containers, networks = sample(n_containers, n_networks)
        runs = []
        for _ in range(20):
            start = time.perf_counter()
            topology = build_topology(containers, networks)
            layout = layout_topology(topology, 80)
            runs.append(time.perf_counter() - start)
        start = time.perf_counter()
        render_dot(topology)
        dot_ms = (time.perf_counter() - start) * 1000
        canvas = layout.canvas
        print(
            f"{n_containers} containers / {n_networks} networks: "
            f"build+layout median {statistics.median(runs) * 1000:.1f} ms, "
            f"max {max(runs) * 1000:.1f} ms; canvas {canvas.width}x{canvas.height}, "
            f"{layout.crossings} crossings; dot text {dot_ms:.1f} ms"
        )


if __name__ == "__main__":
    main()
