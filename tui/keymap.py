"""The one action table: ids, keys, descriptions; bindings, help and palette derive from it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from textual.binding import Binding, BindingType


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """One user action; `owner` names the narrowest widget or screen that holds its binding."""

    owner: str
    action: str
    key: str
    description: str
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


OWNER_TITLES = {
    "app": "Everywhere",
    "main": "Main screen",
    "containers": "Containers view",
    "images": "Images view",
    "volumes": "Volumes view",
    "networks": "Networks view",
    "logs": "Logs tab",
    "env": "Env tab",
    "stats": "Stats tab",
    "charts": "Stats charts",
    "dashboard": "Stats dashboard",
    "shells": "Shell sessions",
}

A = ActionSpec
ACTIONS: tuple[ActionSpec, ...] = (
    A("app", "quit", "q", "Quit"),
    A("app", "help", "question_mark", "Help"),
    A("app", "command_mode", "colon", "Command", opens_input=True),
    A("app", "dashboard", "S", "Stats dashboard"),
    A("app", "command_log", "L", "Command log"),
    A("app", "engines", "E", "Switch engine"),
    A("app", "topology", "T", "Network topology"),
    A("app", "shells", "ctrl+t", "Shell sessions"),
    A("app", "charts", "H", "Stats charts of the selection", show=False),
    A("app", "open_compose", "O", "Open compose file…", mutates=True, show=False),
    A("main", "view('containers')", "1", "Containers", immediate=True),
    A("main", "view('images')", "2", "Images", immediate=True),
    A("main", "view('volumes')", "3", "Volumes", immediate=True),
    A("main", "view('networks')", "4", "Networks", immediate=True),
    A("main", "filter", "slash", "Filter", opens_input=True),
    A("main", "zoom", "z", "Zoom pane"),
    A("main", "refresh", "ctrl+r", "Refresh", show=False),
    A("main", "prune", "P", "Prune", mutates=True),
    A("containers", "start", "s", "Start", mutates=True),
    A("containers", "stop", "x", "Stop", mutates=True),
    A("containers", "restart", "r", "Restart", mutates=True),
    A("containers", "kill", "K", "Kill", mutates=True),
    A("containers", "pause", "p", "Pause/unpause", mutates=True),
    A("containers", "remove", "d", "Remove", mutates=True),
    A("containers", "exec", "e", "Shell", mutates=True),
    A("containers", "exec_command", "X", "Exec command", mutates=True, show=False),
    A("containers", "attach", "a", "Attach", mutates=True, show=False),
    A("containers", "connect", "c", "Connect network", mutates=True, show=False),
    A("containers", "disconnect", "C", "Disconnect network", mutates=True, show=False),
    A("containers", "project_logs", "M", "Merged compose logs", show=False),
    A("containers", "compose_up", "U", "Compose project up", mutates=True, show=False),
    A("containers", "compose_down", "D", "Compose project down", mutates=True, show=False),
    A("containers", "compose_restart", "R", "Compose project restart", mutates=True, show=False),
    A("containers", "compose_pull", "ctrl+u", "Compose project pull", mutates=True, show=False),
    A("containers", "mark", "space", "Mark", show=False),
    A("images", "run", "r", "Run container", mutates=True),
    A("images", "pull", "p", "Pull image", mutates=True),
    A("images", "remove", "d", "Remove", mutates=True),
    A("images", "sort", "o", "Sort size/date/name"),
    A("images", "mark", "space", "Mark", show=False),
    A("volumes", "create", "n", "New volume", mutates=True),
    A("volumes", "remove", "d", "Remove", mutates=True),
    A("volumes", "mark", "space", "Mark", show=False),
    A("networks", "create", "n", "New network", mutates=True),
    A("networks", "remove", "d", "Remove", mutates=True),
    A("networks", "mark", "space", "Mark", show=False),
    A("logs", "follow", "f", "Follow"),
    A("logs", "timestamps", "t", "Timestamps"),
    A("logs", "wrap", "w", "Wrap"),
    A("logs", "search", "slash", "Search", opens_input=True),
    A("logs", "next_match", "n", "Next match"),
    A("logs", "prev_match", "N", "Prev match"),
    A("logs", "filter_lines", "F", "Filter lines", opens_input=True),
    A("logs", "save", "ctrl+s", "Save to file"),
    A("logs", "select_lines", "V", "Select lines"),
    A("logs", "line_down", "j", "Down / extend selection", show=False, palette=False),
    A("logs", "line_up", "k", "Up / extend selection", show=False, palette=False),
    A("logs", "copy", "y", "Copy selection/last lines"),
    A("logs", "top", "g", "Top", show=False, palette=False),
    A("logs", "bottom", "G", "Bottom", show=False, palette=False),
    A("env", "reveal", "v", "Reveal secrets"),
    A("stats", "window", "w", "Window 1/5/15 min"),
    A("stats", "full_screen", "f", "Full screen"),
    A("charts", "window", "w", "Window 1/5/15 min"),
    A("shells", "focus_terminal", "i,enter", "Terminal"),
    A("shells", "close_tab", "x", "Close"),
    A("shells", "next_tab", "right_square_bracket", "Next"),
    A("shells", "prev_tab", "left_square_bracket", "Prev", show=False),
    A("shells", "popout", "o", "Pop out"),
    A("shells", "back", "escape", "Back"),
    A("shells", "new_shell", "e", "New shell"),
    A("shells", "zoom", "z", "Logs"),
    A("dashboard", "sort('cpu')", "c", "Sort CPU"),
    A("dashboard", "sort('mem')", "m", "Sort memory"),
    A("dashboard", "sort('name')", "n", "Sort name"),
    A("dashboard", "sort('net')", "i", "Sort net I/O"),
)

BY_ID = {spec.id: spec for spec in ACTIONS}


def specs_for(owner: str) -> list[ActionSpec]:
    return [spec for spec in ACTIONS if spec.owner == owner]


def bindings_for(owner: str) -> list[BindingType]:
    """Textual bindings for one owner; the id lets users remap the key (App.set_keymap)."""
    return [
        Binding(
            spec.key,
            spec.action,
            spec.description,
            show=spec.show,
            id=spec.id,
            priority=spec.opens_input or spec.immediate,
        )
        for spec in specs_for(owner)
    ]


def action_name(spec: ActionSpec) -> str:
    """The bare method name, without the `('arg')` part."""
    return spec.action.split("(", 1)[0]


def input_openers(owner: str) -> set[str]:
    """Actions bound with priority: they must stand aside while an input has focus."""
    return {action_name(spec) for spec in specs_for(owner) if spec.opens_input}


def immediate_actions(owner: str) -> set[str]:
    """Plain keys bound with priority (see ActionSpec.immediate)."""
    return {action_name(spec) for spec in specs_for(owner) if spec.immediate}


def mutating_actions(owner: str) -> set[str]:
    return {action_name(spec) for spec in specs_for(owner) if spec.mutates}


def display_key(spec: ActionSpec, keymap: dict[str, str]) -> str:
    """The key the user actually presses, after remapping, in a readable form."""
    key = keymap.get(spec.id, spec.key)
    names = {"question_mark": "?", "colon": ":", "slash": "/", "space": "space"}
    return ",".join(names.get(part.strip(), part.strip()) for part in key.split(","))


def merge_keymap(overrides: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Only ids that exist are kept, so a typo in the config cannot hide a key."""
    return {binding_id: key for binding_id, key in overrides if binding_id in BY_ID}
