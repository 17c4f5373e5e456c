"""A swarm graph as text (node boxes holding their tasks per network) and as Graphviz DOT."""

from __future__ import annotations

import textwrap

from engine_adapters.swarm.models import PublishedPort, SwarmTask
from engine_adapters.topology.exporters import FORMATS, graphviz_svg, quote, svg_of_rows
from engine_adapters.topology.swarm_graph import NodeGroup, ServicePorts, SwarmGraph

LABEL_WIDTH = 12  # at least: "(no overlay)"


def _node_title(group: NodeGroup) -> str:
    node = group.node
    role = f"{node.role}, leader" if node.leader else node.role
    return " · ".join(
        part for part in (node.hostname, role, node.availability, node.status, node.address) if part
    )


def _box(title: str, rows: list[tuple[str, str]], width: int, label_width: int) -> list[str]:
    """A rounded box `width` wide; each row is a label column and text wrapped beside it."""
    inner = width - 4
    head = f"╭─ {title} "
    lines = [head[: width - 1].ljust(width - 1, "─") + "╮"]
    text_width = max(inner - label_width - 1, 10)
    for label, text in rows:
        wrapped = textwrap.wrap(text, text_width) or [""]
        for index, piece in enumerate(wrapped):
            left = (label[:label_width] if index == 0 else "").ljust(label_width)
            lines.append(f"│ {left} {piece}".ljust(width - 1)[: width - 1] + "│")
    lines.append("╰" + "─" * (width - 2) + "╯")
    return lines


def _host_ports(group: NodeGroup, graph: SwarmGraph) -> list[tuple[SwarmTask, PublishedPort]]:
    """`mode: host` ports answer on the node of each task that publishes them."""
    by_service = {entry.service: entry for entry in graph.ports}
    return [
        (task, port)
        for task in group.tasks
        for port in (by_service[task.service_name].ports if task.service_name in by_service else ())
        if port.mode == "host"
    ]


def _node_rows(group: NodeGroup, graph: SwarmGraph) -> list[tuple[str, str]]:
    if not group.tasks:
        return [("", "no tasks")]
    rows = []
    for network in graph.networks:
        attached = group.on_network(network.id)
        if attached:
            text = ", ".join(f"{task.name} {address}".strip() for task, address in attached)
            rows.append((network.name, text))
    alone = [t.name for t in group.tasks if not t.networks]
    if alone:
        rows.append(("(no overlay)", ", ".join(alone)))
    pending = [f"{t.name} {t.state}" for t in group.tasks if t.state != "running"]
    if pending:
        rows.append(("not running", ", ".join(pending)))
    ports = _host_ports(group, graph)
    if ports:
        rows.append(("host ports", ", ".join(f"{task.name} {port}" for task, port in ports)))
    return rows


def _port_line(entry: ServicePorts, graph: SwarmGraph) -> list[str]:
    lines = []
    for port in entry.ports:
        if port.mode == "host":
            where = f"on {', '.join(entry.nodes) or 'no node yet'} (each task's own node)"
        elif graph.mesh.ip_vs is False:
            where = "ingress: the routing mesh does not forward here (no ip_vs)"
        else:
            where = "ingress: every node, through the routing mesh"
        lines.append(f"{entry.service}  {port}  {where}")
    return lines


def render_swarm_text(graph: SwarmGraph, width: int | None = 80, on_screen: bool = False) -> str:
    """A summary line, the node boxes, the overlay networks and published ports, then the
    routing mesh's note. The screen (`on_screen`) has lines of its own for the summary and
    the note, so they are left out."""
    width = max(width or 80, 40)
    out = (
        []
        if on_screen
        else [
            f"Swarm: {len(graph.groups)} nodes, {len(graph.networks)} overlay networks, "
            f"{graph.task_count} tasks"
        ]
    )
    # Network names label the rows: the column fits the longest, up to a third of the width.
    names = [len(n.name) for n in graph.networks]
    label_width = min(max([LABEL_WIDTH, *names]), max(LABEL_WIDTH, width // 3))
    for group in graph.groups:
        out += _box(_node_title(group), _node_rows(group, graph), width, label_width)
    out.append("overlay networks")
    for network in graph.networks:
        kind = " (ingress, routing mesh)" if network.ingress else ""
        spans = " ═ ".join(network.nodes) if network.nodes else "no task attached"
        out.append(f"  {network.name} {network.subnet}{kind}: {spans}".rstrip())
    if graph.ports:
        out.append("published ports")
        for entry in graph.ports:
            for line in _port_line(entry, graph):
                out += textwrap.wrap(line, width, initial_indent="  ", subsequent_indent="      ")
    if not on_screen:
        out += textwrap.wrap(graph.mesh.note, width, subsequent_indent="  ")
    return "\n".join(line.rstrip() for line in out) + "\n"


def render_swarm_dot(graph: SwarmGraph) -> str:
    """Each node a cluster of its task boxes; overlay networks as ellipses the tasks join."""
    out = [
        "digraph swarm {",
        '  graph [rankdir=LR, fontname="monospace", charset="UTF-8", compound=true];',
        '  node [fontname="monospace"];',
        '  edge [fontname="monospace", fontsize=10];',
    ]
    for network in graph.networks:
        caption = [network.name, network.subnet, *(["ingress"] if network.ingress else [])]
        label = quote("\n".join(part for part in caption if part))
        out.append(f"  {quote('n:' + network.id)} [shape=ellipse, label={label}];")
    for index, group in enumerate(graph.groups):
        out.append(f"  subgraph cluster_{index} {{")
        out.append(f"    label={quote(_node_title(group))}; style=rounded;")
        ports = _host_ports(group, graph)
        for task in group.tasks:
            lines = [task.name, task.state, *(str(p) for t, p in ports if t is task)]
            style = "solid" if task.state == "running" else "dashed"
            label = quote("\n".join(lines))
            out.append(f"    {quote('t:' + task.id)} [shape=box, style={style}, label={label}];")
        if not group.tasks:
            out.append(
                f'    {quote("empty:" + group.node.id)} [shape=plaintext, label="no tasks"];'
            )
        out.append("  }")
    for group in graph.groups:
        for task in group.tasks:
            for address in task.networks:
                out.append(
                    f"  {quote('t:' + task.id)} -> {quote('n:' + address.network_id)} "
                    f"[dir=none, label={quote(address.address)}];"
                )
    port_lines = [line for entry in graph.ports for line in _port_line(entry, graph)]
    note = "\n".join(["published ports", *port_lines, ""] if port_lines else [])
    out.append(f"  mesh [shape=note, label={quote(note + graph.mesh.note)}];")
    out.append("}")
    return "\n".join(out) + "\n"


def export_swarm(graph: SwarmGraph, fmt: str, width: int | None = None) -> str:
    """The swarm graph in `fmt`: text, dot, or svg (Graphviz's drawing, else the text as SVG)."""
    if fmt == "text":
        return render_swarm_text(graph, width)
    if fmt == "dot":
        return render_swarm_dot(graph)
    if fmt == "svg":
        drawn = graphviz_svg(render_swarm_dot(graph))
        return svg_of_rows(render_swarm_text(graph, None).splitlines()) if drawn is None else drawn
    raise ValueError(f"unknown topology format {fmt!r}; choose one of {', '.join(FORMATS)}")
