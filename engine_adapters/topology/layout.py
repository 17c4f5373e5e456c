"""The layered layout on a character grid: link tracks | containers | edge labels | buses.

Layers run left to right. Network hubs are vertical buses, their captions stacked
above them like stairs so no bus ever crosses a caption. Containers are boxes in
one column, compose projects kept together under a title row. Each container-to-
network edge leaves its box on its own row, with its label in a column no bus
reaches. Links and shared network stacks run on tracks left of the boxes, again
with their labels in a column of their own. So no line can cover a label, and the
canvas refuses to draw one that would.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine_adapters.topology.canvas import Canvas, CellKind
from engine_adapters.topology.model import ContainerNode, NodeState, Topology
from engine_adapters.topology.order import order_topology

MIN_BOX_WIDTH = 12
STATE_MARK = {NodeState.RUNNING: "●", NodeState.PAUSED: "◐", NodeState.STOPPED: "○"}
LEGEND = "● running  ◐ paused  ○ stopped  ┤ joined  ┼ crossing  ► link / shared net"


@dataclass(frozen=True, slots=True)
class NodeBox:
    """Where a node was drawn: a container's box or a network's caption."""

    key: str
    x: int
    y: int
    width: int
    height: int
    # The point keyboard navigation measures from: a box's middle, a bus's top.
    anchor: tuple[int, int]


@dataclass(frozen=True, slots=True)
class Layout:
    canvas: Canvas
    nodes: tuple[NodeBox, ...]
    crossings: int

    def node(self, key: str) -> NodeBox | None:
        return next((n for n in self.nodes if n.key == key), None)


@dataclass(frozen=True, slots=True)
class _SideEdge:
    """A link or shared stack drawn on a track left of the boxes."""

    owner: str
    source: str
    target: str
    label: str


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def _box_lines(node: ContainerNode) -> list[str]:
    lines = [f"{STATE_MARK[node.state]} {node.name}"]
    if node.state is not NodeState.RUNNING:
        lines.append(f"  {node.status or node.state.value}")
    if node.missing_stack:
        lines.append(f"  net of {node.missing_stack}")
    lines += [f"  {port}" for port in node.published]
    return lines


def _assign_tracks(spans: list[tuple[int, int]]) -> list[int]:
    """Interval colouring: each span gets the first track free over its rows."""
    track_end: list[int] = []
    tracks = [0] * len(spans)
    for i in sorted(range(len(spans)), key=lambda i: spans[i]):
        top, bottom = spans[i]
        free = next((t for t, end in enumerate(track_end) if end < top), len(track_end))
        if free == len(track_end):
            track_end.append(bottom)
        track_end[free] = bottom
        tracks[i] = free
    return tracks


class _Plan:
    """The rows and columns of one drawing, worked out before anything is drawn."""

    def __init__(self, topology: Topology, width: int | None) -> None:
        self.order = order_topology(topology)
        self.bus_pos = {nid: k for k, nid in enumerate(self.order.networks)}
        self.nodes = {c.id: c for c in topology.containers}
        self.networks = {n.id: n for n in topology.networks}
        self.lines = {cid: _box_lines(node) for cid, node in self.nodes.items()}
        self.stubs = {
            cid: sorted(
                (a for a in topology.attachments if a.container_id == cid),
                key=lambda a: self.bus_pos[a.network_id],
            )
            for cid in self.nodes
        }
        self.side = [
            *(
                _SideEdge(f"l:{x.source_id}", x.source_id, x.target_id, x.label)
                for x in topology.links
            ),
            *(
                _SideEdge(f"s:{x.source_id}", x.source_id, x.target_id, x.label)
                for x in topology.shared_stacks
            ),
        ]
        self._plan_rows(topology)
        self._plan_side_edges()
        self._plan_columns(width)

    def _plan_rows(self, topology: Topology) -> None:
        """Captions, a gap, then each box, with a title row before each compose project."""
        ends = dict.fromkeys(self.nodes, 0)
        for edge in self.side:
            ends[edge.source] += 1
            ends[edge.target] += 1
        n_nets = len(self.order.networks)
        cluster_of = {cid: c.project for c in topology.clusters for cid in c.container_ids}
        self.box_top: dict[str, int] = {}
        self.box_height: dict[str, int] = {}
        self.titles: list[tuple[int, str]] = []
        y = n_nets + 1 if n_nets else 0
        current: str | None = None
        for cid in self.order.containers:
            project = cluster_of.get(cid)
            if project != current:
                y += 1 if current is not None else 0
                if project is not None:
                    self.titles.append((y, project))
                    y += 1
                current = project
            self.box_top[cid] = y
            rows = max(len(self.lines[cid]), len(self.stubs[cid]), ends[cid], 1)
            self.box_height[cid] = 2 + rows
            y += self.box_height[cid]
        self.height = max(y, 1)

    def _plan_side_edges(self) -> None:
        """The row each link or shared stack meets its two boxes at, and its track."""
        top = self.box_top
        next_end = {cid: top[cid] + 1 for cid in self.nodes}
        self.side.sort(key=lambda e: (top[e.source], top[e.target], e.owner))
        self.side_rows: list[tuple[int, int]] = []
        for edge in self.side:
            self.side_rows.append((next_end[edge.source], next_end[edge.target]))
            next_end[edge.source] += 1
            next_end[edge.target] += 1
        self.tracks = _assign_tracks([(min(r), max(r)) for r in self.side_rows])
        n_tracks = max(self.tracks, default=-1) + 1
        side_label = max((len(e.label) for e in self.side), default=0)
        self.after_tracks = 2 * n_tracks - 1
        self.x0 = self.after_tracks + side_label + 4 if n_tracks else 0

    def _plan_columns(self, width: int | None) -> None:
        """Box width, then the label column, then one column per bus, two apart."""
        edge_label = max((len(a.label) for ss in self.stubs.values() for a in ss), default=0)
        label_room = edge_label + 6 if edge_label else 3
        inner = max((len(line) for ls in self.lines.values() for line in ls), default=0)
        n_nets = len(self.order.networks)
        # Boxes widen until every caption fits left of its bus; a narrow terminal shrinks them.
        caption_room = max(
            (
                len(self.networks[nid].caption) + 4 - 2 * k
                for k, nid in enumerate(self.order.networks)
            ),
            default=0,
        )
        box_w = max(inner + 4, MIN_BOX_WIDTH, caption_room - label_room - self.x0)
        natural = self.x0 + box_w + label_room + 2 * max(n_nets - 1, 0) + 1
        if width is not None and natural > width:
            excess = natural - width
            box_w = max(MIN_BOX_WIDTH, inner + 4 - excess, box_w - excess)
        self.box_w = box_w
        self.xr = self.x0 + box_w - 1
        self.bus_x = [self.xr + label_room + 2 * k for k in range(n_nets)]
        self.width = self.bus_x[-1] + 1 if self.bus_x else self.xr + 1


def _draw_networks(plan: _Plan, canvas: Canvas) -> list[NodeBox]:
    """Buses first, so the edges drawn later end on them in a junction."""
    bottom: dict[str, int] = {}
    for cid, atts in plan.stubs.items():
        for i, a in enumerate(atts):
            bottom[a.network_id] = max(bottom.get(a.network_id, 0), plan.box_top[cid] + 1 + i)
    placed = []
    n_nets = len(plan.order.networks)
    for k, nid in enumerate(plan.order.networks):
        key, bus, row = plan.networks[nid].key, plan.bus_x[k], n_nets - 1 - k
        caption = _clip(plan.networks[nid].caption, bus - 3)
        cx = bus - 3 - len(caption)
        canvas.text(cx, row, caption, key, CellKind.HEADER)
        canvas.hline(bus - 2, bus, row, key, open_start=True)
        if nid in bottom:
            canvas.vline(bus, row, bottom[nid], key)
        placed.append(NodeBox(key, cx, row, bus - cx + 1, 1, (bus, row)))
    return placed


def _draw_containers(plan: _Plan, canvas: Canvas) -> list[NodeBox]:
    x0, xr, box_w = plan.x0, plan.xr, plan.box_w
    for y_title, project in plan.titles:
        # The title row has no box, so it may run on to the first bus.
        room = (plan.bus_x[0] - 1 if plan.bus_x else canvas.width) - x0
        title = _clip(f"┄ compose: {project} ", room)
        title += "┄" * (box_w - len(title))
        canvas.text(x0, y_title, title, f"p:{project}", CellKind.CLUSTER)
    placed = []
    for cid, node in plan.nodes.items():
        top, h = plan.box_top[cid], plan.box_height[cid]
        canvas.box(x0, top, box_w, h, node.key, dashed=node.state is NodeState.STOPPED)
        for i, line in enumerate(plan.lines[cid]):
            canvas.text(x0 + 2, top + 1 + i, _clip(line, box_w - 4), node.key, CellKind.TEXT)
        placed.append(NodeBox(node.key, x0, top, box_w, h, (x0 + box_w // 2, top + h // 2)))
        for i, a in enumerate(plan.stubs[cid]):
            key, row = plan.networks[a.network_id].key, top + 1 + i
            bus = plan.bus_x[plan.bus_pos[a.network_id]]
            if a.label:
                canvas.hline(xr, xr + 1, row, key, open_end=True)
                canvas.text(xr + 2, row, f" {a.label} ", key, CellKind.LABEL)
                canvas.hline(xr + len(a.label) + 4, bus, row, key, open_start=True)
            else:
                canvas.hline(xr, bus, row, key)
    return placed


def _draw_side_edges(plan: _Plan, canvas: Canvas) -> None:
    """Links and shared stacks: labelled where they leave, an arrow where they arrive."""
    x0, after = plan.x0, plan.after_tracks
    for edge, (src, dst), track in zip(plan.side, plan.side_rows, plan.tracks, strict=True):
        tx = after - 1 - 2 * track
        canvas.vline(tx, min(src, dst), max(src, dst), edge.owner)
        canvas.hline(tx, after, src, edge.owner, open_end=True)
        canvas.text(after + 1, src, f" {edge.label} ", edge.owner, CellKind.LABEL)
        canvas.hline(after + len(edge.label) + 3, x0, src, edge.owner, open_start=True)
        canvas.hline(tx, x0 - 2, dst, edge.owner, open_end=True)
        canvas.text(x0 - 1, dst, "►", edge.owner, CellKind.ARROW)


def layout_topology(topology: Topology, width: int | None = None) -> Layout:
    """Lay the graph out; `width` shrinks container boxes (never labels) to fit if it can."""
    plan = _Plan(topology, width)
    canvas = Canvas(plan.width, plan.height)
    placed = _draw_networks(plan, canvas) + _draw_containers(plan, canvas)
    _draw_side_edges(plan, canvas)
    placed.sort(key=lambda b: (b.y, b.x, b.key))
    return Layout(canvas, tuple(placed), plan.order.crossings)
