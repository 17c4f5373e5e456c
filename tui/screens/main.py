"""The main screen: header, the four resource views, the detail tabs and the command line.

It composes the widgets, a controller per view (tui/controllers) and the live feed
(tui/screens/live.py); a key runs its handler from tui/keymap.py on its owner.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Input, Static
from textual.worker import Worker, WorkerState

from engine_adapters.errors import EngineUnavailable
from engine_adapters.models import Container
from engine_adapters.protocol import Engine
from tui.controllers import VIEWS
from tui.keymap import (
    DETAIL_TABS,
    action_name,
    bindings_for,
    immediate_actions,
    input_openers,
    mutating_actions,
    run_spec,
)
from tui.screens.fleet_feed import FleetDropped, FleetFeed, FleetListed, FleetStatsUpdated
from tui.screens.live import (
    ConnectionChanged,
    EngineEventArrived,
    InfoFetched,
    LiveFeed,
    ResourcesFetched,
    StatsUpdated,
)
from tui.screens.swarm_feed import SwarmFeed
from tui.widgets.bars.header import EngineHeader
from tui.widgets.bars.key_bar import KeyBar
from tui.widgets.bars.line_inputs import CommandLine, FilterInput
from tui.widgets.detail.pane import DetailPane
from tui.widgets.stats_history import StatsHistory
from tui.widgets.views.containers_table import ContainersTable
from tui.widgets.views.other_tables import ImagesTable, NetworksTable, VolumesTable
from tui.widgets.views.resource_table import ResourceTable

if TYPE_CHECKING:
    from tui.app import DockyardApp
    from tui.controllers.views import ViewControllers
    from tui.screens.swarm_feed import SwarmFetched
    from tui.widgets.views.fleet_table import FleetTable

SELECT_DELAY = 0.12
MOUNT_HIDDEN_LATEST = 2.0


class MainScreen(Screen[None]):
    BINDINGS = bindings_for("main")

    def __init__(self, containers: list[Container] | None = None) -> None:
        super().__init__()
        self.stats = StatsHistory()
        self.current_view = "containers"
        self.id_names: dict[str, str] = {}  # container id -> name, for the volumes' users
        self.hidden_mounted = asyncio.Event()  # the views and tabs the first frame leaves out
        self._controllers: ViewControllers | None = None
        self.live = LiveFeed(self)
        self.swarm_feed = SwarmFeed(self)
        self.fleet_feed = FleetFeed(self)
        self._select_timer: Timer | None = None
        self._first_containers = containers
        self._hidden_mounting = False
        self._detail: DetailPane | None = None

    # typed access --------------------------------------------------------------------
    @property
    def controllers(self) -> ViewControllers:
        """Made at the first key: the controllers (and their dialogs) are not needed before."""
        if self._controllers is None:
            from tui.controllers.views import ViewControllers

            self._controllers = ViewControllers(self)
        return self._controllers

    @property
    def app(self) -> DockyardApp:  # type: ignore[override]
        return cast("DockyardApp", super().app)

    @property
    def engine(self) -> Engine:
        return self.app.engine

    @property
    def header(self) -> EngineHeader:
        return self.query_one(EngineHeader)

    @property
    def banner(self) -> Static:
        return self.query_one("#banner", Static)

    @property
    def detail(self) -> DetailPane:
        # Kept once found: the key bar's guards ask for it for each detail tab key, on every
        # change of the active bindings, and a query walks the screen.
        if self._detail is None:
            self._detail = self.query_one(DetailPane)
        return self._detail

    @property
    def containers_table(self) -> ContainersTable:
        return self.query_one(ContainersTable)

    @property
    def images_table(self) -> ImagesTable:
        return self.query_one(ImagesTable)

    @property
    def volumes_table(self) -> VolumesTable:
        return self.query_one(VolumesTable)

    @property
    def networks_table(self) -> NetworksTable:
        return self.query_one(NetworksTable)

    @property
    def fleet_table(self) -> FleetTable:
        """Mounted for a fleet only (its module is not even imported for one engine)."""
        return cast("FleetTable", self.query_one("#fleet-table"))

    def table(self, view: str | None = None) -> ResourceTable:
        return self.query_one(f"#{view or self.current_view}-table", ResourceTable)

    def mounted_table(self, view: str) -> ResourceTable | None:
        """The view's table, or None before it is mounted (only the containers' is at first).

        Asked for every view on each list and count update: an id query is cached by Textual,
        a selector query walks the whole screen.
        """
        return self.query_one_optional(f"#{view}-table", ResourceTable)

    def items_of(self, view: str) -> Mapping[str, object]:
        """The view's items by key; none before its table is mounted."""
        table = self.mounted_table(view)
        return table.items if table is not None else {}

    def count_of(self, view: str) -> int | None:
        """How many items the view lists; None until the engine's first list has come."""
        table = self.mounted_table(view)
        return len(table.items) if table is not None and table.filled else None

    # building ------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        # Only what the first frame shows; the rest is mounted after it (mount_hidden).
        yield EngineHeader(id="header")
        yield Static("", id="banner")
        yield Static("", id="view-tabs")
        if self.fleet_feed.active:
            self.current_view = "fleet"  # several engines were asked for: all of them at once
        with Vertical(id="body"):
            with ContentSwitcher(initial=f"{self.current_view}-table", id="views"):
                yield ContainersTable(id="containers-table")
                if self.fleet_feed.active:
                    # Only for a fleet: one engine never imports the Fleet view's table.
                    from tui.widgets.views.fleet_table import FleetTable

                    yield FleetTable(id="fleet-table")
            yield DetailPane(id="detail")
        yield KeyBar()

    async def mount_hidden(self) -> None:
        """The other views, the inputs and the detail tabs, mounted once the list is painted.

        Styling a widget costs Textual about a millisecond (a table's every component class
        is styled too): the ones nobody sees yet would delay the first frame by some 60 ms.
        A terminal too small to draw the list at all gets them after MOUNT_HIDDEN_LATEST.
        """
        if self._hidden_mounting:
            return
        self._hidden_mounting = True
        tables: list[ResourceTable] = [
            ImagesTable(id="images-table"),
            VolumesTable(id="volumes-table"),
            NetworksTable(id="networks-table"),
        ]
        # A table held hidden costs about 0.6 MiB: the Swarm view's are mounted only once the
        # engine is known to manage a swarm (mount_swarm_view).
        for table in tables:
            table.display = False  # ContentSwitcher hides the children it starts with only
        await self.query_one(ContentSwitcher).mount_all(tables)
        await self.mount(
            FilterInput(self.table, placeholder="filter (esc clears)", id="filter"),
            after="#view-tabs",
        )
        await self.mount(
            CommandLine(
                self.table,
                placeholder=":containers :images :volumes :networks :ctx NAME :theme NAME :q",
                id="command-line",
            ),
            before=self.query_one(KeyBar),
        )
        await self.detail.mount_tabs()
        self.swarm_feed.probe()
        self.live.share_names()
        self.hidden_mounted.set()
        self.app.started()
        self.live.update_counts()
        self.show_view_tabs()
        if self.current_view == "fleet":
            self.show_view("fleet")  # its filter and detail pane, now mounted

    async def mount_swarm_view(self) -> None:
        """The Swarm view's services-or-nodes table and its tasks pane, for a manager."""
        if self.mounted_table("swarm") is not None:
            return
        from tui.widgets.views.swarm_table import SwarmTable, TasksTable

        table, tasks = SwarmTable(id="swarm-table"), TasksTable(id="swarm-tasks")
        table.display = tasks.display = False
        await self.query_one(ContentSwitcher).mount(table)
        await self.query_one("#body").mount(tasks)
        self.swarm_feed.attach(table, tasks)

    def on_mount(self) -> None:
        self.banner.display = False
        self.header.engine_label = f"{self.engine.name} {self.engine.endpoint}"
        self.header.read_only = self.app.read_only
        self.containers_table.stats = self.stats
        config = self.app.config
        self.detail.configure(self.engine, self.stats, config.log_tail, config.copy_lines)
        first, self._first_containers = self._first_containers, None
        self.live.start(read=first is None)
        if first is not None:
            self.live.apply("containers", list(first))
        if self.fleet_feed.active:
            self.fleet_table.stats = self.fleet_feed.stats
            self.fleet_feed.start(first)
        self.show_view_tabs()
        self.set_timer(MOUNT_HIDDEN_LATEST, self.mount_hidden)
        self.set_interval(config.reconcile_interval, self.live.reconcile)
        self.set_interval(30, self.live.tick_clock)
        self.table().focus()

    # data in ----------------------------------------------------------------------------
    def on_resources_fetched(self, message: ResourcesFetched) -> None:
        self.live.apply(message.kind, message.items)

    def on_info_fetched(self, message: InfoFetched) -> None:
        self.header.info = message.info
        self.header.connected = True

    def on_swarm_fetched(self, message: SwarmFetched) -> None:
        self.swarm_feed.apply(message)

    def on_fleet_listed(self, message: FleetListed) -> None:
        self.fleet_feed.listed(message)

    def on_fleet_dropped(self, message: FleetDropped) -> None:
        self.fleet_feed.dropped(message)

    def on_fleet_stats_updated(self, message: FleetStatsUpdated) -> None:
        top = self.app.screen
        if top is not self and not isinstance(top, ModalScreen):
            return  # as for the main list's stats: caught up on resume
        self.fleet_feed.stats_updated()
        if self.current_view == "fleet" and self.detail.active == "tab-stats":
            self.detail.refresh_stats()

    def on_engine_event_arrived(self, message: EngineEventArrived) -> None:
        self.live.event_arrived(message.event)

    def on_stats_updated(self, message: StatsUpdated) -> None:
        """Flush only the rows whose samples changed, in one screen update."""
        top = self.app.screen
        if top is not self and not isinstance(top, ModalScreen):
            return  # a full screen (the dashboard) covers this one: catch up on resume
        dirty = self.stats.take_dirty()
        with self.app.batch_update():
            self.containers_table.update_rows(dirty)
            # Only the containers view's detail pane shows this store (the fleet's its own).
            if self.current_view == "containers" and self.detail.active == "tab-stats":
                self.detail.refresh_stats()

    async def on_containers_table_first_painted(self) -> None:
        await self.mount_hidden()

    def on_screen_resume(self) -> None:
        if self.is_mounted and self.query(ContainersTable):
            self.on_stats_updated(StatsUpdated())

    # the engine's health ---------------------------------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Worker failures do not bubble in Textual: the app's one error path gets them."""
        worker = event.worker
        if worker.state == WorkerState.ERROR and worker.error is not None:
            self.app.report_error(worker.error)

    def connection_lost(self, error: EngineUnavailable) -> None:
        self.live.connection_lost(error)

    def on_connection_changed(self, message: ConnectionChanged) -> None:
        if message.connected:
            self.live.connection_restored()

    # selection --------------------------------------------------------------------------
    def on_resource_table_selected(self, message: ResourceTable.Selected) -> None:
        if message.table is not self.table():
            return
        # Moving the cursor fast through the list must not start a logs stream per row.
        if self._select_timer is not None:
            self._select_timer.stop()
        self._select_timer = self.set_timer(SELECT_DELAY, self._show_selection)

    def _show_selection(self) -> None:
        self._select_timer = None
        table = self.table()
        item = table.current
        if self.current_view == "swarm":
            self.swarm_feed.clear_tasks()
            self.swarm_feed.tick()  # the tasks of the service now under the cursor
            return
        self._detail_engine(table)
        project = self.containers_table.current_project if table is self.containers_table else None
        if item is None and project is not None:
            # A compose project's header row shows the merged logs of all its services.
            members = [
                c for c in self.containers_table.items.values() if c.compose_project == project
            ]
            self.detail.show_project(project, members)
        elif item is not self.detail.item:
            self.detail.select(item)

    def refresh_shown_item(self, table: ResourceTable) -> None:
        """A fresh list of the shown view: the detail pane gets the selected item's newer
        object (its state changed; its logs follow again if it runs again)."""
        if table.id != f"{self.current_view}-table":
            return
        item, shown = table.current, self.detail.item
        if item is None or shown is None or shown is False or item is shown:
            return  # False: the pane is about to show the selection anew
        if table.key_of(item) == table.key_of(shown):
            self.detail.refresh_item(item)

    def _detail_engine(self, table: ResourceTable) -> None:
        """The detail pane reads the selected row's own engine: in the fleet view, the row's."""
        engine, stats = self.engine, self.stats
        if table.id == "fleet-table":
            member = self.fleet_feed.engine_named(self.fleet_table.current_engine or "")
            if member is not None:
                engine, stats = member.engine, self.fleet_feed.stats
        if self.detail.engine is not engine:
            config = self.app.config
            self.detail.configure(engine, stats, config.log_tail, config.copy_lines)
            self.detail.item = False  # the same id on another engine is another container

    def on_resize(self) -> None:
        self.query_one("#body").set_class(self.size.height < 32, "-short")

    # keys -------------------------------------------------------------------------------
    async def action_act(self, spec_id: str) -> None:
        await run_spec(self, spec_id)

    def on_resource_table_action_requested(self, message: ResourceTable.ActionRequested) -> None:
        """A view's key: its controller runs the handler from the action table."""
        message.stop()
        spec = message.spec
        if self.app.read_only and spec.mutates:
            self.notify("Read-only mode: nothing that changes state is allowed", severity="warning")
            return
        self.controllers[spec.owner].handle(spec, message.selection)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        action = action_name(action, parameters)
        if action in mutating_actions("main") and self.app.read_only:
            return None
        focused = self.focused
        if action in input_openers("main"):
            # The priority `/` must not steal the key from an input or the logs' own `/`.
            if isinstance(focused, Input) or in_log_panel(focused):
                return False
        elif action in immediate_actions("main") and isinstance(focused, Input):
            return False  # `2` typed in the filter is text
        elif action in ("tab", "next_tab", "prev_tab"):
            return self._tab_allowed(parameters)
        return True

    def _tab_allowed(self, parameters: tuple[object, ...]) -> bool | None:
        if not self.detail.tabs_mounted:
            return None
        spec_id = str(parameters[0]) if parameters else ""
        tab = next((t for t, _, _ in DETAIL_TABS if spec_id.endswith(f"tab('{t}')")), None)
        return True if tab is None or f"tab-{tab}" in self.detail.visible_tabs() else None

    # views, filter, zoom, tabs -----------------------------------------------------------
    async def action_view(self, view: str) -> None:
        # Keys run in the app's task: awaiting here holds the keys typed after this one until
        # the screen's task has mounted the views, so none is lost or taken out of order.
        await self.hidden_mounted.wait()
        if view == "swarm" and not await self.swarm_feed.manager_known():
            self.notify("not a swarm manager", timeout=3)
            return
        if view == "fleet" and not self.fleet_feed.active:
            self.notify(
                "one engine: a fleet is --engine A --engine B, or [fleet] engines in config.toml",
                timeout=4,
            )
            return
        self.show_view(view)

    def show_view(self, view: str) -> None:
        if view not in VIEWS:
            return
        self.current_view = view
        self.query_one(ContentSwitcher).current = f"{view}-table"
        self.show_view_tabs()
        table = self.table()
        filter_input = self.query_one(FilterInput)
        filter_input.value = table.filter_text
        filter_input.display = bool(table.filter_text)
        self.set_focus(table)  # now, not later: a `/` typed next moves it to the filter
        swarm = view == "swarm"
        self.detail.display = not swarm
        if swarm:
            self.swarm_feed.start()
        else:
            self.swarm_feed.stop()
        self.detail.only_inspect(view not in ("containers", "fleet"))
        self.detail.item = False  # force a reload: the same item may be shown again
        self._show_selection()
        self.app.refresh_bindings()

    def show_view_tabs(self) -> None:
        labels = []
        for number, view in enumerate(VIEWS, start=1):
            if view == "swarm" and not self.swarm_feed.is_manager:
                continue
            if view == "fleet" and not self.fleet_feed.active:
                continue
            count = self.count_of(view)
            fleet = view == "fleet" and self.mounted_table("fleet") is not None
            down = len(self.fleet_table.down) if fleet else 0
            shown = "…" if count is None else count
            text = f" {number} {view.title()} ({shown}{f', {down} down' if down else ''}) "
            labels.append(f"[reverse b]{text}[/]" if view == self.current_view else text)
        tabs = self.query_one("#view-tabs", Static)
        if tabs.content != "".join(labels):  # an update re-lays out the screen: skip no-ops
            tabs.update("".join(labels))

    async def action_filter(self) -> None:
        await self.hidden_mounted.wait()  # as in action_view
        filter_input = self.query_one(FilterInput)
        filter_input.display = True
        # Focus now, not via call_later: keys typed right after `/` are already queued.
        self.set_focus(filter_input)

    def on_input_changed(self, event: Input.Changed) -> None:
        if isinstance(event.input, FilterInput):
            table = self.table()
            table.filter_text = event.value
            table.refresh_rows()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if isinstance(event.input, FilterInput):
            self.table().focus()
        elif isinstance(event.input, CommandLine):
            text = event.value
            event.input.value = ""
            event.input.display = False
            self.table().focus()
            self.app.run_command(text)

    def key_escape(self) -> None:
        focused = self.focused
        if isinstance(focused, (FilterInput, CommandLine)):
            focused.value = ""
            focused.display = False
            self.table().focus()
        elif self.maximized is not None:
            self.minimize()
        elif not isinstance(focused, ResourceTable):  # none too: a tab switch may leave none
            self.table().focus()

    async def open_command_line(self) -> None:
        await self.hidden_mounted.wait()  # as in action_view
        line = self.query_one(CommandLine)
        line.display = True
        self.set_focus(line)

    def action_zoom(self) -> None:
        if self.maximized is not None:
            self.minimize()
            return
        focused = self.focused
        target = (
            self.detail
            if focused is not None and self.detail in focused.ancestors_with_self
            else self.table()
        )
        self.maximize(target, container=False)

    def action_zoom_detail(self) -> None:
        """The detail pane full screen whatever has focus; again, and it is back."""
        if self.maximized is not None:
            self.minimize()
            self.table().focus()
            return
        # Focus first: left on the list (or the filter) it would take the keys meant for the
        # zoomed tab, `Z` among them.
        self.detail.focus_content()
        self.maximize(self.detail, container=False)

    def action_tab(self, tab: str) -> None:
        def show() -> None:
            self.detail.active = f"tab-{tab}"

        self._switch_tab(show)

    def action_next_tab(self) -> None:
        self._switch_tab(lambda: self.detail.step_tab(1))

    def action_prev_tab(self) -> None:
        self._switch_tab(lambda: self.detail.step_tab(-1))

    def _switch_tab(self, switch: Callable[[], None]) -> None:
        """Focus inside the old tab moves into the new one, not nowhere (the old one hides)."""
        inside = self.focused is not None and self.detail in self.focused.ancestors_with_self
        switch()
        if inside:
            self.call_after_refresh(self.detail.focus_content)

    def action_refresh(self) -> None:
        self.live.reconcile()

    def action_prune(self) -> None:
        self.controllers[self.current_view].prune()


def in_log_panel(widget: Widget | None) -> bool:
    """Whether `widget` is inside a LogPanel, found by its ancestors (the key bar asks on every
    guard change; a query of the panel's widgets cost more than the rest of the bar)."""
    return widget is not None and any(
        type(node).__name__ == "LogPanel" for node in widget.ancestors
    )
