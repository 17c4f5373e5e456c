"""The topology screen: the network graph of the engine (or its swarm), status and legend lines."""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.timer import Timer
from textual.widgets import Static

from engine_adapters.errors import EngineError
from engine_adapters.protocol import Engine
from engine_adapters.shared_events import SharedEvents
from engine_adapters.swarm.reach import swarm_of
from engine_adapters.topology import LEGEND, Topology, changes_topology, load_topology
from tui.screens.covering import CoveringScreen
from tui.widgets.bars.key_bar import KeyBar
from tui.widgets.topology_view import TopologyView
from tui.widgets.worker_errors import report_error

RELOAD_DELAY = 0.3
# Task placement changes with no event a client can follow cheaply (see screens/swarm_feed.py).
SWARM_POLL_SECONDS = 2.0


class TopologyScreen(CoveringScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "reload", "Reload", id="topology.reload"),
        Binding("escape", "close", "Back", id="topology.close"),
        Binding("w", "toggle_swarm", "Swarm/containers", id="topology.toggle_swarm"),
    ]
    DEFAULT_CSS = """
    TopologyScreen #topology-status {
        height: 1;
        background: $panel;
        color: $text;
        padding: 0 1;
    }
    TopologyScreen #topology-view { height: 1fr; }
    TopologyScreen #swarm-graph { height: 1fr; display: none; }
    TopologyScreen.-swarm #swarm-graph { display: block; }
    TopologyScreen.-swarm #topology-view { display: none; }
    TopologyScreen.-swarm #topology-legend { height: auto; }
    TopologyScreen #topology-legend {
        height: 1;
        color: $text-muted;
        padding: 0 1;
    }
    """

    def __init__(
        self,
        engine: Engine,
        *,
        follow_events: bool = True,
        events: SharedEvents | None = None,
        name: str | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id)
        self.engine = engine
        self.follow_events = follow_events
        self.events = SharedEvents() if events is None else events  # the app's: one stream
        self._reload_timer: Timer | None = None
        self._swarm_timer: Timer | None = None
        self.manages_swarm = False  # `w` shows, on the key bar too, once the engine says so

    def compose(self) -> ComposeResult:
        yield Static("Topology: loading…", id="topology-status")
        yield TopologyView(id="topology-view")
        with VerticalScroll(id="swarm-graph"):
            yield Static("", id="swarm-graph-text", markup=False)
        yield Static(LEGEND, id="topology-legend", markup=False)
        yield KeyBar()

    @property
    def view(self) -> TopologyView:
        return self.query_one(TopologyView)

    def on_mount(self) -> None:
        self.view.focus()
        if self.follow_events:
            self.follow()
        self.reload()
        self.probe_swarm()

    @work(exclusive=True, group="swarm-state")
    async def probe_swarm(self) -> None:
        swarm = swarm_of(self.engine)
        state = await swarm.state() if swarm is not None else None
        self.manages_swarm = state is not None and state.is_manager
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_swarm":
            return self.manages_swarm
        return True

    @work(exclusive=True, group="topology-events")
    async def follow(self) -> None:
        """Reload after events that change the graph; the worker ends with the screen."""
        stream = self.events.follow(self.engine)
        try:
            async for event in stream:
                if changes_topology(event):
                    self._schedule_reload()
        except EngineError as error:
            report_error(self.app, error, title="Topology events")
        finally:
            await stream.aclose()

    def _schedule_reload(self) -> None:
        # `compose up` fires dozens of events at once; they become one reload.
        if self._reload_timer is None:
            self._reload_timer = self.set_timer(RELOAD_DELAY, self._reload_now)

    def _reload_now(self) -> None:
        self._reload_timer = None
        self.reload()

    @work(exclusive=True, group="topology")
    async def reload(self) -> Topology | None:
        """Read the graph again; the lead's event follower calls this (or update_topology)."""
        try:
            topology = await load_topology(self.engine)
        except EngineError as error:
            report_error(self.app, error, title="Topology")
            return None
        self.update_topology(topology)
        return topology

    def update_topology(self, topology: Topology) -> None:
        self.view.update_topology(topology)
        self._show_status()

    def _show_status(self) -> None:
        shown = self.view.shown
        project = self.view.project or "all projects"
        self.query_one("#topology-status", Static).update(
            f"Topology of {self.engine.name}: {len(shown.containers)} containers, "
            f"{len(shown.networks)} networks · {project}"
        )

    def on_topology_view_filter_changed(self, event: TopologyView.FilterChanged) -> None:
        self._show_status()

    def action_reload(self) -> None:
        if self.showing_swarm:
            self.reload_swarm()
        else:
            self.reload()

    # the swarm graph ------------------------------------------------------------------
    @property
    def showing_swarm(self) -> bool:
        return self.has_class("-swarm")

    @property
    def swarm_text(self) -> str:
        return str(self.query_one("#swarm-graph-text", Static).content)

    def action_toggle_swarm(self) -> None:
        """The swarm of a manager: its nodes as groups, their tasks, the overlays across them."""
        if self.showing_swarm:
            self.remove_class("-swarm")
            if self._swarm_timer is not None:
                self._swarm_timer.stop()
                self._swarm_timer = None
            self.query_one("#topology-legend", Static).update(LEGEND)
            self.view.focus()
            self._show_status()
            return
        self.open_swarm()

    def open_swarm(self) -> None:
        self.add_class("-swarm")
        self.query_one("#swarm-graph", VerticalScroll).focus()
        self.query_one("#topology-status", Static).update(f"Swarm of {self.engine.name}: loading…")
        self._swarm_timer = self.set_interval(SWARM_POLL_SECONDS, self.reload_swarm)
        self.reload_swarm()

    @work(exclusive=True, group="swarm-graph-load")
    async def reload_swarm(self) -> None:
        from engine_adapters.topology.swarm_graph import load_swarm_graph
        from engine_adapters.topology.swarm_render import render_swarm_text

        swarm = swarm_of(self.engine)
        if swarm is None or not self.showing_swarm:
            return
        try:
            graph = await load_swarm_graph(swarm)
        except EngineError as error:
            report_error(self.app, error, title="Swarm topology")
            return
        if not self.showing_swarm:
            return
        text = self.query_one("#swarm-graph-text", Static)
        # The scroll area's gutter and scrollbar take their columns: lines must not wrap.
        width = self.query_one("#swarm-graph", VerticalScroll).scrollable_content_region.width
        drawn = render_swarm_text(graph, max(width - 2, 40), on_screen=True)
        if str(text.content) != drawn:  # an update lays the screen out again
            text.update(drawn)
        self.query_one("#topology-legend", Static).update(graph.mesh.note)
        self.query_one("#topology-status", Static).update(
            f"Swarm of {self.engine.name}: {len(graph.groups)} nodes, "
            f"{len(graph.networks)} overlay networks, {graph.task_count} tasks"
        )

    def action_close(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
