"""The network topology graph: a scrollable canvas with node-to-node keyboard navigation."""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from engine_adapters.topology import CellKind, Layout, NodeBox, NodeState, Topology, layout_topology

# Which way each move key looks: (dx sign, dy sign).
DIRECTIONS = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}
STATE_CLASS = {
    NodeState.RUNNING: "topology-view--running",
    NodeState.PAUSED: "topology-view--paused",
    NodeState.STOPPED: "topology-view--stopped",
}
KIND_CLASS = {
    CellKind.EDGE: "topology-view--edge",
    CellKind.ARROW: "topology-view--edge",
    CellKind.LABEL: "topology-view--label",
    CellKind.HEADER: "topology-view--network",
    CellKind.CLUSTER: "topology-view--cluster",
}


class TopologyView(ScrollView, can_focus=True):
    """Draws a `Topology`; the screen feeds it new ones through `update_topology`."""

    # Ids follow tui.keymap's "owner.action" so this table can move there unchanged.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "move('left')", "Left", show=False, id="topology.move('left')"),
        Binding("right,l", "move('right')", "Right", show=False, id="topology.move('right')"),
        Binding("up,k", "move('up')", "Up", show=False, id="topology.move('up')"),
        Binding("down,j", "move('down')", "Down", show=False, id="topology.move('down')"),
        Binding("tab", "cycle(1)", "Next node", show=False, id="topology.cycle(1)"),
        Binding("shift+tab", "cycle(-1)", "Previous node", show=False, id="topology.cycle(-1)"),
        Binding("enter", "open", "Details", id="topology.open"),
        Binding("p", "cycle_project", "Project", id="topology.cycle_project"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "topology-view--edge",
        "topology-view--label",
        "topology-view--network",
        "topology-view--cluster",
        "topology-view--running",
        "topology-view--paused",
        "topology-view--stopped",
        "topology-view--member",
        "topology-view--selected",
    }
    DEFAULT_CSS = """
    TopologyView {
        background: $surface;
        color: $foreground;
    }
    TopologyView > .topology-view--edge { color: $foreground-muted; }
    TopologyView > .topology-view--label { color: $text-muted; }
    TopologyView > .topology-view--network { color: $accent; text-style: bold; }
    TopologyView > .topology-view--cluster { color: $secondary; text-style: italic; }
    TopologyView > .topology-view--running { color: $success; }
    TopologyView > .topology-view--paused { color: $warning; }
    TopologyView > .topology-view--stopped { color: $text-disabled; text-style: dim; }
    TopologyView > .topology-view--member { color: $accent; text-style: bold; }
    TopologyView > .topology-view--selected { color: $text; background: $accent; text-style: bold; }
    """

    selected: reactive[str | None] = reactive(None, init=False)
    project: reactive[str | None] = reactive(None, init=False)

    class ContainerSelected(Message):
        """Enter on a container: the app opens its details."""

        def __init__(self, container_id: str) -> None:
            super().__init__()
            self.container_id = container_id

    class FilterChanged(Message):
        """The compose project shown changed (None: all of them)."""

        def __init__(self, project: str | None) -> None:
            super().__init__()
            self.project = project

    def __init__(
        self,
        topology: Topology | None = None,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.topology = topology or Topology()
        self._shown = self.topology
        self._states: dict[str, NodeState] = {}
        self.layout_result: Layout = layout_topology(self.topology)
        self._highlight: frozenset[str] = frozenset()
        self._strips: dict[int, Strip] = {}

    # Data in.

    def update_topology(self, topology: Topology) -> None:
        """Show a new graph; the selected node and the project filter stay if they still exist."""
        self.topology = topology
        if self.project is not None and self.project not in topology.projects:
            self.set_reactive(TopologyView.project, None)
            self.post_message(self.FilterChanged(None))
        self._relayout()

    @property
    def shown(self) -> Topology:
        """The part of the graph on screen: everything, or one compose project."""
        return self._shown

    @property
    def highlighted(self) -> frozenset[str]:
        """Node keys drawn as members of the focused network (the network itself included)."""
        return self._highlight

    @property
    def selected_node(self) -> NodeBox | None:
        return None if self.selected is None else self.layout_result.node(self.selected)

    def _relayout(self) -> None:
        project = self.project
        self._shown = self.topology if project is None else self.topology.only_project(project)
        self._states = {c.key: c.state for c in self._shown.containers}
        width = self.scrollable_content_region.width or None
        self.layout_result = layout_topology(self._shown, width)
        canvas = self.layout_result.canvas
        self.virtual_size = Size(canvas.width, canvas.height)
        keys = [n.key for n in self.layout_result.nodes]
        if self.selected not in keys:
            first_container = next((k for k in keys if k.startswith("c:")), None)
            self.set_reactive(TopologyView.selected, first_container or (keys[0] if keys else None))
        self._refresh_highlight()
        self._scroll_to_selected()

    def _refresh_highlight(self) -> None:
        selected = self.selected or ""
        members: set[str] = set()
        if selected.startswith("n:"):
            members = {f"c:{cid}" for cid in self.shown.members(selected[2:])}
            members.add(selected)
        self._highlight = frozenset(members)
        self._strips.clear()
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._relayout()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    # Drawing.

    def _cell_style(self, x: int, y: int) -> str | None:
        canvas = self.layout_result.canvas
        owner, kind = canvas.owner(x, y), canvas.kind(x, y)
        if kind is CellKind.BLANK:
            return None
        if owner == self.selected and kind in (CellKind.TEXT, CellKind.HEADER):
            return "topology-view--selected"
        if owner in self._highlight:
            return "topology-view--member"
        if kind in (CellKind.BOX, CellKind.TEXT):
            state = self._states.get(owner)
            return STATE_CLASS[state] if state else None
        return KIND_CLASS.get(kind)

    def _strip(self, y: int) -> Strip:
        strip = self._strips.get(y)
        if strip is not None:
            return strip
        canvas = self.layout_result.canvas
        base = self.rich_style
        styles: dict[str | None, Style] = {None: base}
        segments: list[Segment] = []
        run, run_class = "", None
        for x in range(canvas.width):
            cls = self._cell_style(x, y)
            if cls != run_class and run:
                segments.append(Segment(run, styles[run_class]))
                run = ""
            if cls not in styles:
                # Not partial: theme colours with alpha get blended over the background.
                styles[cls] = self.get_component_rich_style(cls or "")
            run_class = cls
            run += canvas.char(x, y)
        if run:
            segments.append(Segment(run, styles[run_class]))
        strip = Strip(segments, canvas.width)
        self._strips[y] = strip
        return strip

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        row = y + scroll_y
        width = self.scrollable_content_region.width
        if row >= self.layout_result.canvas.height:
            return Strip.blank(width, self.rich_style)
        strip = self._strip(row).crop(scroll_x, scroll_x + width)
        return strip.extend_cell_length(width, self.rich_style)

    # Navigation.

    def watch_selected(self) -> None:
        self._refresh_highlight()
        self._scroll_to_selected()

    def watch_project(self) -> None:
        self._relayout()

    def _scroll_to_selected(self) -> None:
        node = self.selected_node
        if node is not None:
            self.scroll_to_region(Region(node.x, node.y, node.width, node.height), animate=False)

    def action_move(self, direction: str) -> None:
        current = self.selected_node
        if current is None:
            self.action_cycle(1)
            return
        sx, sy = DIRECTIONS[direction]
        cx, cy = current.anchor
        best: tuple[int, str] | None = None
        for node in self.layout_result.nodes:
            dx, dy = node.anchor[0] - cx, node.anchor[1] - cy
            ahead = dx * sx + dy * sy
            if node.key == current.key or ahead <= 0:
                continue
            # Straight ahead wins over diagonal: sideways distance counts double.
            score = ahead + 2 * abs(dx * sy + dy * sx)
            if best is None or (score, node.key) < best:
                best = (score, node.key)
        if best is not None:
            self.selected = best[1]

    def action_cycle(self, step: int) -> None:
        keys = [n.key for n in self.layout_result.nodes]
        if not keys:
            return
        index = keys.index(self.selected) if self.selected in keys else -step
        self.selected = keys[(index + step) % len(keys)]

    def action_open(self) -> None:
        if self.selected is not None and self.selected.startswith("c:"):
            self.post_message(self.ContainerSelected(self.selected[2:]))

    def action_cycle_project(self) -> None:
        choices: list[str | None] = [None, *self.topology.projects]
        index = choices.index(self.project) if self.project in choices else 0
        self.project = choices[(index + 1) % len(choices)]
        self.post_message(self.FilterChanged(self.project))

    def on_click(self, event: events.Click) -> None:
        x, y = event.x + int(self.scroll_x), event.y + int(self.scroll_y)
        for node in self.layout_result.nodes:
            if node.x <= x < node.x + node.width and node.y <= y < node.y + node.height:
                self.selected = node.key
                return
