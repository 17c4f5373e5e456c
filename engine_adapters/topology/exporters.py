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


def _quote(text: str) -> str:
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
        out.append(f"  {_quote(net.key)} [shape=ellipse, label={_quote(net.caption)}];")
    clustered = {cid: c.project for c in topology.clusters for cid in c.container_ids}
    by_project: dict[str | None, list[str]] = {}
    for node in topology.containers:
        lines = [node.name, node.state.value, *node.published]
        if node.missing_stack:
            lines.append(f"net of {node.missing_stack}")
        style = "solid" if node.state is NodeState.RUNNING else "dashed"
        by_project.setdefault(clustered.get(node.id), []).append(
            f"{_quote(node.key)} [shape=box, style={style}, label={_quote(chr(10).join(lines))}];"
        )
    for index, (project, statements) in enumerate(
        sorted(by_project.items(), key=lambda i: i[0] or "")
    ):
        if project is None:
            out += [f"  {s}" for s in statements]
            continue
        out.append(f"  subgraph cluster_{index} {{")
        out.append(f"    label={_quote('compose: ' + project)}; style=dotted;")
        out += [f"    {s}" for s in statements]
        out.append("  }")
    for a in topology.attachments:
        out.append(
            f"  {_quote('c:' + a.container_id)} -> {_quote('n:' + a.network_id)} "
            f"[dir=none, label={_quote(a.label)}];"
        )
    for link in topology.links:
        out.append(
            f"  {_quote('c:' + link.source_id)} -> {_quote('c:' + link.target_id)} "
            f"[style=dashed, label={_quote(link.label)}];"
        )
    for shared in topology.shared_stacks:
        out.append(
            f"  {_quote('c:' + shared.source_id)} -> {_quote('c:' + shared.target_id)} "
            f"[style=dotted, label={_quote('shares network stack of')}];"
        )
    out.append("}")
    return "\n".join(out) + "\n"


def _svg_from_canvas(topology: Topology) -> str:
    """Without Graphviz, the text canvas set in a monospace SVG."""
    rows = layout_topology(topology, None).canvas.rows()
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


def render_svg(topology: Topology) -> str:
    """Graphviz's drawing of the DOT output when `dot` is installed, else the text canvas."""
    dot = shutil.which("dot")
    if dot is None:
        return _svg_from_canvas(topology)
    done = subprocess.run(
        [dot, "-Tsvg"],
        input=render_dot(topology).encode(),
        capture_output=True,
        timeout=DOT_TIMEOUT,
        check=True,
    )
    return done.stdout.decode()


def export(topology: Topology, fmt: str, width: int | None = None) -> str:
    """The topology in `fmt`, one of text, dot or svg; `width` only narrows text."""
    if fmt == "text":
        return render_text(topology, width)
    if fmt == "dot":
        return render_dot(topology)
    if fmt == "svg":
        return render_svg(topology)
    raise ValueError(f"unknown topology format {fmt!r}; choose one of {', '.join(FORMATS)}")
