"""The parts of the main screen that its live-data and actions halves both reach."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from textual.screen import Screen
from textual.widgets import Static

from tui.widgets.containers_table import ContainersTable
from tui.widgets.detail import DetailPane
from tui.widgets.header import EngineHeader
from tui.widgets.other_tables import ImagesTable, NetworksTable, VolumesTable
from tui.widgets.resource_table import ResourceTable
from tui.widgets.stats_history import StatsHistory
from tui.widgets.worker_errors import ReportsWorkerErrors

if TYPE_CHECKING:
    from tui.app import DockyardApp
    from tui.config import Config


class MainScreenBase(ReportsWorkerErrors, Screen[None]):
    """Typed access to the engine, the config and the widgets; no behaviour of its own."""

    def __init__(self) -> None:
        super().__init__()
        self.stats = StatsHistory()
        self.current_view = "containers"
        self.id_names: dict[str, str] = {}  # container id -> name, for the volumes' users
        self.hidden_mounted = asyncio.Event()  # the views and tabs the first frame leaves out

    @property
    def app(self) -> DockyardApp:  # type: ignore[override]
        return cast("DockyardApp", super().app)

    @property
    def engine(self) -> Any:
        return self.app.engine

    @property
    def app_config(self) -> Config:
        return self.app.config

    @property
    def header(self) -> EngineHeader:
        return self.query_one(EngineHeader)

    @property
    def banner(self) -> Static:
        return self.query_one("#banner", Static)

    @property
    def detail(self) -> DetailPane:
        return self.query_one(DetailPane)

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

    def table(self, view: str | None = None) -> ResourceTable:
        return self.query_one(f"#{view or self.current_view}-table", ResourceTable)

    def mounted_table(self, view: str) -> ResourceTable | None:
        """The view's table, or None before it is mounted (only the containers' is at first)."""
        return next(iter(self.query(f"#{view}-table").results(ResourceTable)), None)

    def items_of(self, view: str) -> Mapping[str, Any]:
        """The view's items by key; none before its table is mounted."""
        table = self.mounted_table(view)
        return table.items if table is not None else {}
