"""DockyardApp: owns the engine, config, themes, keymap, command mode and the one error handler."""

from __future__ import annotations

import contextlib
import gc
import shlex
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App, SystemCommand
from textual.filter import ANSIToTruecolor, LineFilter
from textual.screen import Screen
from textual.theme import Theme
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from engine_adapters.errors import EngineError, EngineUnavailable
from engine_adapters.fleet import FleetEngine
from engine_adapters.models import Container
from engine_adapters.protocol import Engine
from engine_adapters.shared_events import SharedEvents
from tui.config import (
    BUILTIN_THEMES_DIR,
    Config,
    config_dir,
    load_themes,
    theme_variable_defaults,
)
from tui.controllers import VIEWS
from tui.keymap import (
    action_name,
    bindings_for,
    input_openers,
    merge_keymap,
    mutating_actions,
    run_spec,
)
from tui.screens.main import MainScreen
from tui.screens.palette import ActionsProvider
from tui.truecolor import TruecolorWhereNeeded

# Screens not shown at start, and the shell widget (pyte), are imported when first opened:
# their imports would otherwise delay the first paint of the list.
if TYPE_CHECKING:
    from tui.screens.command_log import LoggedCommand
    from tui.screens.compose import ComposeActions

EngineFactory = Callable[[], Engine]

COMMAND_ALIASES = {
    "c": "containers",
    "ps": "containers",
    "i": "images",
    "v": "volumes",
    "n": "networks",
    "container": "containers",
    "image": "images",
    "volume": "volumes",
    "network": "networks",
}


class DockyardApp(App[None]):
    TITLE = "Dockyard"
    CSS_PATH = "dockyard.tcss"
    BINDINGS = bindings_for("app")
    COMMANDS = App.COMMANDS | {ActionsProvider}

    def __init__(
        self,
        engine: Engine,
        read_only: bool = False,
        config_path: Path | None = None,
        engines: list[tuple[str, EngineFactory]] | None = None,
        containers: list[Container] | None = None,
        fleet: list[FleetEngine] | None = None,
    ) -> None:
        self.config = Config.load(config_path)
        self._theme_defaults: dict[str, str] | None = None
        super().__init__()
        self.engine: Engine = engine
        self.read_only = read_only
        self.engines = list(engines or [])
        # Several engines at once (the Fleet view); `engine` is the first of them.
        self.fleet = list(fleet or [])
        # The main list, the fleet and the topology screen read one events stream an engine.
        self.engine_events = SharedEvents()
        self._first_containers = containers
        self._truecolor: TruecolorWhereNeeded | None = (
            None  # already read: the first frame shows them
        )
        self.command_log: list[LoggedCommand] = []
        # Tests and screenshots swap this for a fixed time so uptimes and ages are stable.
        self.clock: Callable[[], datetime] = lambda: datetime.now().astimezone()
        for theme in load_themes(BUILTIN_THEMES_DIR, config_dir() / "themes"):
            self.register_theme(theme)
        self.theme = (
            self.config.theme if self.config.theme in self.available_themes else "dockyard-dark"
        )

    def get_line_filters(self) -> Sequence[LineFilter]:
        """Textual's filters, its ANSI-to-truecolor one made to skip styles it would not
        change (tui/truecolor.py). The same wrapper object each time: Textual caches filtered
        lines per filter."""
        filters = list(super().get_line_filters())
        for index, found in enumerate(filters):
            if isinstance(found, ANSIToTruecolor):
                if self._truecolor is None or self._truecolor.inner is not found:
                    self._truecolor = TruecolorWhereNeeded(found)
                filters[index] = self._truecolor
        return filters

    def get_theme_variable_defaults(self) -> dict[str, str]:
        if self._theme_defaults is None:
            self._theme_defaults = theme_variable_defaults()
        return dict(self._theme_defaults)

    def on_mount(self) -> None:
        self.set_keymap(merge_keymap(self.config.keys.items()))
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        # After the start-up batch: Textual drops whatever is painted inside it, and the
        # list's first frame would wait for the next full repaint.
        self.call_later(self.push_screen, MainScreen(self._first_containers))
        self._first_containers = None

    def started(self) -> None:
        """The main screen is up. If start-up ran without the cyclic collector (tui/cli.py), it
        comes back on: one collection for start-up's garbage, then what is left (the
        modules, the widgets) is frozen, so later collections skip it."""
        if not gc.isenabled():
            gc.collect()
            gc.freeze()
            gc.enable()

    def _remember_theme(self, theme: Theme) -> None:
        if theme.name != self.config.theme:
            self.config.theme = theme.name
            try:
                self.config.save()
            except OSError as error:
                self.notify(f"Cannot save the config: {error.strerror}", severity="warning")

    @property
    def main_screen(self) -> MainScreen | None:
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        return None

    # the one place engine errors become notifications ------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.state != WorkerState.ERROR or worker.error is None:
            return
        self.report_error(worker.error)

    def report_error(self, error: BaseException, title: str = "Engine error") -> None:
        """Every failure the user should see: an engine error in one line, a lost engine as
        the main screen's banner, anything else named without a traceback."""
        main = self.main_screen
        if isinstance(error, EngineUnavailable) and main is not None:
            main.connection_lost(error)
        elif isinstance(error, EngineError):
            self.notify(str(error), title=title, severity="error", timeout=6)
        else:
            self.notify(
                f"{type(error).__name__}: {error}", title="Internal error", severity="error"
            )

    def log_command(self, line: str, ok: bool) -> None:
        from tui.screens.command_log import LoggedCommand

        self.command_log.append(LoggedCommand(self.clock(), line, ok))

    # app-wide actions --------------------------------------------------------------
    async def action_act(self, spec_id: str) -> None:
        await run_spec(self, spec_id)

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    async def action_command_mode(self) -> None:
        main = self.main_screen
        if main is None:
            return
        while self.screen is not main:
            self.pop_screen()
        await main.open_command_line()

    def action_dashboard(self) -> None:
        from tui.screens.dashboard import DashboardScreen

        main = self.main_screen
        if main is None or isinstance(self.screen, DashboardScreen):
            return
        if main.current_view == "fleet":
            fleet = main.fleet_table
            self.push_screen(DashboardScreen(main.fleet_feed.stats, fleet.items, fleet.engine_of))
        else:
            self.push_screen(DashboardScreen(main.stats, main.containers_table.items))

    def action_charts(self) -> None:
        """Full-screen charts of the marked containers, the project under the cursor, or the
        selected container: marking two compares them."""
        from tui.screens.charts import ChartScreen
        from tui.widgets.charts.scale import WINDOWS

        main = self.main_screen
        if main is None or isinstance(self.screen, ChartScreen):
            return
        subjects: list[tuple[str, str]] = []
        stats = main.stats
        if main.current_view == "containers":
            subjects = [(c.id, c.name) for c in main.containers_table.target_items()]
        elif main.current_view == "fleet":
            # Containers of several engines on one chart: each named with its engine.
            fleet, stats = main.fleet_table, main.fleet_feed.stats
            subjects = [
                (c.id, f"{fleet.engine_of.get(c.id, '?')}/{c.name}") for c in fleet.target_items()
            ]
        if not subjects:
            self.notify("Select or mark a container to chart", severity="warning")
            return
        self.push_screen(ChartScreen(stats, subjects, WINDOWS[1]))

    def action_command_log(self) -> None:
        from tui.screens.command_log import CommandLogScreen

        if not isinstance(self.screen, CommandLogScreen):
            self.push_screen(CommandLogScreen(self.command_log))

    def action_engines(self) -> None:
        from tui.screens.engines import EnginesScreen

        labels = [label for label, _ in self.engines]

        def chosen(label: str | None) -> None:
            if label:
                self.switch_engine(label)

        self.push_screen(EnginesScreen(labels, self.engine.name), chosen)

    def action_shells(self) -> None:
        from tui.screens.shells import show_shells_for

        show_shells_for(self)

    def action_topology(self) -> None:
        from tui.screens.topology import TopologyScreen  # loaded on first use

        if not isinstance(self.screen, TopologyScreen):
            self.push_screen(TopologyScreen(self.engine, events=self.engine_events))

    def action_open_compose(self) -> None:
        self._compose().prompt_file()

    def _compose(self) -> ComposeActions:
        from tui.screens.compose import ComposeActions

        return ComposeActions(self)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        action = action_name(action, parameters)
        if action == "engines":
            return True if self.engines else None
        if action in mutating_actions("app") and self.read_only:
            return None
        # A priority key: while an input or a shell has focus, the character is theirs.
        return not (action in input_openers("app") and _takes_typing(self.focused))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for label, _ in self.engines:
            yield SystemCommand(
                f"Engine: {label}",
                f"Switch to the {label} engine",
                lambda label=label: self.switch_engine(label),
            )

    # command mode --------------------------------------------------------------------
    def run_command(self, text: str) -> None:
        """`:containers`, `:images`, `:ctx NAME`, `:theme NAME`, `:stats`, `:log`, `:help`, `:q`."""
        try:
            words = shlex.split(text.strip().removeprefix(":"))
        except ValueError:
            words = text.split()
        if not words:
            return
        verb, args = words[0].lower(), words[1:]
        verb = COMMAND_ALIASES.get(verb, verb)
        main = self.main_screen
        if verb in VIEWS and main is not None:
            self.call_later(main.action_view, verb)
        elif verb in ("q", "quit", "q!", "exit"):
            self.exit()
        elif verb in ("ctx", "context", "engine") and args:
            self.switch_engine(args[0])
        elif verb in ("ctx", "context", "engine"):
            self.action_engines()
        elif verb == "theme" and args:
            if args[0] in self.available_themes:
                self.theme = args[0]
            else:
                self.notify(f"No theme {args[0]!r}", severity="warning")
        elif verb in ("stats", "top", "dashboard"):
            self.action_dashboard()
        elif verb in ("log", "history"):
            self.action_command_log()
        elif verb == "help":
            self.action_help()
        elif verb in ("shells", "sh", "terminals"):
            self.action_shells()
        elif verb in ("up", "compose"):
            if args:  # `:up a.yaml b.yaml` as `:up a.yaml,b.yaml`: each file like a -f
                self._compose().open_file(",".join(args))
            else:
                self._compose().prompt_file()
        else:
            self.notify(f"Unknown command: {text}", severity="warning", timeout=4)

    # engine switching ------------------------------------------------------------------
    def switch_engine(self, label: str) -> None:
        """`label` may be the switcher's full label or just its first word (`:ctx podman`)."""
        for name, factory in self.engines:
            if label in (name, name.split()[0] if name.split() else name):
                self._switch(name, factory)
                return
        self.notify(f"No engine called {label!r}", severity="warning")

    @work(exclusive=True, group="switch-engine", exit_on_error=False)
    async def _switch(self, label: str, factory: EngineFactory) -> None:
        try:
            engine = factory()
            await engine.ping()
        except EngineError as error:
            # The engine tried is the one that failed, not ours: a notification, not the
            # banner that says the current engine was lost.
            self.report_error(EngineError(f"{label}: {error}"), title="Cannot switch engine")
            return
        old, self.engine = self.engine, engine
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        await self.push_screen(MainScreen())
        self.notify(f"Switched to {label}", timeout=3)
        if all(member.engine is not old for member in self.fleet):  # the fleet still reads it
            with contextlib.suppress(EngineError):
                await old.close()


def _takes_typing(widget: object) -> bool:
    """An input or a shell; no shell can exist before its module was imported by opening one."""
    if isinstance(widget, Input):
        return True
    terminal = sys.modules.get("tui.terminal")
    return terminal is not None and isinstance(widget, terminal.TerminalView)
