"""The detail area: tabs for the selection (Logs, Stats, Inspect, Env, Ports, Processes)."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable, Static

from engine_adapters.models import Container, ContainerDetails, ContainerState, Image, Process
from engine_adapters.protocol import Engine
from tui.keymap import bindings_for, run_spec
from tui.widgets.stats_history import StatsHistory
from tui.widgets.worker_errors import ReportsWorkerErrors

if TYPE_CHECKING:  # imported for real by mount_tabs, after the first frame
    from textual.widgets import TabbedContent, Tree

    from tui.widgets.detail.log_panel import LogPanel
    from tui.widgets.detail.stats_panel import StatsPanel

SECRET = re.compile(r"pass|secret|token|key|credential|auth|private|cert", re.IGNORECASE)
MASK = "••••••••"
TABS = (
    ("Logs", "tab-logs"),
    ("Stats", "tab-stats"),
    ("Inspect", "tab-inspect"),
    ("Env", "tab-env"),
    ("Ports", "tab-ports"),
    ("Processes", "tab-top"),
)


def _plain(value: Any) -> Any:
    """Our frozen dataclasses (with read-only mappings inside) as JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


class EnvTable(DataTable[str]):
    """Environment of the selected container; secret-looking values stay masked until revealed."""

    BINDINGS = bindings_for("env")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row")
        self.env: tuple[tuple[str, str], ...] = ()
        self.revealed = False

    def on_mount(self) -> None:
        self.add_columns("KEY", "VALUE")

    def show(self, env: tuple[tuple[str, str], ...]) -> None:
        self.env = env
        self.revealed = False
        self._fill()

    def _fill(self) -> None:
        self.clear()
        for key, value in self.env:
            shown = value if self.revealed or not SECRET.search(key) else MASK
            self.add_row(key, shown, key=key)

    async def action_act(self, spec_id: str) -> None:
        await run_spec(self, spec_id)

    def action_reveal(self) -> None:
        self.revealed = not self.revealed
        self._fill()


@dataclass
class DetailsLoaded(Message):
    """A container's inspect data, for the Inspect, Env and Ports tabs."""

    details: ContainerDetails


@dataclass
class JsonLoaded(Message):
    """Inspect data of an image, volume or network."""

    data: object


@dataclass
class ProcessesLoaded(Message):
    """The Processes tab's rows; `note` says why there are none."""

    processes: list[Process]
    note: str = ""


class DetailPane(ReportsWorkerErrors, Vertical):
    """Loads what the active tab needs for the selected item; engine calls run in workers.

    The first frame shows only the tab titles: the tabs themselves (a dozen widgets, with
    their styles and imports) are mounted right after it, by `mount_tabs`. Until then a
    selection is only remembered.
    """

    # Not focusable itself, so Textual would refuse `z` (zoom) from the logs without this.
    ALLOW_MAXIMIZE = True

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.engine: Engine | None = None
        self.item: Any = None
        self.stats = StatsHistory()
        self.log_tail = 0
        self.copy_lines = 0
        self.tabs_mounted = False
        self._project: tuple[str, list[Container]] | None = None
        self._first_tab = TABS[0][1]
        self._inspect_only = False

    def configure(
        self, engine: Engine, stats: StatsHistory, log_tail: int, copy_lines: int
    ) -> None:
        self.engine, self.stats = engine, stats
        self.log_tail, self.copy_lines = log_tail, copy_lines

    def compose(self) -> ComposeResult:
        titles = "  ".join(title for title, _ in TABS)
        yield Static(f" [b]{titles}[/b]", id="detail-placeholder")

    async def mount_tabs(self) -> None:
        """The tabs and their content, in place of the placeholder; then the selection loads."""
        from textual.widgets import TabbedContent, TabPane, Tree

        from tui.widgets.detail.log_panel import LogPanel
        from tui.widgets.detail.stats_panel import StatsPanel

        logs = LogPanel(id="logs")
        logs.engine, logs.tail, logs.copy_lines = self.engine, self.log_tail, self.copy_lines
        ports = DataTable[str](id="ports", cursor_type="row")
        ports.add_columns("CONTAINER", "HOST IP", "HOST PORT")
        content: dict[str, list[Widget]] = {
            "tab-logs": [logs],
            "tab-stats": [StatsPanel(id="stats")],
            "tab-inspect": [Tree[Any]("inspect", id="inspect")],
            "tab-env": [EnvTable(id="env")],
            "tab-ports": [ports],
            "tab-top": [DataTable[str](id="top", cursor_type="row"), Static("", id="top-note")],
        }
        tabs = TabbedContent(id="detail-tabs", initial=self._first_tab)
        for title, tab in TABS:
            tabs.compose_add_child(TabPane(title, *content[tab], id=tab))
        await self.query_one("#detail-placeholder").remove()
        await self.mount(tabs)
        self.tabs_mounted = True
        if self._project is not None:
            self.show_project(*self._project)
        elif self.item is not None:
            self.select(self.item)

    @property
    def tabs(self) -> TabbedContent:
        return cast("TabbedContent", self.query_one("#detail-tabs"))

    @property
    def active(self) -> str:
        # Asked by stats updates at any time, also while the app is closing and the tabs go.
        tabs = self.query_one_optional("#detail-tabs")
        return cast("TabbedContent", tabs).active if tabs is not None else self._first_tab

    @active.setter
    def active(self, tab: str) -> None:
        if self.tabs_mounted:
            self.tabs.active = tab
        else:
            self._first_tab = tab

    def only_inspect(self, inspect_only: bool) -> None:
        """Images, volumes and networks have no logs, stats, env, ports or processes."""
        self._inspect_only = inspect_only
        tabs = self.tabs
        for tab in ("tab-logs", "tab-stats", "tab-env", "tab-ports", "tab-top"):
            if inspect_only:
                tabs.hide_tab(tab)
            else:
                tabs.show_tab(tab)
        if inspect_only:
            tabs.active = "tab-inspect"

    def visible_tabs(self) -> list[str]:
        """The tabs the selection's kind has, in order (none before mount_tabs). The key bar
        asks for each tab key on every guard change: known here, not queried from the tabs."""
        if not self.tabs_mounted:
            return []
        return ["tab-inspect"] if self._inspect_only else [tab for _, tab in TABS]

    def focus_content(self) -> None:
        """The focus on the active tab's content (its first focusable widget)."""
        if not self.tabs_mounted:
            return
        pane = self.tabs.active_pane
        target = next((w for w in pane.query("*") if w.focusable), None) if pane else None
        (target or self.tabs).focus()

    def step_tab(self, delta: int) -> None:
        """The next (1) or previous (-1) visible tab, round the end."""
        shown = self.visible_tabs()
        if shown:
            current = shown.index(self.active) if self.active in shown else 0
            self.active = shown[(current + delta) % len(shown)]

    @property
    def logs(self) -> LogPanel:
        return cast("LogPanel", self.query_one("#logs"))

    def select(self, item: Any) -> None:
        """Show `item` (a model object or None); container-only tabs clear for other kinds."""
        self.item = item
        self._project = None
        if not self.tabs_mounted:
            return
        container = item if isinstance(item, Container) else None
        self.logs.engine = self.engine
        self.logs.show_container(container)
        self._stats_if_shown()
        self._load()

    def refresh_item(self, item: Any) -> None:
        """The shown item as a fresh list has it: the same one, in its newer state."""
        self.item = item
        if isinstance(item, Container) and self.tabs_mounted:
            self.logs.resume(item)

    def show_project(self, project: str, members: list[Container]) -> None:
        """A compose project's merged logs (its header row is selected)."""
        self.item = None
        self._project = (project, members)
        if not self.tabs_mounted:
            return
        self.logs.engine = self.engine
        self.logs.show_project(project, members)
        self._stats_if_shown()

    def on_tabbed_content_tab_activated(self) -> None:
        if self.active == "tab-stats":  # samples kept coming while the tab was hidden
            self.refresh_stats()
        if self.item is not None:
            self._load()

    def _stats_if_shown(self) -> None:
        # Charting a history costs more than the rest of a cursor move: a hidden Stats tab is
        # charted when it is shown (on_tabbed_content_tab_activated).
        if self.active == "tab-stats":
            self.refresh_stats()

    def refresh_stats(self) -> None:
        panel = self.query_one_optional("#stats")  # none before mount_tabs, or at exit
        if panel is None:
            return
        # A compose project's header charts its members; a container row charts itself.
        chosen = self._project[1] if self._project else [self.item]
        subjects = [(c.id, c.name) for c in chosen if isinstance(c, Container)]
        cast("StatsPanel", panel).show(self.stats, subjects)

    @work(exclusive=True, group="detail", exit_on_error=False)
    async def _load(self) -> None:
        """Reads what the active tab shows and posts it; the handlers below fill the widgets."""
        if not self.tabs_mounted or self.engine is None:
            return  # mount_tabs loads the selection when it is done
        engine, item, tab = self.engine, self.item, self.active
        if isinstance(item, Container):
            if tab in ("tab-inspect", "tab-env", "tab-ports"):
                self.post_message(DetailsLoaded(await engine.inspect_container(item.id)))
            elif tab == "tab-top" and item.state != ContainerState.RUNNING:
                self.post_message(
                    ProcessesLoaded([], f"{item.name} is {item.state.value}: no processes")
                )
            elif tab == "tab-top":
                self.post_message(ProcessesLoaded(list(await engine.top(item.id))))
        elif isinstance(item, Image) and tab == "tab-inspect":
            image = await engine.inspect_image(item.id)
            self.post_message(JsonLoaded(json.loads(image.raw_json)))
        elif item is not None and tab == "tab-inspect":
            self.post_message(JsonLoaded(json.loads(json.dumps(_plain(item), default=str))))

    def on_details_loaded(self, message: DetailsLoaded) -> None:
        details = message.details
        self._show_json(json.loads(details.raw_json))
        self.query_one(EnvTable).show(details.env)
        ports = self.query_one("#ports", DataTable)
        ports.clear()
        for p in details.container.ports:
            ports.add_row(
                f"{p.container_port}/{p.protocol}", p.host_ip or "", str(p.host_port or "")
            )

    def on_json_loaded(self, message: JsonLoaded) -> None:
        self._show_json(message.data)

    def _show_json(self, data: object) -> None:
        tree = cast("Tree[Any]", self.query_one("#inspect"))
        tree.clear()
        tree.add_json(data)
        tree.root.expand()
        for child in tree.root.children:
            child.expand()

    def on_processes_loaded(self, message: ProcessesLoaded) -> None:
        table = self.query_one("#top", DataTable)
        table.clear(columns=True)
        self.query_one("#top-note", Static).update(message.note)
        processes = message.processes
        if not processes:
            return
        columns = [name for name, _ in processes[0].fields] or ["PID", "USER", "COMMAND"]
        table.add_columns(*columns)
        for p in processes:
            table.add_row(*([v for _, v in p.fields] or [p.pid, p.user, p.command]))
