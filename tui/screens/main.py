"""The main screen: header, the four resource views, the detail tabs and the command line."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import ContentSwitcher, Input, Static

from engine_adapters.models import Container
from tui.keymap import bindings_for, immediate_actions, input_openers, mutating_actions
from tui.screens.actions import ActionsMixin
from tui.screens.live import (
    InfoFetched,
    LiveMixin,
    ResourcesFetched,
    StatsUpdated,
)
from tui.widgets.containers_table import ContainersTable
from tui.widgets.detail import DetailPane
from tui.widgets.header import EngineHeader
from tui.widgets.key_bar import KeyBar
from tui.widgets.other_tables import ImagesTable, NetworksTable, VolumesTable
from tui.widgets.resource_table import ResourceTable

if TYPE_CHECKING:
    pass

VIEWS = ("containers", "images", "volumes", "networks")
SELECT_DELAY = 0.12
MOUNT_HIDDEN_LATEST = 2.0


class FilterInput(Input):
    """`/` in a view: filters its rows as you type; escape clears it."""


class CommandLine(Input):
    """`:` command mode (`:images`, `:ctx NAME`, `:q`)."""


class MainScreen(LiveMixin, ActionsMixin):
    BINDINGS = bindings_for("main")

    def __init__(self, containers: list[Container] | None = None) -> None:
        super().__init__()
        self._select_timer: Timer | None = None
        self._first_containers = containers
        self._hidden_mounting = False

    def compose(self) -> ComposeResult:
        # Only what the first frame shows; the rest is mounted after it (mount_hidden).
        yield EngineHeader(id="header")
        yield Static("", id="banner")
        yield Static("", id="view-tabs")
        with Vertical(id="body"):
            with ContentSwitcher(initial="containers-table", id="views"):
                yield ContainersTable(id="containers-table")
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
        tables = [
            ImagesTable(id="images-table"),
            VolumesTable(id="volumes-table"),
            NetworksTable(id="networks-table"),
        ]
        for table in tables:
            table.display = False  # ContentSwitcher hides the children it starts with only
        await self.query_one(ContentSwitcher).mount_all(tables)
        await self.mount(
            FilterInput(placeholder="filter (esc clears)", id="filter"), after="#view-tabs"
        )
        await self.mount(
            CommandLine(
                placeholder=":containers :images :volumes :networks :ctx NAME :theme NAME :q",
                id="command-line",
            ),
            before=self.query_one(KeyBar),
        )
        await self.detail.mount_tabs()
        self._share_names()
        self.hidden_mounted.set()
        self.app.started()
        self._update_counts()
        self._show_view_tabs()

    def on_mount(self) -> None:
        self.banner.display = False
        self.header.engine_label = f"{self.engine.name} {self.engine.endpoint}"
        self.header.read_only = self.app.read_only
        self.containers_table.stats = self.stats
        self.detail.stats = self.stats
        self.detail.engine = self.engine
        self.detail.log_tail = self.app_config.log_tail
        self.detail.copy_lines = self.app_config.copy_lines
        self.start_live(read=self._first_containers is None)
        if self._first_containers is not None:
            self.on_resources_fetched(ResourcesFetched("containers", self._first_containers))
            self._first_containers = None
        self._show_view_tabs()
        self.set_timer(MOUNT_HIDDEN_LATEST, self.mount_hidden)
        self.set_interval(self.app_config.reconcile_interval, self.reconcile)
        self.set_interval(30, self._tick_clock)
        self.containers_table.focus()

    # data in ----------------------------------------------------------------
    def on_resources_fetched(self, message: ResourcesFetched) -> None:
        table = self.mounted_table(message.kind)
        if table is None:
            return  # read again once mounted (LiveMixin.reconcile waits for that)
        key_of = {"containers": "id", "images": "id", "volumes": "name", "networks": "id"}[
            message.kind
        ]
        table.items = {getattr(item, key_of): item for item in message.items}
        table.marked &= set(table.items)
        table.now = self.app.clock()
        if message.kind == "containers":
            self.id_names = {c.id: c.name for c in message.items}
            self._share_names()
            self.restart_stats_if_needed(message.items)
            self.header.connected = True
        table.refresh_rows()
        table.refresh_guards()
        self._update_counts()
        self._show_view_tabs()
        self._refresh_selected_item(table)

    def _share_names(self) -> None:
        volumes = self.mounted_table("volumes")
        if isinstance(volumes, VolumesTable):
            volumes.id_names = self.id_names

    def on_info_fetched(self, message: InfoFetched) -> None:
        self.header.info = message.info
        self.header.connected = True

    def on_stats_updated(self, message: StatsUpdated) -> None:
        """Flush only the rows whose samples changed, in one screen update."""
        top = self.app.screen
        if top is not self and not isinstance(top, ModalScreen):
            return  # a full screen (the dashboard) covers this one: catch up on resume
        dirty = self.stats.take_dirty()
        with self.app.batch_update():
            for cid in dirty:
                if cid in self.containers_table.items:
                    self.containers_table.update_row(cid)
            if self.detail.active == "tab-stats":
                self.detail.refresh_stats()

    async def on_containers_table_first_painted(self) -> None:
        await self.mount_hidden()

    def on_screen_resume(self) -> None:
        if self.is_mounted and self.query(ContainersTable):
            self.on_stats_updated(StatsUpdated())

    def _update_counts(self) -> None:
        containers = self.containers_table.items.values()
        running = sum(c.state.value == "running" for c in containers)
        self.header.counts = (
            len(containers),
            running,
            *(len(self.items_of(view)) for view in VIEWS[1:]),
        )

    def _tick_clock(self) -> None:
        """Uptimes age without any event, so the clock advances them now and then."""
        for table in self.query(ResourceTable):
            table.now = self.app.clock()
            table.refresh_rows()

    def _refresh_selected_item(self, table: ResourceTable) -> None:
        """If the shown item changed (a state change), give the detail pane the new object."""
        if table.id != f"{self.current_view}-table":
            return
        item = table.current
        shown = self.detail.item
        if (
            item is not None
            and shown is not None
            and item is not shown
            and _key(item) == _key(shown)
        ):
            self.detail.item = item

    # selection ----------------------------------------------------------------
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
        project = self.containers_table.current_project if table is self.containers_table else None
        if item is None and project is not None:
            # A compose project's header row shows the merged logs of all its services.
            members = [
                c for c in self.containers_table.items.values() if c.compose_project == project
            ]
            self.detail.show_project(project, members)
        elif item is not self.detail.item:
            self.detail.select(item)

    def on_resize(self) -> None:
        self.query_one("#body").set_class(self.size.height < 32, "-short")

    # views, filter, zoom -------------------------------------------------------------
    async def action_view(self, view: str) -> None:
        # Keys run in the app's task: awaiting here holds the keys typed after this one until
        # the screen's task has mounted the views, so none is lost or taken out of order.
        await self.hidden_mounted.wait()
        self.show_view(view)

    def show_view(self, view: str) -> None:
        if view not in VIEWS:
            return
        self.current_view = view
        self.query_one(ContentSwitcher).current = f"{view}-table"
        self._show_view_tabs()
        table = self.table()
        filter_input = self.query_one(FilterInput)
        filter_input.value = table.filter_text
        filter_input.display = bool(table.filter_text)
        self.set_focus(table)  # now, not later: a `/` typed next moves it to the filter
        self.detail.only_inspect(view != "containers")
        self.detail.item = False  # force a reload: the same item may be shown again
        self._show_selection()
        self.app.refresh_bindings()

    def _show_view_tabs(self) -> None:
        labels = []
        for number, view in enumerate(VIEWS, start=1):
            count = len(self.items_of(view))
            text = f" {number} {view.title()} ({count}) "
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
        elif focused is not None and not isinstance(focused, ResourceTable):
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

    def action_refresh(self) -> None:
        self.reconcile()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in mutating_actions("main") and self.app.read_only:
            return None
        focused = self.focused
        if action in input_openers("main"):
            # The priority `/` must not steal the key from an input or the logs' own `/`.
            if isinstance(focused, Input) or focused in list(self.query("LogPanel *")):
                return False
        elif action in immediate_actions("main") and isinstance(focused, Input):
            return False  # `2` typed in the filter is text
        return True

    def show_container_logs(self, container: Container) -> None:
        self.detail.active = "tab-logs"
        self.detail.select(container)


def _key(item: Any) -> str:
    return str(getattr(item, "id", None) or getattr(item, "name", ""))
