"""The one action table: ids, keys and typed handlers; bindings, help and palette derive from it."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from textual.binding import Binding, BindingType

if TYPE_CHECKING:
    from tui.app import DockyardApp
    from tui.controllers.containers import ContainersController
    from tui.controllers.fleet import FleetController
    from tui.controllers.images import ImagesController
    from tui.controllers.networks import NetworksController
    from tui.controllers.swarm import SwarmController
    from tui.controllers.volumes import VolumesController
    from tui.screens.charts import ChartScreen
    from tui.screens.dashboard import DashboardScreen
    from tui.screens.main import MainScreen
    from tui.screens.shells import ShellsScreen
    from tui.widgets.detail.log_panel import LogPanel
    from tui.widgets.detail.pane import EnvTable
    from tui.widgets.detail.stats_panel import StatsPanel

OwnerT = TypeVar("OwnerT")

# The one Textual action every binding runs: `act('containers.start')` looks the spec up and
# calls its handler, so no key reaches a method through a name built from a string.
DISPATCH = "act"


@dataclass(frozen=True, slots=True)
class ActionSpec(Generic[OwnerT]):
    """One user action; `owner` names the narrowest widget, screen or controller that runs it."""

    owner: str
    action: str
    key: str
    description: str
    handler: Callable[[OwnerT], object]
    mutates: bool = False
    show: bool = True
    palette: bool = True
    # Keys that open an input run as the app reads them (priority), so the keys typed right
    # after them land in that input and not in the widget that had focus.
    opens_input: bool = False
    # Keys typed just before such a key must be handled first, but a plain key is handled
    # only once it has bubbled up from the focused widget, after the input took the focus:
    # `2/` in one read (as over SSH) would filter the containers. Keys a user types before
    # `/` or `:` run as the app reads them too; they stand aside while an input has focus.
    immediate: bool = False

    @property
    def id(self) -> str:
        return f"{self.owner}.{self.action}"

    @property
    def name(self) -> str:
        """The bare action name, without the `('arg')` part; guards are keyed by it."""
        return self.action.split("(", 1)[0]

    @property
    def binding_action(self) -> str:
        return f"{DISPATCH}({self.id!r})"


class Owner(Generic[OwnerT]):
    """Builds the specs of one owner, so each handler is type-checked against that owner."""

    def __init__(self, owner: str) -> None:
        self.owner = owner

    def __call__(
        self,
        action: str,
        key: str,
        description: str,
        handler: Callable[[OwnerT], object],
        *,
        mutates: bool = False,
        show: bool = True,
        palette: bool = True,
        opens_input: bool = False,
        immediate: bool = False,
    ) -> ActionSpec[OwnerT]:
        return ActionSpec(
            self.owner,
            action,
            key,
            description,
            handler,
            mutates=mutates,
            show=show,
            palette=palette,
            opens_input=opens_input,
            immediate=immediate,
        )


class ComposeKeyOwner(Protocol):
    """A view whose keys act on the compose project under the cursor."""

    def compose_up(self) -> None: ...
    def compose_down(self) -> None: ...
    def compose_restart(self) -> None: ...
    def compose_pull(self) -> None: ...


ComposeT = TypeVar("ComposeT", bound=ComposeKeyOwner)


def compose_keys(owner: Owner[ComposeT]) -> tuple[ActionSpec[ComposeT], ...]:
    """The same four compose keys in every view that lists containers."""
    return (
        owner("compose_up", "U", "Compose project up", lambda c: c.compose_up(), mutates=True,
              show=False),
        owner("compose_down", "D", "Compose project down", lambda c: c.compose_down(),
              mutates=True, show=False),
        owner("compose_restart", "R", "Compose project restart", lambda c: c.compose_restart(),
              mutates=True, show=False),
        owner("compose_pull", "ctrl+u", "Compose project pull", lambda c: c.compose_pull(),
              mutates=True, show=False),
    )  # fmt: skip


OWNER_TITLES = {
    "app": "Everywhere",
    "main": "Main screen",
    "containers": "Containers view",
    "images": "Images view",
    "volumes": "Volumes view",
    "networks": "Networks view",
    "swarm": "Swarm view",
    "fleet": "Fleet view",
    "logs": "Logs tab",
    "env": "Env tab",
    "stats": "Stats tab",
    "charts": "Stats charts",
    "dashboard": "Stats dashboard",
    "shells": "Shell sessions",
}

app: Owner[DockyardApp] = Owner("app")
main: Owner[MainScreen] = Owner("main")
containers: Owner[ContainersController] = Owner("containers")
images: Owner[ImagesController] = Owner("images")
volumes: Owner[VolumesController] = Owner("volumes")
networks: Owner[NetworksController] = Owner("networks")
swarm: Owner[SwarmController] = Owner("swarm")
fleet: Owner[FleetController] = Owner("fleet")
logs: Owner[LogPanel] = Owner("logs")
env: Owner[EnvTable] = Owner("env")
stats: Owner[StatsPanel] = Owner("stats")
charts: Owner[ChartScreen] = Owner("charts")
shells: Owner[ShellsScreen] = Owner("shells")
dashboard: Owner[DashboardScreen] = Owner("dashboard")

# The detail tabs' keys: alt and the tab's initial, free everywhere (a shell has its own
# screen), and what an SSH terminal sends as escape + letter.
DETAIL_TABS = (
    ("logs", "l", "Logs"),
    ("stats", "s", "Stats"),
    ("inspect", "i", "Inspect"),
    ("env", "e", "Env"),
    ("ports", "p", "Ports"),
    ("top", "t", "Processes"),
)


def _show_tab(tab: str) -> Callable[[MainScreen], object]:
    return lambda screen: screen.action_tab(tab)


ACTIONS: tuple[ActionSpec[Any], ...] = (
    app("quit", "q", "Quit", lambda a: a.action_quit()),
    app("help", "question_mark", "Help", lambda a: a.action_help()),
    app("command_mode", "colon", "Command", lambda a: a.action_command_mode(), opens_input=True),
    app("dashboard", "S", "Stats dashboard", lambda a: a.action_dashboard()),
    app("command_log", "L", "Command log", lambda a: a.action_command_log()),
    app("engines", "E", "Switch engine", lambda a: a.action_engines()),
    app("topology", "T", "Network topology", lambda a: a.action_topology()),
    app("shells", "ctrl+t", "Shell sessions", lambda a: a.action_shells()),
    app("charts", "H", "Stats charts of the selection", lambda a: a.action_charts(), show=False),
    app(
        "open_compose",
        "O",
        "Open compose file…",
        lambda a: a.action_open_compose(),
        mutates=True,
        show=False,
    ),
    main(
        "view('containers')",
        "1",
        "Containers",
        lambda m: m.action_view("containers"),
        immediate=True,
    ),
    main("view('images')", "2", "Images", lambda m: m.action_view("images"), immediate=True),
    main("view('volumes')", "3", "Volumes", lambda m: m.action_view("volumes"), immediate=True),
    main("view('networks')", "4", "Networks", lambda m: m.action_view("networks"), immediate=True),
    # Off the key bar: the view tabs list Swarm where there is one (a swarm manager).
    main(
        "view('swarm')",
        "5",
        "Swarm",
        lambda m: m.action_view("swarm"),
        immediate=True,
        show=False,
    ),
    # Off the key bar too: the view tabs list Fleet when several engines are open.
    main(
        "view('fleet')",
        "6",
        "Fleet",
        lambda m: m.action_view("fleet"),
        immediate=True,
        show=False,
    ),
    main("filter", "slash", "Filter", lambda m: m.action_filter(), opens_input=True),
    main("zoom", "z", "Zoom pane", lambda m: m.action_zoom()),
    main("zoom_detail", "Z", "Zoom detail", lambda m: m.action_zoom_detail(), show=False),
    main("refresh", "ctrl+r", "Refresh", lambda m: m.action_refresh(), show=False),
    main("prune", "P", "Prune", lambda m: m.action_prune(), mutates=True),
    *(
        main(
            f"tab('{tab}')",
            f"alt+{letter}",
            f"{title} tab",
            _show_tab(tab),
            show=False,
        )
        for tab, letter, title in DETAIL_TABS
    ),
    main(
        "next_tab",
        "right_square_bracket",
        "Next detail tab",
        lambda m: m.action_next_tab(),
        show=False,
    ),
    main(
        "prev_tab",
        "left_square_bracket",
        "Previous detail tab",
        lambda m: m.action_prev_tab(),
        show=False,
    ),
    containers("start", "s", "Start", lambda c: c.start(), mutates=True),
    containers("stop", "x", "Stop", lambda c: c.stop(), mutates=True),
    containers("restart", "r", "Restart", lambda c: c.restart(), mutates=True),
    containers("kill", "K", "Kill", lambda c: c.kill(), mutates=True),
    containers("pause", "p", "Pause/unpause", lambda c: c.pause(), mutates=True),
    containers("remove", "d", "Remove", lambda c: c.remove(), mutates=True),
    containers("exec", "e", "Shell", lambda c: c.exec(), mutates=True),
    containers(
        "exec_command", "X", "Exec command", lambda c: c.exec_command(), mutates=True, show=False
    ),
    containers("attach", "a", "Attach", lambda c: c.attach(), mutates=True, show=False),
    containers("connect", "c", "Connect network", lambda c: c.connect(), mutates=True, show=False),
    containers(
        "disconnect", "C", "Disconnect network", lambda c: c.disconnect(), mutates=True, show=False
    ),
    containers("project_logs", "M", "Merged compose logs", lambda c: c.project_logs(), show=False),
    *compose_keys(containers),
    containers("mark", "space", "Mark", lambda c: c.mark(), show=False),
    images("run", "r", "Run container", lambda c: c.run(), mutates=True),
    images("pull", "p", "Pull image", lambda c: c.pull(), mutates=True),
    images("remove", "d", "Remove", lambda c: c.remove(), mutates=True),
    images("sort", "o", "Sort size/date/name", lambda c: c.sort()),
    images("mark", "space", "Mark", lambda c: c.mark(), show=False),
    volumes("create", "n", "New volume", lambda c: c.create(), mutates=True),
    volumes("remove", "d", "Remove", lambda c: c.remove(), mutates=True),
    volumes("mark", "space", "Mark", lambda c: c.mark(), show=False),
    networks("create", "n", "New network", lambda c: c.create(), mutates=True),
    networks("remove", "d", "Remove", lambda c: c.remove(), mutates=True),
    networks("mark", "space", "Mark", lambda c: c.mark(), show=False),
    swarm("toggle_nodes", "n", "Nodes/services", lambda c: c.toggle_nodes()),
    swarm("scale", "s", "Scale", lambda c: c.scale(), mutates=True),
    swarm("update_image", "u", "Update image", lambda c: c.update_image(), mutates=True),
    swarm("rollback", "b", "Roll back", lambda c: c.rollback(), mutates=True),
    swarm("remove", "d", "Remove service", lambda c: c.remove(), mutates=True),
    swarm("drain", "D", "Drain node", lambda c: c.drain(), mutates=True),
    swarm("activate", "a", "Activate node", lambda c: c.activate(), mutates=True),
    swarm("logs", "l", "Service logs", lambda c: c.logs()),
    swarm("create", "c", "New service", lambda c: c.create(), mutates=True),
    swarm("pause_node", "p", "Pause node", lambda c: c.pause_node(), mutates=True),
    swarm("promote", "plus", "Promote", lambda c: c.promote(), mutates=True),
    swarm("demote", "minus", "Demote", lambda c: c.demote(), mutates=True),
    swarm("label_node", "equals_sign", "Node labels", lambda c: c.label_node(), mutates=True),
    fleet("start", "s", "Start", lambda c: c.start(), mutates=True),
    fleet("stop", "x", "Stop", lambda c: c.stop(), mutates=True),
    fleet("restart", "r", "Restart", lambda c: c.restart(), mutates=True),
    fleet("kill", "K", "Kill", lambda c: c.kill(), mutates=True),
    fleet("pause", "p", "Pause/unpause", lambda c: c.pause(), mutates=True),
    fleet("remove", "d", "Remove", lambda c: c.remove(), mutates=True),
    fleet("exec", "e", "Shell", lambda c: c.exec(), mutates=True),
    *compose_keys(fleet),
    fleet("mark", "space", "Mark", lambda c: c.mark(), show=False),
    logs("follow", "f", "Follow", lambda p: p.action_follow()),
    logs("timestamps", "t", "Timestamps", lambda p: p.action_timestamps()),
    logs("wrap", "w", "Wrap", lambda p: p.action_wrap()),
    logs("search", "slash", "Search", lambda p: p.action_search(), opens_input=True),
    logs("next_match", "n", "Next match", lambda p: p.action_next_match()),
    logs("prev_match", "N", "Prev match", lambda p: p.action_prev_match()),
    logs("filter_lines", "F", "Filter lines", lambda p: p.action_filter_lines(), opens_input=True),
    logs("save", "ctrl+s", "Save to file", lambda p: p.action_save()),
    logs("select_lines", "V", "Select lines", lambda p: p.action_select_lines()),
    logs(
        "line_down",
        "j",
        "Down / extend selection",
        lambda p: p.action_line_down(),
        show=False,
        palette=False,
    ),
    logs(
        "line_up",
        "k",
        "Up / extend selection",
        lambda p: p.action_line_up(),
        show=False,
        palette=False,
    ),
    logs("copy", "y", "Copy selection/last lines", lambda p: p.action_copy()),
    logs("top", "g", "Top", lambda p: p.action_top(), show=False, palette=False),
    logs("bottom", "G", "Bottom", lambda p: p.action_bottom(), show=False, palette=False),
    env("reveal", "v", "Reveal secrets", lambda t: t.action_reveal()),
    stats("window", "w", "Window 1/5/15 min", lambda p: p.action_window()),
    stats("full_screen", "f", "Full screen", lambda p: p.action_full_screen()),
    charts("window", "w", "Window 1/5/15 min", lambda c: c.action_window()),
    shells("focus_terminal", "i,enter", "Terminal", lambda s: s.action_focus_terminal()),
    shells("close_tab", "x", "Close", lambda s: s.action_close_tab()),
    shells("next_tab", "right_square_bracket", "Next", lambda s: s.action_next_tab()),
    shells("prev_tab", "left_square_bracket", "Prev", lambda s: s.action_prev_tab(), show=False),
    shells("popout", "o", "Pop out", lambda s: s.action_popout()),
    shells("back", "escape", "Back", lambda s: s.action_back()),
    shells("new_shell", "e", "New shell", lambda s: s.action_new_shell()),
    shells("zoom", "z", "Logs", lambda s: s.action_zoom()),
    dashboard("sort('cpu')", "c", "Sort CPU", lambda d: d.action_sort("cpu")),
    dashboard("sort('mem')", "m", "Sort memory", lambda d: d.action_sort("mem")),
    dashboard("sort('name')", "n", "Sort name", lambda d: d.action_sort("name")),
    dashboard("sort('net')", "i", "Sort net I/O", lambda d: d.action_sort("net")),
)

BY_ID: dict[str, ActionSpec[Any]] = {spec.id: spec for spec in ACTIONS}


# The table never changes: what is derived from it is computed once per owner. The guards
# ask these on every key bar refresh, about sixty times for one cursor move.
@cache
def specs_for(owner: str) -> tuple[ActionSpec[Any], ...]:
    return tuple(spec for spec in ACTIONS if spec.owner == owner)


def bindings_for(owner: str) -> list[BindingType]:
    """Textual bindings for one owner; the id lets users remap the key (App.set_keymap)."""
    return [
        Binding(
            spec.key,
            spec.binding_action,
            spec.description,
            show=spec.show,
            id=spec.id,
            priority=spec.opens_input or spec.immediate,
        )
        for spec in specs_for(owner)
    ]


def requested(action: str, parameters: tuple[object, ...]) -> ActionSpec[Any] | None:
    """The spec a Textual action names: `act('owner.action')`; None for Textual's own actions."""
    if action != DISPATCH or not parameters:
        return None
    return BY_ID.get(str(parameters[0]))


def action_name(action: str, parameters: tuple[object, ...] = ()) -> str:
    """The bare action name a guard checks, whether given as `act('id')` or by name."""
    spec = requested(action, parameters)
    return spec.name if spec is not None else action


async def run_spec(owner: object, spec_id: str) -> None:
    """Run the handler of `spec_id` on its owner; a coroutine handler is awaited here, so the
    keys typed after this one wait for it (the app runs keys in order)."""
    result = BY_ID[spec_id].handler(owner)
    if inspect.isawaitable(result):
        await result


@cache
def input_openers(owner: str) -> frozenset[str]:
    """Actions bound with priority: they must stand aside while an input has focus."""
    return frozenset(spec.name for spec in specs_for(owner) if spec.opens_input)


@cache
def immediate_actions(owner: str) -> frozenset[str]:
    """Plain keys bound with priority (see ActionSpec.immediate)."""
    return frozenset(spec.name for spec in specs_for(owner) if spec.immediate)


@cache
def mutating_actions(owner: str) -> frozenset[str]:
    return frozenset(spec.name for spec in specs_for(owner) if spec.mutates)


@cache
def owned_actions(owner: str) -> frozenset[str]:
    """The bare action names of one owner's entries."""
    return frozenset(spec.name for spec in specs_for(owner))


def display_key(spec: ActionSpec[Any], keymap: dict[str, str]) -> str:
    """The key the user actually presses, after remapping, in a readable form."""
    key = keymap.get(spec.id, spec.key)
    names = {
        "question_mark": "?",
        "colon": ":",
        "slash": "/",
        "space": "space",
        "right_square_bracket": "]",
        "left_square_bracket": "[",
        "plus": "+",
        "minus": "-",
        "equals_sign": "=",
    }
    return ",".join(names.get(part.strip(), part.strip()) for part in key.split(","))


def merge_keymap(overrides: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Only ids that exist are kept, so a typo in the config cannot hide a key."""
    return {binding_id: key for binding_id, key in overrides if binding_id in BY_ID}
