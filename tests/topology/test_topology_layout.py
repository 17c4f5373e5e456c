"""Golden pictures of the lecture's networks, and the layout's promises on a large graph."""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from engine_adapters.models import Container, Network
from engine_adapters.topology import CellKind, build_topology, layout_topology, render_text
from engine_adapters.topology.order import count_crossings
from tests.topology import scenarios

GOLDEN = Path(__file__).parent / "golden"
Scenario = Callable[[], tuple[list[Container], list[Network]]]


def _before_connect() -> tuple[list[Container], list[Network]]:
    """The same lecture example before `docker network connect mynet2 c2`."""
    containers, networks = scenarios.user_networks()
    c2 = containers[1]
    containers[1] = replace(c2, networks=c2.networks[:1])
    return containers, networks


CASES: dict[str, Scenario] = {
    "user_networks_before_connect": _before_connect,
    "user_networks_after_connect": scenarios.user_networks,
    "compose_service_network_mode": scenarios.compose_service_mode,
    "tomcat_mysql_link": scenarios.tomcat_mysql_link,
    "published_port": scenarios.published_port,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_text(name: str) -> None:
    text = render_text(build_topology(*CASES[name]()), 80)
    golden = GOLDEN / f"{name}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(CASES))
def test_lecture_examples_fit_80_columns(name: str) -> None:
    rows = layout_topology(build_topology(*CASES[name]()), 80).canvas.rows()
    assert max(len(r) for r in rows) <= 80


def test_connect_adds_an_edge_to_the_second_bus() -> None:
    before = render_text(build_topology(*_before_connect()), 80)
    after = render_text(build_topology(*scenarios.user_networks()), 80)
    assert "172.19.0.3" not in before
    assert "172.19.0.3" in after


def test_same_input_in_any_order_gives_the_same_picture() -> None:
    containers, networks = scenarios.large()
    expected = render_text(build_topology(containers, networks), 100)
    rng = random.Random(7)
    for _ in range(3):
        rng.shuffle(containers)
        rng.shuffle(networks)
        assert render_text(build_topology(containers, networks), 100) == expected


def test_large_graph_keeps_every_label_readable() -> None:
    topology = build_topology(*scenarios.large())
    layout = layout_topology(topology, 80)
    canvas = layout.canvas
    rows = [canvas.row(y) for y in range(canvas.height)]
    for placed in canvas.placed:
        assert rows[placed.y][placed.x : placed.x + len(placed.text)] == placed.text
    shown = {p.text.strip() for p in canvas.placed}
    for node in topology.containers:
        assert any(node.name in text for text in shown), node.name
    for attachment in topology.attachments:
        assert attachment.label in shown
    assert sum(1 for p in canvas.placed if p.kind is CellKind.HEADER) == 8


def test_large_graph_nodes_do_not_overlap() -> None:
    layout = layout_topology(build_topology(*scenarios.large()), 80)
    cells: dict[tuple[int, int], str] = {}
    for node in layout.nodes:
        for y in range(node.y, node.y + node.height):
            for x in range(node.x, node.x + node.width):
                assert (x, y) not in cells, f"{node.key} overlaps {cells[(x, y)]}"
                cells[(x, y)] = node.key
    assert len(layout.nodes) == 58


def test_every_edge_ends_in_a_junction_on_its_bus() -> None:
    topology = build_topology(*scenarios.large())
    layout = layout_topology(topology, 80)
    canvas = layout.canvas
    joins = sum(
        1
        for y in range(canvas.height)
        for x in range(canvas.width)
        if canvas.char(x, y) in "┤┘" and canvas.kind(x, y) is CellKind.EDGE
    )
    assert joins == len(topology.attachments)


def test_barycenter_removes_avoidable_crossings() -> None:
    n1, n2 = scenarios.network("n1"), scenarios.network("n2")
    containers = [
        scenarios.container("a", scenarios.attach(n1, "10.1.0.2")),
        scenarios.container("b", scenarios.attach(n2, "10.2.0.2")),
        scenarios.container("c", scenarios.attach(n1, "10.1.0.3")),
        scenarios.container("d", scenarios.attach(n2, "10.2.0.3")),
    ]
    topology = build_topology(containers, [n1, n2])
    by_name = tuple(c.id for c in topology.containers)
    assert count_crossings(topology, by_name, tuple(n.id for n in topology.networks)) > 0
    layout = layout_topology(topology)
    assert layout.crossings == 0
    assert "┼" not in "\n".join(layout.canvas.rows())


def test_narrow_width_shrinks_boxes_but_keeps_labels() -> None:
    containers, networks = scenarios.user_networks()
    long = [
        scenarios.container("a-very-long-container-name-" + str(i), *c.networks)
        for i, c in enumerate(containers)
    ]
    wide = layout_topology(build_topology(long, networks), None).canvas
    narrow = layout_topology(build_topology(long, networks), 40).canvas
    assert narrow.width < wide.width
    text = "\n".join(narrow.rows())
    for ip in ("172.18.0.2", "172.18.0.3", "172.19.0.3", "172.19.0.2"):
        assert ip in text
    assert "…" in text
