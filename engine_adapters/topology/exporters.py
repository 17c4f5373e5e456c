"""Exporters of a topology: the text canvas, Graphviz DOT, and SVG."""

from __future__ import annotations

import shutil
import subprocess
from xml.sax.saxutils import escape

from engine_adapters.topology.layout import LEGEND, layout_topology
from engine_adapters.topology.model import NodeState, Topology

FORMATS = ("text", "dot", "svg")
DOT_TIMEOUT = 30.0


def render_text(topology: Topology, width: int | None = 80) -> str:
    """The same canvas the topology screen shows, as plain text with a legend line."""
    rows = layout_topology(topology, width).canvas.rows()
    return "\n".join([*rows, "", LEGEND]) + "\n"


def quote(text: str) -> str:
    """A DOT string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def render_dot(topology: Topology) -> str:
    """A Graphviz digraph: networks as ellipses, containers as boxes, projects as clusters."""
    out = [
        "digraph topology {",
        '  graph [rankdir=LR, fontname="monospace", charset="UTF-8"];',
        '  node [fontname="monospace"];',
        '  edge [fontname="monospace", fontsize=10];',
    ]
    for net in topology.networks:
        out.append(f"  {quote(net.key)} [shape=ellipse, label={quote(net.caption)}];")
    clustered = {cid: c.project for c in topology.clusters for cid in c.container_ids}
    by_project: dict[str | None, list[str]] = {}
    for node in topology.containers:
        lines = [node.name, node.state.value, *node.published]
        if node.missing_stack:
            lines.append(f"net of {node.missing_stack}")
        style = "solid" if node.state is NodeState.RUNNING else "dashed"
        by_project.setdefault(clustered.get(node.id), []).append(
            f"{quote(node.key)} [shape=box, style={style}, label={quote(chr(10).join(lines))}];"
        )
    for index, (project, statements) in enumerate(
        sorted(by_project.items(), key=lambda i: i[0] or "")
    ):
        if project is None:
            out += [f"  {s}" for s in statements]
            continue
        out.append(f"  subgraph cluster_{index} {{")
        out.append(f"    label={quote('compose: ' + project)}; style=dotted;")
        out += [f"    {s}" for s in statements]
        out.append("  }")
    for a in topology.attachments:
        out.append(
            f"  {quote('c:' + a.container_id)} -> {quote('n:' + a.network_id)} "
            f"[dir=none, label={quote(a.label)}];"
        )
    for link in topology.links:
        out.append(
            f"  {quote('c:' + link.source_id)} -> {quote('c:' + link.target_id)} "
            f"[style=dashed, label={quote(link.label)}];"
        )
    for shared in topology.shared_stacks:
        out.append(
            f"  {quote('c:' + shared.source_id)} -> {quote('c:' + shared.target_id)} "
            f"[style=dotted, label={quote('shares network stack of')}];"
        )
    out.append("}")
    return "\n".join(out) + "\n"


def svg_of_rows(rows: list[str]) -> str:
    """Text rows set in a monospace SVG: the drawing when Graphviz is missing."""
    cell_w, cell_h = 8.4, 17
    width = int(max((len(r) for r in rows), default=1) * cell_w) + 16
    height = int(len(rows) * cell_h) + 16
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="monospace" font-size="14">',
        '<rect width="100%" height="100%" fill="white"/>',
    ]
    for i, row in enumerate(rows):
        if row:
            out.append(
                f'<text x="8" y="{8 + (i + 1) * cell_h - 4}" xml:space="preserve">'
                f"{escape(row)}</text>"
            )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def graphviz_svg(dot_source: str) -> str | None:
    """Graphviz's drawing of a DOT graph, or None when `dot` is not installed."""
    dot = shutil.which("dot")
    if dot is None:
        return None
    done = subprocess.run(
        [dot, "-Tsvg"],
        input=dot_source.encode(),
        capture_output=True,
        timeout=DOT_TIMEOUT,
        check=True,
    )
    return done.stdout.decode()


def render_svg(topology: Topology) -> str:
    """Graphviz's drawing of the DOT output when `dot` is installed, else the text canvas."""
    drawn = graphviz_svg(render_dot(topology))
    if drawn is None:
        return svg_of_rows(layout_topology(topology, None).canvas.rows())
    return drawn


def export(topology: Topology, fmt: str, width: int | None = None) -> str:
    """The topology in `fmt`, one of text, dot or svg; `width` only narrows text."""
    if fmt == "text":
        return render_text(topology, width)
    if fmt == "dot":
        return render_dot(topology)
    if fmt == "svg":
        return render_svg(topology)
    raise ValueError(f"unknown topology format {fmt!r}; choose one of {', '.join(FORMATS)}")
