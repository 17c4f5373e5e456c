"""A swarm service's logs, merged across its tasks on every node, in the log panel."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from engine_adapters.swarm.models import SwarmService
from engine_adapters.swarm.protocol import SwarmEngine
from tui.screens.covering import CoveringScreen
from tui.widgets.bars.key_bar import KeyBar
from tui.widgets.detail.log_panel import LogPanel


class ServiceLogsScreen(CoveringScreen):
    """Each line names its task and node (`web.2@swarm-node3`), coloured per task; the log
    panel's keys (follow, search, filter, copy, save) work as on a compose project's logs."""

    DEFAULT_CSS = "ServiceLogsScreen > #service-logs-title { height: 1; padding: 0 1; }"
    BINDINGS = [Binding("escape,q", "app.pop_screen", "Back", id="service_logs.back")]

    def __init__(
        self, swarm: SwarmEngine, service: SwarmService, tail: int, copy_lines: int
    ) -> None:
        super().__init__()
        self.swarm = swarm
        self.service = service
        self.tail = tail
        self.copy_lines = copy_lines

    def compose(self) -> ComposeResult:
        title = f"Logs of service {self.service.name}, every task on every node"
        yield Static(title, id="service-logs-title", markup=False)
        yield LogPanel(id="service-logs")
        yield KeyBar()

    def on_mount(self) -> None:
        panel = self.query_one(LogPanel)
        panel.tail, panel.copy_lines = self.tail, self.copy_lines
        panel.show_service(self.swarm, self.service)
        panel.view.focus()

    @property
    def panel(self) -> LogPanel:
        return self.query_one(LogPanel)
