"""What each key of the action table visibly does, checked from outside: a key walk.

Each entry presses the key a user would (after remapping: none here) and waits for what the
user would see or what the engine then holds: a screen, a dialog, a state change, a file, a
notification. Nothing reaches a handler by an internal call.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import docker
from textual.pilot import Pilot
from textual.widget import Widget

from tests.waiting import eventually
from tui.app import DockyardApp
from tui.dialogs.compose import ComposeDownDialog
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.prompt import PromptDialog
from tui.dialogs.run_form import RunDialog
from tui.dialogs.shell_command import ShellCommandDialog
from tui.keymap import BY_ID
from tui.screens.command_log import CommandLogScreen
from tui.screens.dashboard import DashboardScreen
from tui.screens.engines import EnginesScreen
from tui.screens.help import HelpScreen
from tui.screens.main import CommandLine, FilterInput, MainScreen
from tui.screens.shells import ShellsScreen
from tui.screens.topology import TopologyScreen
from tui.terminal import TerminalView
from tui.widgets.detail import EnvTable
from tui.widgets.log_panel import LogPanel

TIMEOUT = 30.0


@dataclass
class Walk:
    """The app under Pilot, the SDK on the same engine, and what the walk created."""

    pilot: Pilot[None]
    client: docker.DockerClient
    container: str
    project: str
    network: str
    volume: str
    new_network: str
    log_file: Path
    seen: list[str] = field(default_factory=list)

    @property
    def app(self) -> DockyardApp:
        app = self.pilot.app
        assert isinstance(app, DockyardApp)
        return app

    @property
    def main(self) -> MainScreen:
        main = self.app.main_screen
        assert main is not None
        return main

    async def press(self, spec_id: str) -> None:
        """The action's key as bound (its first key when it has several)."""
        self.seen.append(spec_id)
        await self.pilot.press(BY_ID[spec_id].key.split(",")[0])

    async def type(self, text: str) -> None:
        await self.pilot.press(*text)

    async def until(self, probe: Callable[[], object], timeout: float = TIMEOUT) -> None:
        async def probed() -> object:
            await self.pilot.pause()
            return probe()

        try:
            await eventually(probed, timeout=timeout, interval=0.05)
        except AssertionError as error:
            raise AssertionError(f"{error} after {self.seen[-1:]}: {self.describe()}") from None

    def describe(self) -> str:
        screen = self.app.screen
        notes = "; ".join(f"{n.title}: {n.message}" for n in self.app._notifications)
        return (
            f"screen {type(screen).__name__}, focused {screen.focused!r}, "
            f"maximized {screen.maximized!r}, notifications: {notes}, "
            f"command log: {[(c.line, c.ok) for c in self.app.command_log]}"
        )

    async def on_screen(self, kind: type[object]) -> None:
        await self.until(lambda: isinstance(self.app.screen, kind))

    def notified(self, *words: str) -> bool:
        return any(
            all(w.lower() in f"{n.title} {n.message}".lower() for w in words)
            for n in self.app._notifications
        )

    def state(self) -> str:
        return str(self.client.containers.get(self.container).status)

    def is_(self, state: str) -> bool:
        """The engine holds `state`, and the list shows it (as a user waits to see it)."""
        if self.state() != state:
            return False
        shown = [c for c in self.main.containers_table.items.values() if c.name == self.container]
        return bool(shown) and shown[0].state.value == state

    def attrs(self) -> dict[str, object]:
        return dict(self.client.api.inspect_container(self.container))

    async def back_to_main(self) -> None:
        """escape, as a user leaves a dialog or a full screen."""
        await self.pilot.press("escape")
        await self.until(lambda: self.app.screen is self.main)

    async def select(self, view: str, text: str, key: str) -> None:
        """The view, filtered by `text`, the cursor on the row of `key`."""
        await self.pilot.press(str(("containers", "images", "volumes", "networks").index(view) + 1))
        await self.until(lambda: self.main.current_view == view)
        table = self.main.table(view)
        await self.until(lambda: key in table.items)
        await self.pilot.press("slash", "ctrl+a", "ctrl+k", *text, "enter")
        for _ in range(4):
            if table.current_key == key:
                break
            await self.pilot.press("j")
        await self.until(lambda: table.current_key == key)

    async def focus_in(self, kind: type[Widget]) -> None:
        """tab until the focus is inside a `kind` widget, as a user without a mouse does."""
        for _ in range(12):
            focused = self.main.focused
            if focused is not None and any(
                isinstance(n, kind) for n in focused.ancestors_with_self
            ):
                return
            await self.pilot.press("tab")
        raise AssertionError(f"tab never reached a {kind.__name__}")


Effect = Callable[[Walk], Awaitable[None]]
EFFECTS: dict[str, Effect] = {}


def effect(*spec_ids: str) -> Callable[[Effect], Effect]:
    def register(check: Effect) -> Effect:
        for spec_id in spec_ids:
            assert spec_id in BY_ID, spec_id
            EFFECTS[spec_id] = check
        return check

    return register


# the containers view -----------------------------------------------------------------------
async def container_id(w: Walk) -> str:
    return str(w.client.containers.get(w.container).id)


@effect("containers.mark")
async def _mark_container(w: Walk) -> None:
    cid = await container_id(w)
    table = w.main.containers_table
    await w.press("containers.mark")
    await w.until(lambda: cid in table.marked)
    await w.select("containers", w.container, cid)
    await w.press("containers.mark")
    await w.until(lambda: cid not in table.marked)


@effect("containers.stop", "containers.start")
async def _stop_start(w: Walk) -> None:
    await w.press("containers.stop")
    await w.until(lambda: w.is_("exited"))
    await w.press("containers.start")
    await w.until(lambda: w.is_("running"))


@effect("containers.restart")
async def _restart(w: Walk) -> None:
    started = w.attrs()["State"]["StartedAt"]  # type: ignore[index]
    await w.press("containers.restart")
    await w.until(
        lambda: w.state() == "running" and w.attrs()["State"]["StartedAt"] != started  # type: ignore[index]
    )


@effect("containers.pause")
async def _pause(w: Walk) -> None:
    await w.press("containers.pause")
    await w.until(lambda: w.is_("paused"))
    await w.press("containers.pause")
    await w.until(lambda: w.is_("running"))


@effect("containers.kill")
async def _kill(w: Walk) -> None:
    await w.press("containers.kill")
    await w.until(lambda: w.is_("exited"))
    await w.press("containers.start")
    await w.until(lambda: w.is_("running"))


@effect("containers.connect", "containers.disconnect")
async def _connect(w: Walk) -> None:
    def networks() -> dict[str, object]:
        return dict(w.attrs()["NetworkSettings"]["Networks"])  # type: ignore[index]

    await w.press("containers.connect")
    await w.on_screen(PromptDialog)
    await w.type(w.network)
    await w.pilot.press("enter")
    await w.until(lambda: w.network in networks() or w.notified("error"))
    assert w.network in networks(), w.describe()
    await w.press("containers.disconnect")
    await w.on_screen(PromptDialog)
    await w.type(w.network)
    await w.pilot.press("enter")
    await w.until(lambda: w.network not in networks())


@effect("containers.exec_command")
async def _exec_command(w: Walk) -> None:
    await w.press("containers.exec_command")
    await w.on_screen(ShellCommandDialog)
    await w.back_to_main()


@effect("containers.attach")
async def _attach(w: Walk) -> None:
    await w.press("containers.attach")
    await w.on_screen(ShellsScreen)
    screen = w.app.screen
    assert isinstance(screen, ShellsScreen)
    await w.until(lambda: any(p.spec.kind == "attach" for p in screen.panes))
    await w.pilot.press("ctrl+right_square_bracket")
    await w.until(lambda: not isinstance(screen.focused, TerminalView))
    await w.press("shells.close_tab")  # closing an attach detaches at once
    await w.until(lambda: not any(p.spec.kind == "attach" for p in screen.panes))
    await w.press("shells.back")
    await w.until(lambda: w.app.screen is w.main)


@effect(
    "containers.exec",
    "shells.focus_terminal",
    "shells.close_tab",
    "shells.next_tab",
    "shells.prev_tab",
    "shells.popout",
    "shells.back",
    "shells.new_shell",
    "shells.zoom",
)
async def _shells(w: Walk) -> None:
    await w.press("containers.exec")
    await w.on_screen(ShellsScreen)
    screen = w.app.screen
    assert isinstance(screen, ShellsScreen)
    await w.until(lambda: len(screen.panes) == 1 and screen.active_pane is not None)
    await w.pilot.press("ctrl+right_square_bracket")
    await w.until(lambda: not isinstance(screen.focused, TerminalView))
    await w.press("shells.zoom")
    await w.until(lambda: screen.has_class("-zoomed"))
    await w.press("shells.zoom")
    await w.until(lambda: not screen.has_class("-zoomed"))
    await w.press("shells.new_shell")
    await w.until(lambda: len(screen.panes) == 2)
    await w.pilot.press("ctrl+right_square_bracket")
    second = screen.active_pane
    await w.press("shells.prev_tab")
    await w.until(lambda: screen.active_pane is not second)
    await w.press("shells.next_tab")
    await w.until(lambda: screen.active_pane is second)
    await w.press("shells.focus_terminal")
    await w.until(lambda: isinstance(screen.focused, TerminalView))
    await w.pilot.press("ctrl+right_square_bracket")
    await w.press("shells.popout")  # no terminal to hand over under Pilot: it says so
    await w.until(lambda: w.notified("pop"))
    await w.press("shells.close_tab")
    await w.on_screen(ConfirmDialog)  # the shell still runs: asked first
    await w.pilot.press("y")
    await w.until(lambda: len(screen.panes) == 1)
    await w.press("shells.back")
    await w.until(lambda: w.app.screen is w.main)


@effect("containers.project_logs")
async def _project_logs(w: Walk) -> None:
    await w.press("containers.project_logs")
    await w.until(lambda: w.main.detail.logs.title == f"{w.project} (merged)")


@effect("containers.compose_up")
async def _compose_up(w: Walk) -> None:
    await w.press("containers.compose_up")  # labels only, no file: it says what it cannot do
    await w.until(lambda: w.notified("cannot bring up"))


@effect("containers.compose_down")
async def _compose_down(w: Walk) -> None:
    await w.press("containers.compose_down")
    await w.on_screen(ComposeDownDialog)
    await w.back_to_main()


@effect("containers.compose_restart")
async def _compose_restart(w: Walk) -> None:
    started = w.attrs()["State"]["StartedAt"]  # type: ignore[index]
    await w.press("containers.compose_restart")
    await w.until(lambda: w.notified(w.project, "restarted"))
    assert w.state() == "running"
    assert w.attrs()["State"]["StartedAt"] != started  # type: ignore[index]


@effect("containers.compose_pull")
async def _compose_pull(w: Walk) -> None:
    await w.press("containers.compose_pull")
    await w.until(lambda: w.notified("cannot pull"))


@effect("containers.remove")
async def _remove(w: Walk) -> None:
    await w.press("containers.remove")
    await w.on_screen(ConfirmDialog)
    await w.back_to_main()
    assert w.state() == "running"
    await w.press("containers.remove")
    await w.on_screen(ConfirmDialog)
    await w.pilot.press("y")

    def gone() -> bool:
        try:
            w.client.containers.get(w.container)
        except docker.errors.NotFound:
            return True
        return False

    await w.until(gone)


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
    await w.until(lambda: view.scroll_y == view.max_scroll_y > 0)
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


@effect("app.quit")
async def _quit(w: Walk) -> None:
    await w.press("app.quit")
    await w.until(lambda: w.app.return_code == 0)
