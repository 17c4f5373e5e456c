"""The fleet view: every engine's containers, grouped under a status row per engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from engine_adapters.models import Container, ContainerState
from tui.keymap import action_name, bindings_for
from tui.widgets.format import natural_key
from tui.widgets.views.containers_table import ContainersTable
from tui.widgets.views.resource_table import NAV_BINDINGS, Cells, clipped

ENGINE_PREFIX = "engine:"
# Keys on the project of the container under the cursor, whatever the marks.
COMPOSE_ACTIONS = frozenset({"compose_up", "compose_down", "compose_restart", "compose_pull"})


@dataclass(frozen=True)
class EngineStatus:
    """What the fleet knows of one engine: up (None until it first answers) and why not."""

    label: str
    endpoint: str
    up: bool | None = None
    reason: str = ""


class FleetTable(ContainersTable, inherit_bindings=False):
    """Containers keyed by id (ids are unique across engines; an engine reached by two names
    is listed once), the engine of each in `engine_of`; a dropped engine's rows are greyed
    and no action is allowed on them."""

    OWNER = "fleet"
    # Not the containers view's keys: a compose key here would act through the wrong view.
    BINDINGS = [*DataTable.BINDINGS, *NAV_BINDINGS, *bindings_for("fleet")]
    COLUMNS = (
        ("mark", " "),
        ("name", "NAME"),
        ("engine", "ENGINE"),
        ("state", "STATE"),
        ("health", "HEALTH"),
        ("cpu", "CPU%"),
        ("mem", "MEMORY"),
        ("uptime", "UPTIME"),
        ("image", "IMAGE"),
        ("ports", "PORTS"),
    )
    FIT = (
        (("image", 12), ("ports", 12), ("uptime", 20), ("name", 20), ("engine", 10)),
        (("ports", 0),),
        (("health", 0),),
        (("image", 0),),
        (("name", 10), ("uptime", 12), ("engine", 6)),
    )

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.engine_of: dict[str, str] = {}
        self.status: dict[str, EngineStatus] = {}
        self._members: dict[str, list[Container]] = {}  # the last row_order's, per engine

    # data in ------------------------------------------------------------------------
    def set_engines(self, statuses: list[EngineStatus]) -> None:
        """The fleet's engines, in the order they were named; every one has a status row."""
        self.status = {s.label: s for s in statuses}

    def listed(self, label: str, containers: list[Container]) -> None:
        """One engine's fresh list replaces its rows; the other engines' rows stay as they are."""
        for cid in [cid for cid, owner in self.engine_of.items() if owner == label]:
            del self.engine_of[cid]
            self.items.pop(cid, None)
        for c in containers:
            if c.id in self.engine_of:
                continue  # the same engine under another name: listed under the first
            self.items[c.id] = c
            self.engine_of[c.id] = label
        self.filled = True
        self.marked &= set(self.items)
        old = self.status.get(label)
        if old is not None:
            self.status[label] = EngineStatus(label, old.endpoint, True)

    def dropped(self, label: str, reason: str) -> None:
        old = self.status.get(label)
        if old is not None:
            self.status[label] = EngineStatus(label, old.endpoint, False, reason)
        self.marked -= {cid for cid, owner in self.engine_of.items() if owner == label}

    def is_down(self, label: str) -> bool:
        status = self.status.get(label)
        return status is not None and status.up is False

    @property
    def down(self) -> list[str]:
        return [label for label, status in self.status.items() if status.up is False]

    # rows ---------------------------------------------------------------------------
    def search_text(self, item: Any) -> str:
        c: Container = item
        return f"{super().search_text(c)} {self.engine_of.get(c.id, '')}"

    def row_order(self) -> list[str]:
        """Each engine's status row, then its containers by name (a filter keeps only the
        engines with a match); the rows' listed containers are kept for their status cells."""
        members: dict[str, list[Container]] = {label: [] for label in self.status}
        for c in sorted(self.items.values(), key=lambda c: natural_key(c.name)):
            if self.matches(c):
                members.setdefault(self.engine_of.get(c.id, ""), []).append(c)
        self._members = members
        order: list[str] = []
        for label, listed in members.items():
            if self.filter_text and not listed:
                continue
            order.append(ENGINE_PREFIX + label)
            order.extend(c.id for c in listed)
        return order

    def row_cells(self, row_key: str) -> Cells | None:
        if row_key.startswith(ENGINE_PREFIX):
            label = row_key.removeprefix(ENGINE_PREFIX)
            return self._engine_cells(label, self._members.get(label, []))
        c = self.items.get(row_key)
        return self.cells(c, "") if c is not None else None

    def _engine_cells(self, label: str, listed: list[Container]) -> Cells:
        """The engine's status line: up with its counts, or down with the reason."""
        status = self.status.get(label, EngineStatus(label, ""))
        total = sum(1 for owner in self.engine_of.values() if owner == label)
        running = sum(c.state == ContainerState.RUNNING for c in listed)
        if status.up is False:
            state = Text("✖ down", style="bold red", end="")
            note = clipped(f"{status.reason} (retrying)", style="red")
        elif status.up is None:
            state = Text("… connecting", style="dim", end="")
            note = clipped(status.endpoint, style="dim")
        else:
            state = Text(f"● {running}/{total} up", style="bold", end="")
            note = clipped(status.endpoint, style="dim")
        title = clipped(f"▾ {label}", style="bold")
        return (" ", title, "", state, "", "", "", "", note, "")

    def cells(self, c: Container, branch: str) -> Cells:
        base = super().cells(c, branch)
        label = self.engine_of.get(c.id, "")
        cells = (*base[:2], clipped(label), *base[2:])
        if not self.is_down(label):
            return cells
        # Its last known rows, greyed: the state and stats they show are no longer known.
        stale = ["-" if column in ("cpu", "mem") else cell for (column, _), cell in
                 zip(self.COLUMNS, cells, strict=True)]  # fmt: skip
        return tuple(_greyed(cell) for cell in stale)

    # guards and selection -------------------------------------------------------------
    @property
    def current_project(self) -> str | None:
        """The compose project of the container under the cursor (the fleet groups by
        engine: a status row has none)."""
        current: Container | None = self.current
        return current.compose_project if current else None

    @property
    def current_engine(self) -> str | None:
        """The engine of the row under the cursor, its status row included."""
        key = self.current_row_key
        if key and key.startswith(ENGINE_PREFIX):
            return key.removeprefix(ENGINE_PREFIX)
        return self.engine_of.get(key) if key else None

    def allowed(self, action: str, item: Any) -> bool:
        c: Container = item
        return not self.is_down(self.engine_of.get(c.id, "")) and super().allowed(action, c)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A compose key always reaches the controller, which says in one line why it cannot
        # act (a status row, a container of no project, an engine down): a key that did
        # nothing there would look broken. Read-only mode still greys it out.
        if action_name(action, parameters) in COMPOSE_ACTIONS and not getattr(
            self.app, "read_only", False
        ):
            return True
        return super().check_action(action, parameters)


def _greyed(cell: Any) -> Any:
    if isinstance(cell, Text):
        return clipped(cell.plain, style="dim")
    return clipped(str(cell), style="dim") if cell else cell
