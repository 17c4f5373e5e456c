"""Exporters: DOT checked by the real Graphviz `dot`, SVG with and without it."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from engine_adapters.topology import build_topology, export, render_dot, render_text
from tests.topology import scenarios

DOT = shutil.which("dot")
needs_dot = pytest.mark.skipif(DOT is None, reason="Graphviz dot is not installed")
SCENARIOS = [
    scenarios.user_networks,
    scenarios.compose_service_mode,
    scenarios.tomcat_mysql_link,
    scenarios.published_port,
    scenarios.large,
]


def _run_dot(source: str, fmt: str) -> str:
    assert DOT is not None
    done = subprocess.run(
        [DOT, f"-T{fmt}"], input=source.encode(), capture_output=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode()


@needs_dot
@pytest.mark.parametrize("make", SCENARIOS, ids=lambda f: f.__name__)
def test_dot_output_is_accepted_by_graphviz(make: object) -> None:
    svg = _run_dot(render_dot(build_topology(*make())), "svg")  # type: ignore[operator]
    assert ET.fromstring(svg).tag.endswith("svg")


@needs_dot
def test_dot_graph_has_the_lecture_edges() -> None:
    topology = build_topology(*scenarios.compose_service_mode())
    # `-Tcanon` is Graphviz's own re-print of what it parsed.
    canon = _run_dot(render_dot(topology), "canon")
    assert "cluster_0" in canon
    assert canon.count("->") == len(topology.attachments) + len(topology.shared_stacks)
    assert '"shares network stack of"' in canon or "shares network stack of" in canon
    assert "172.21.0.3 c2" in canon


def test_dot_quotes_awkward_names() -> None:
    net = scenarios.network('we"ird\\net')
    c = scenarios.container("x", scenarios.attach(net, "10.0.0.2"))
    dot = render_dot(build_topology([c], [net]))
    assert 'we\\"ird\\\\net' in dot
    if DOT is not None:
        _run_dot(dot, "svg")


@needs_dot
def test_svg_export_uses_graphviz() -> None:
    svg = export(build_topology(*scenarios.tomcat_mysql_link()), "svg")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert "link db" in svg


def test_svg_export_without_graphviz_sets_the_canvas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("engine_adapters.topology.exporters.shutil.which", lambda name: None)
    topology = build_topology(*scenarios.user_networks())
    svg = export(topology, "svg")
    root = ET.fromstring(svg)
    texts = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts == [row for row in render_text(topology, None).splitlines()[:-2] if row]


def test_export_text_and_unknown_format() -> None:
    topology = build_topology(*scenarios.published_port())
    assert export(topology, "text") == render_text(topology, None)
    assert export(topology, "text", width=30) == render_text(topology, 30)
    assert export(topology, "text", width=30) != export(topology, "text")
    assert export(topology, "dot").startswith("digraph topology {")
    with pytest.raises(ValueError, match="unknown topology format"):
        export(topology, "png")
