"""The key walk's checks for the main screen, the detail tabs, the other views and the app."""

from __future__ import annotations

from textual.widgets import Static

from tests.ui_keys.walk import Walk, effect
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.prompt import PromptDialog
from tui.dialogs.run_form import RunDialog
from tui.screens.charts import ChartScreen
from tui.screens.command_log import CommandLogScreen
from tui.screens.dashboard import DashboardScreen
from tui.screens.engines import EnginesScreen
from tui.screens.help import HelpScreen
from tui.screens.shells import ShellsScreen
from tui.screens.topology import TopologyScreen
from tui.widgets.bars.line_inputs import CommandLine, FilterInput
from tui.widgets.detail.log_panel import LogPanel
from tui.widgets.detail.pane import EnvTable
from tui.widgets.detail.stats_panel import StatsPanel


# the main screen -------------------------------------------------------------------------
@effect(
    "main.view('containers')",
    "main.view('images')",
    "main.view('volumes')",
    "main.view('networks')",
)
async def _views(w: Walk) -> None:
    for view in ("images", "volumes", "networks", "containers"):
        await w.press(f"main.view('{view}')")
        await w.until(lambda view=view: w.main.current_view == view)  # type: ignore[misc]


@effect("main.view('swarm')")
async def _no_swarm(w: Walk) -> None:
    """Neither engine of the walk manages a swarm: `5` says so and the view stays."""
    await w.press("main.view('swarm')")
    await w.until(lambda: w.notified("not a swarm manager"))
    assert w.main.current_view == "containers"
    assert "Swarm" not in str(w.main.query_one("#view-tabs", Static).content)


@effect("main.view('fleet')")
async def _no_fleet(w: Walk) -> None:
    """The walk opens one engine: `6` says how to open a fleet and the view stays."""
    await w.press("main.view('fleet')")
    await w.until(lambda: w.notified("one engine: a fleet is"))
    assert w.main.current_view == "containers"
    assert "Fleet" not in str(w.main.query_one("#view-tabs", Static).content)


@effect("main.filter")
async def _filter(w: Walk) -> None:
    await w.press("main.filter")
    await w.until(lambda: isinstance(w.main.focused, FilterInput))
    await w.pilot.press("escape")
    await w.until(lambda: not isinstance(w.main.focused, FilterInput))


@effect("main.zoom", "main.zoom_detail")
async def _zoom(w: Walk) -> None:
    await w.press("main.zoom")
    await w.until(lambda: w.main.maximized is w.main.containers_table)
    await w.press("main.zoom")
    await w.until(lambda: w.main.maximized is None)
    await w.press("main.zoom_detail")
    await w.until(lambda: w.main.maximized is w.main.detail)
    await w.press("main.zoom_detail")
    await w.until(lambda: w.main.maximized is None)


@effect("main.refresh")
async def _refresh(w: Walk) -> None:
    # Everything is read again, the engine's version in the header too: blanked, it comes back.
    header = w.main.header
    header.info = None
    await w.press("main.refresh")
    await w.until(lambda: header.info is not None)


@effect("main.prune")
async def _prune(w: Walk) -> None:
    # Only looked at: the shared engine's stopped containers are not ours to remove.
    await w.press("main.prune")
    await w.until(lambda: isinstance(w.app.screen, ConfirmDialog) or w.notified("to prune"))
    if isinstance(w.app.screen, ConfirmDialog):
        await w.back_to_main()


@effect(*(f"main.tab('{tab}')" for tab in ("logs", "stats", "inspect", "env", "ports", "top")))
async def _tabs(w: Walk) -> None:
    for tab in ("stats", "inspect", "env", "ports", "top", "logs"):
        await w.press(f"main.tab('{tab}')")
        await w.until(lambda tab=tab: w.main.detail.active == f"tab-{tab}")  # type: ignore[misc]


@effect("main.next_tab", "main.prev_tab")
async def _step_tabs(w: Walk) -> None:
    await w.press("main.tab('logs')")
    await w.press("main.next_tab")
    await w.until(lambda: w.main.detail.active == "tab-stats")
    await w.press("main.prev_tab")
    await w.until(lambda: w.main.detail.active == "tab-logs")
    await w.press("main.prev_tab")  # round the end
    await w.until(lambda: w.main.detail.active == "tab-top")
    await w.press("main.tab('logs')")


# the logs and env tabs ----------------------------------------------------------------------
@effect(
    "logs.follow",
    "logs.timestamps",
    "logs.wrap",
    "logs.search",
    "logs.next_match",
    "logs.prev_match",
    "logs.filter_lines",
    "logs.save",
    "logs.select_lines",
    "logs.line_down",
    "logs.line_up",
    "logs.copy",
    "logs.top",
    "logs.bottom",
)
async def _logs(w: Walk) -> None:
    await w.press("main.tab('logs')")
    view = w.main.detail.logs.view
    await w.until(lambda: view.row_count > 40)
    await w.focus_in(LogPanel)
    for flag, spec_id in (
        ("follow", "logs.follow"),
        ("show_timestamps", "logs.timestamps"),
        ("wrap", "logs.wrap"),
    ):
        was = getattr(view, flag)
        await w.press(spec_id)
        await w.until(lambda flag=flag, was=was: getattr(view, flag) != was)  # type: ignore[misc]
        await w.press(spec_id)
        await w.until(lambda flag=flag, was=was: getattr(view, flag) == was)  # type: ignore[misc]
    await w.press("logs.top")
    await w.until(lambda: view.scroll_y == 0 and not view.follow)
    await w.press("logs.bottom")
    # At the end, give or take the lines still arriving once a second (not followed).
    await w.until(lambda: view.scroll_y > 0 and view.max_scroll_y - view.scroll_y <= 2)
    await w.press("logs.search")
    await w.type("line 1")
    await w.pilot.press("enter")
    await w.until(lambda: view.search is not None and view.current_match is not None)
    first = view.current_match
    await w.press("logs.next_match")
    await w.until(lambda: view.current_match != first)
    second = view.current_match
    await w.press("logs.prev_match")
    await w.until(lambda: view.current_match != second)
    await w.press("logs.filter_lines")
    await w.type("line 2")
    await w.pilot.press("enter")
    await w.until(lambda: view.filter is not None)
    await w.press("logs.select_lines")
    await w.until(lambda: view.selection is not None)
    one = view.selected_lines()
    await w.press("logs.line_up")
    await w.until(lambda: view.selected_lines() != one)
    await w.press("logs.line_down")
    await w.until(lambda: view.selected_lines() == one)
    await w.press("logs.copy")
    await w.until(lambda: w.notified("copied"))
    await w.press("logs.save")
    await w.on_screen(PromptDialog)
    await w.pilot.press("ctrl+a", "ctrl+k", *str(w.log_file), "enter")
    await w.until(lambda: w.log_file.exists() and "line 2" in w.log_file.read_text())
    await w.until(lambda: w.app.screen is w.main)


@effect("env.reveal")
async def _env(w: Walk) -> None:
    await w.press("main.tab('env')")
    env = w.main.query_one(EnvTable)
    await w.until(lambda: any(key == "API_TOKEN" for key, _ in env.env))
    await w.focus_in(EnvTable)
    await w.press("env.reveal")
    await w.until(lambda: env.revealed and env.get_cell("API_TOKEN", env.ordered_columns[1].key))
    assert env.get_cell("API_TOKEN", env.ordered_columns[1].key) == "s3cret"
    await w.press("main.tab('logs')")


# images, volumes, networks ------------------------------------------------------------------
@effect("images.mark", "images.sort", "images.run", "images.pull", "images.remove")
async def _images(w: Walk) -> None:
    table = w.main.images_table
    key = next(i.id for i in table.items.values() if "dockyard-test/busybox:latest" in i.tags)
    await w.select("images", "dockyard-test/busybox", key)
    await w.press("images.sort")
    await w.until(lambda: w.notified("images sorted by created"))
    for spec_id, dialog in (
        ("images.run", RunDialog),
        ("images.pull", PromptDialog),
        ("images.remove", ConfirmDialog),  # never confirmed: the tests' image stays
    ):
        await w.press(spec_id)
        await w.on_screen(dialog)
        await w.back_to_main()
    await w.press("images.mark")
    await w.until(lambda: key in table.marked)
    await w.select("images", "dockyard-test/busybox", key)
    await w.press("images.mark")
    await w.until(lambda: key not in table.marked)


@effect("volumes.create", "volumes.mark", "volumes.remove")
async def _volumes(w: Walk) -> None:
    await w.press("main.view('volumes')")
    await w.until(lambda: w.main.current_view == "volumes")
    await w.press("volumes.create")
    await w.on_screen(PromptDialog)
    await w.type(w.volume)
    await w.pilot.press("enter")
    await w.until(lambda: w.client.volumes.get(w.volume))
    await w.select("volumes", w.volume, w.volume)
    table = w.main.volumes_table
    await w.press("volumes.mark")
    await w.until(lambda: w.volume in table.marked)
    await w.press("volumes.remove")
    await w.on_screen(ConfirmDialog)
    await w.pilot.press("y")
    await w.until(lambda: w.volume not in {v.name for v in w.client.volumes.list()})


@effect("networks.create", "networks.mark", "networks.remove")
async def _networks(w: Walk) -> None:
    await w.press("main.view('networks')")
    await w.until(lambda: w.main.current_view == "networks")
    await w.press("networks.create")
    await w.on_screen(PromptDialog)
    await w.type(w.new_network)
    await w.pilot.press("enter")
    await w.until(lambda: w.client.networks.list(names=[w.new_network]))
    table = w.main.networks_table
    key = str(w.client.networks.get(w.new_network).id)
    await w.select("networks", w.new_network, key)
    await w.press("networks.mark")
    await w.until(lambda: key in table.marked)
    await w.press("networks.remove")
    await w.on_screen(ConfirmDialog)
    await w.pilot.press("y")
    await w.until(lambda: not w.client.networks.list(names=[w.new_network]))


# everywhere ---------------------------------------------------------------------------------
@effect(
    "app.help",
    "app.command_log",
    "app.engines",
    "app.topology",
    "app.shells",
    "app.open_compose",
)
async def _app_screens(w: Walk) -> None:
    for spec_id, screen in (
        ("app.help", HelpScreen),
        ("app.command_log", CommandLogScreen),
        ("app.engines", EnginesScreen),
        ("app.topology", TopologyScreen),
        ("app.shells", ShellsScreen),
        ("app.open_compose", PromptDialog),
    ):
        await w.press(spec_id)
        await w.on_screen(screen)
        await w.back_to_main()


@effect("app.command_mode")
async def _command_mode(w: Walk) -> None:
    await w.press("app.command_mode")
    await w.until(lambda: isinstance(w.main.focused, CommandLine))
    await w.type("images")
    await w.pilot.press("enter")
    await w.until(lambda: w.main.current_view == "images")
    await w.press("main.view('containers')")


@effect(
    "app.dashboard",
    "dashboard.sort('cpu')",
    "dashboard.sort('mem')",
    "dashboard.sort('name')",
    "dashboard.sort('net')",
)
async def _dashboard(w: Walk) -> None:
    await w.press("app.dashboard")
    await w.on_screen(DashboardScreen)
    screen = w.app.screen
    assert isinstance(screen, DashboardScreen)
    for key in ("mem", "name", "net", "cpu"):
        await w.press(f"dashboard.sort('{key}')")
        await w.until(lambda key=key: screen.sort_by == key)  # type: ignore[misc]
    await w.back_to_main()


@effect("app.charts", "charts.window", "stats.window", "stats.full_screen")
async def _charts(w: Walk) -> None:
    await w.press("app.charts")
    await w.on_screen(ChartScreen)
    charts = w.app.screen
    assert isinstance(charts, ChartScreen)
    window = charts.window
    await w.press("charts.window")
    await w.until(lambda: charts.window != window)
    await w.back_to_main()
    await w.press("main.tab('stats')")
    await w.focus_in(StatsPanel)
    panel = w.main.query_one(StatsPanel)
    await w.until(lambda: bool(panel.subjects))
    window = panel.window
    await w.press("stats.window")
    await w.until(lambda: panel.window != window)
    await w.press("stats.full_screen")
    await w.on_screen(ChartScreen)
    assert isinstance(w.app.screen, ChartScreen) and w.app.screen.window == panel.window
    await w.back_to_main()
    await w.press("main.tab('logs')")


@effect("app.quit")
async def _quit(w: Walk) -> None:
    await w.press("app.quit")
    await w.until(lambda: w.app.return_code == 0)
