"""The action table: every entry holds a handler on its owner, and its key runs that handler."""

from __future__ import annotations

from collections.abc import Callable

from textual.command import CommandList, CommandPalette

from tests.ui.conftest import settle, wait_for
from tui.app import DockyardApp
from tui.controllers.containers import ContainersController
from tui.controllers.fleet import FleetController
from tui.controllers.images import ImagesController
from tui.controllers.networks import NetworksController
from tui.controllers.swarm import SwarmController
from tui.controllers.volumes import VolumesController
from tui.keymap import ACTIONS, DISPATCH, bindings_for
from tui.screens.charts import ChartScreen
from tui.screens.dashboard import DashboardScreen
from tui.screens.main import MainScreen
from tui.screens.palette import ranked
from tui.screens.shells import ShellsScreen
from tui.widgets.bars.key_bar import KeyBar
from tui.widgets.detail.log_panel import LogPanel
from tui.widgets.detail.pane import EnvTable
from tui.widgets.detail.stats_panel import StatsPanel
from tui.widgets.views.containers_table import ContainersTable
from tui.widgets.views.fleet_table import FleetTable
from tui.widgets.views.other_tables import ImagesTable, NetworksTable, VolumesTable
from tui.widgets.views.swarm_table import SwarmTable

OWNERS: dict[str, type[object]] = {
    "app": DockyardApp,
    "main": MainScreen,
    "containers": ContainersController,
    "images": ImagesController,
    "volumes": VolumesController,
    "networks": NetworksController,
    "swarm": SwarmController,
    "fleet": FleetController,
    "logs": LogPanel,
    "env": EnvTable,
    "stats": StatsPanel,
    "charts": ChartScreen,
    "shells": ShellsScreen,
    "dashboard": DashboardScreen,
}
# Where a view's keys are bound: its table, which hands them to the view's controller.
BOUND_ON = {
    "containers": ContainersTable,
    "images": ImagesTable,
    "volumes": VolumesTable,
    "networks": NetworksTable,
    "swarm": SwarmTable,
    "fleet": FleetTable,
}


def test_every_entry_has_a_handler_on_its_owner() -> None:
    missing = []
    for spec in ACTIONS:
        owner = OWNERS[spec.owner]
        code = getattr(spec.handler, "__code__", None)
        called = [name for name in (code.co_names if code else ()) if not name.startswith("__")]
        if not called or not all(hasattr(owner, name) for name in called[:1]):
            missing.append(spec.id)
    assert missing == []


def test_every_key_runs_its_entry_on_a_node_that_dispatches() -> None:
    for spec in ACTIONS:
        node = BOUND_ON.get(spec.owner, OWNERS[spec.owner])
        assert hasattr(node, f"action_{DISPATCH}"), spec.id
        bound = {b.id: b for b in bindings_for(spec.owner) if not isinstance(b, tuple)}
        assert bound[spec.id].action == f"{DISPATCH}({spec.id!r})"


def test_the_selected_items_actions_outrank_the_rest() -> None:
    assert ranked(0.1, on_selection=True) > ranked(1.0, on_selection=False)


async def test_typing_shell_in_the_palette_offers_the_containers_shell_first(
    make_app: Callable[..., DockyardApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        table = screen.containers_table
        running = next(c for c in table.items.values() if c.state.value == "running")
        table.move_cursor(row=table.get_row_index(running.id))
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"shell")
        options = app.screen.query_one(CommandList)
        await wait_for(pilot, lambda: options.option_count >= 2)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(2)]
        assert prompts[0].startswith("Shell (e)"), prompts
        assert prompts[1].startswith("Shell sessions"), prompts


async def test_the_key_bar_shows_only_what_the_selected_container_allows(
    make_app: Callable[..., DockyardApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        bar = screen.query_one(KeyBar)
        table = screen.containers_table
        running = next(c for c in table.items.values() if c.state.value == "running")
        exited = next(c for c in table.items.values() if c.state.value == "exited")
        for container, shown, hidden in (
            (running, "Stop", "Start"),
            (exited, "Start", "Stop"),
        ):
            table.move_cursor(row=table.get_row_index(container.id))
            await wait_for(pilot, lambda shown=shown: shown in _hints(bar))
            assert hidden not in _hints(bar)


def _hints(bar: KeyBar) -> list[str]:
    return [hint.description for hint in bar.hints]
