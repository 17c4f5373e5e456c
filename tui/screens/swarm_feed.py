"""The swarm view's data: whether the engine manages a swarm, then a poll while it is shown.

Docker's events carry no task state changes a client can follow cheaply (service events say
a service changed, not that its task started), so the view polls once a second, only while
it is shown, one fetch at a time. Only the probe runs on an engine that manages no swarm:
the swarm's models, calls and tables are loaded once it says the engine is a manager.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.message import Message
from textual.timer import Timer
from textual.worker import Worker

from engine_adapters.errors import EngineError, NotFound
from engine_adapters.swarm.reach import swarm_of, swarm_state
from engine_adapters.swarm.state import SwarmState

if TYPE_CHECKING:
    from engine_adapters.swarm.models import SwarmNode, SwarmService, SwarmTask
    from engine_adapters.swarm.protocol import SwarmEngine
    from tui.screens.main import MainScreen
    from tui.widgets.views.swarm_table import SwarmTable, TasksTable

POLL_SECONDS = 1.0


@dataclass
class SwarmFetched(Message):
    """One poll: the listed kind's rows, and the tasks of the service under the cursor."""

    showing: str
    rows: list[SwarmService] | list[SwarmNode]
    service_id: str | None
    tasks: list[SwarmTask]


class SwarmFeed:
    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen
        self.state: SwarmState | None = None
        self._probe: Worker[None] | None = None
        self._timer: Timer | None = None
        self._fetching = False
        self._failed = ""  # the last poll's error, reported once
        self._tables: tuple[SwarmTable, TasksTable] | None = None  # mounted for a manager

    @property
    def swarm(self) -> SwarmEngine | None:
        return swarm_of(self.screen.engine)

    @property
    def is_manager(self) -> bool:
        return self.state is not None and self.state.is_manager

    def probe(self) -> None:
        """Reads the engine's swarm state in a worker (the view tabs list Swarm on a manager)."""
        if self._probe is None:
            self._probe = self.screen.run_worker(self._read_state, group="swarm-state")

    async def _read_state(self) -> None:
        try:
            state = await swarm_state(self.screen.engine)
        except EngineError:
            state = None
        if state is not None and state.is_manager:
            await self.screen.mount_swarm_view()  # before the view tabs offer it
        self.state = state
        self.screen.show_view_tabs()

    def attach(self, table: SwarmTable, tasks: TasksTable) -> None:
        """The view's tables, mounted once the engine is known to be a manager."""
        self._tables = (table, tasks)

    def clear_tasks(self) -> None:
        if self._tables is not None:
            self._tables[1].show_tasks([])

    async def manager_known(self) -> bool:
        """Waits for the probe when a key comes before it answered."""
        self.probe()
        if self._probe is not None:
            await self._probe.wait()
        return self.is_manager

    # the poll, while the view is shown ------------------------------------------------
    def start(self) -> None:
        """The view is shown: its tasks pane with it, and the poll."""
        if self._tables is not None:
            self._tables[1].display = True
        if self._timer is None:
            self._timer = self.screen.set_interval(POLL_SECONDS, self.tick)
        self.tick()

    def stop(self) -> None:
        if self._tables is not None:
            self._tables[1].display = False
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def tick(self) -> None:
        swarm = self.swarm
        if self._fetching or self._tables is None or swarm is None:
            return
        table = self._tables[0]
        self._fetching = True
        service_id = table.current_key if table.showing == "services" else None
        work: Callable[[], Awaitable[None]] = partial(self._fetch, swarm, table.showing, service_id)
        self.screen.run_worker(work, group="swarm", exit_on_error=False)

    async def _fetch(self, swarm: SwarmEngine, showing: str, service_id: str | None) -> None:
        try:
            rows: list[SwarmService] | list[SwarmNode]
            rows = await swarm.nodes() if showing == "nodes" else await swarm.services()
            tasks = await self._tasks(swarm, service_id, {r.id for r in rows})
        except EngineError as error:
            # Once a second: the same failure is reported once, until a poll succeeds.
            if str(error) != self._failed:
                self._failed = str(error)
                self.screen.app.report_error(error)
            return
        finally:
            self._fetching = False
        self._failed = ""
        self.screen.post_message(SwarmFetched(showing, rows, service_id, tasks))

    @staticmethod
    async def _tasks(
        swarm: SwarmEngine, service_id: str | None, listed: set[str]
    ) -> list[SwarmTask]:
        """The manager refuses the tasks of a service that is gone (just removed)."""
        if service_id is None or service_id not in listed:
            return []
        try:
            return await swarm.tasks(service=service_id)
        except NotFound:
            return []

    def apply(self, fetched: SwarmFetched) -> None:
        if self._tables is None:
            return
        table, tasks = self._tables
        if table.showing != fetched.showing:
            return  # fetched before a toggle: the next poll brings the other kind
        table.items = {item.id: item for item in fetched.rows}
        table.filled = True
        table.marked &= set(table.items)
        table.refresh_rows()
        table.refresh_guards()
        if fetched.service_id == table.current_key:
            tasks.show_tasks(fetched.tasks)
        self.screen.show_view_tabs()

    def toggle_nodes(self) -> None:
        if self._tables is not None:
            table, tasks = self._tables
            table.show_kind("services" if table.showing == "nodes" else "nodes")
            tasks.show_tasks([])
            self.tick()
