"""The containers view: grouped by compose project; state, health, ports, uptime, CPU, memory."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip

from engine_adapters.models import Container, ContainerState
from tui.keymap import bindings_for
from tui.widgets.format import (
    HEALTH_VARIABLE,
    STATE_VARIABLE,
    human_size,
    natural_key,
    styled,
    uptime,
)
from tui.widgets.stats_history import StatsHistory
from tui.widgets.views.resource_table import (
    NAV_BINDINGS,
    Cells,
    FitSteps,
    ResourceTable,
    Row,
    Selection,
    clipped,
)

GROUP_PREFIX = "project:"


class ContainersTable(ResourceTable):
    OWNER = "containers"
    BINDINGS = [*NAV_BINDINGS, *bindings_for("containers")]
    # The numbers come before the long image and port texts so they stay visible at 80 columns.
    COLUMNS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("mark", " "),
        ("name", "NAME"),
        ("state", "STATE"),
        ("health", "HEALTH"),
        ("cpu", "CPU%"),
        ("mem", "MEMORY"),
        ("uptime", "UPTIME"),
        ("image", "IMAGE"),
        ("ports", "PORTS"),
    )
    # Too narrow for every column: trim the long texts, then hide ports and image (the detail
    # pane shows both), and only then trim the name and uptime further.
    FIT: ClassVar[FitSteps] = (
        (("image", 12), ("ports", 12), ("uptime", 20), ("name", 20)),
        (("ports", 0),),
        (("image", 0),),
        (("name", 10), ("uptime", 12)),
    )

    class FirstPainted(Message):
        """The list has been drawn once: what the screen left out of the first frame can mount."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.stats = StatsHistory()
        self._branches: dict[str, str] = {}
        self._groups: dict[str, tuple[int, int]] = {}  # project: (running, members)
        self._painted = False

    def render_lines(self, crop: Region) -> list[Strip]:
        lines = super().render_lines(crop)
        if not self._painted:
            # Posted, not handled now: the frame being drawn reaches the terminal first.
            self._painted = True
            self.post_message(self.FirstPainted())
        return lines

    def search_text(self, item: Any) -> str:
        c: Container = item
        return f"{c.name} {c.image} {c.state} {c.compose_project or ''} {c.short_id}"

    def row_order(self) -> list[str]:
        """The row keys in order (projects, their members, then the rest), without any cells."""
        groups: dict[str, list[Container]] = {}
        loose: list[Container] = []
        for c in sorted(self.items.values(), key=lambda c: natural_key(c.name)):
            if not self.matches(c):
                continue
            if c.compose_project:
                groups.setdefault(c.compose_project, []).append(c)
            else:
                loose.append(c)
        order: list[str] = []
        self._groups = {}
        self._branches = {}
        for project in sorted(groups, key=natural_key):
            members = groups[project]
            running = sum(c.state == ContainerState.RUNNING for c in members)
            self._groups[project] = (running, len(members))
            order.append(GROUP_PREFIX + project)
            for index, c in enumerate(members):
                self._branches[c.id] = "└ " if index == len(members) - 1 else "├ "
                order.append(c.id)
        order.extend(c.id for c in loose)
        return order

    def build_rows(self) -> list[Row]:
        return [(key, cells) for key in self.row_order() if (cells := self.row_cells(key))]

    def refresh_rows(self) -> None:
        self.show_order(self.row_order())

    def row_cells(self, row_key: str) -> Cells | None:
        if row_key.startswith(GROUP_PREFIX):
            project = row_key.removeprefix(GROUP_PREFIX)
            counts = self._groups.get(project)
            return self._group_cells(project, *counts) if counts else None
        c = self.items.get(row_key)
        return self.cells(c, self._branches.get(row_key, "")) if c is not None else None

    def _group_cells(self, project: str, running: int, total: int) -> Cells:
        title = clipped(f"▾ {project}", style="bold")
        count = Text(f"{running}/{total} up", style="dim", end="")
        return (" ", title, count, "", "", "", "", clipped("compose project"), "")

    def cells(self, c: Container, branch: str) -> Cells:
        theme = self.app.theme_variables
        state = styled(c.state.value, theme, STATE_VARIABLE[c.state], bold=True)
        health = (
            ""
            if c.health.value == "none"
            else styled(c.health.value, theme, HEALTH_VARIABLE[c.health])
        )
        shown = [p for p in c.ports if p.published] or list(c.ports)
        ports = str(shown[0]) + (f" +{len(shown) - 1}" if len(shown) > 1 else "") if shown else ""
        sample = self.stats.latest(c.id) if c.state == ContainerState.RUNNING else None
        cpu = f"{sample.cpu_percent:5.1f}" if sample else "-"
        mem = f"{human_size(sample.mem_used)} {sample.mem_percent:.0f}%" if sample else "-"
        return (
            self.mark_cell(c.id),
            clipped(f"{branch}{c.name}"),
            state,
            health,
            cpu,
            mem,
            clipped(uptime(c, self.now)),
            clipped(c.image),
            clipped(ports),
        )

    # grouped selection: a project header acts on every member -----------------
    def targets(self) -> list[str]:
        key = self.current_row_key
        if not self.marked and key and key.startswith(GROUP_PREFIX):
            project = key.removeprefix(GROUP_PREFIX)
            return [c.id for c in self.items.values() if c.compose_project == project]
        return super().targets()

    def selection(self) -> Selection:
        return Selection(tuple(self.targets()), self.current_key, self.current_project)

    @property
    def current_project(self) -> str | None:
        key = self.current_row_key
        if key and key.startswith(GROUP_PREFIX):
            return key.removeprefix(GROUP_PREFIX)
        current: Container | None = self.current
        return current.compose_project if current else None

    def allowed(self, action: str, item: Any) -> bool:
        """State guards, checked before each verb (like youki's can_start/can_kill)."""
        c: Container = item
        s = c.state
        match action:
            case "start":
                return s in (ContainerState.CREATED, ContainerState.EXITED, ContainerState.DEAD)
            case "stop":
                return s.is_up
            case "restart":
                return s != ContainerState.REMOVING
            case "kill":
                return s in (
                    ContainerState.RUNNING,
                    ContainerState.PAUSED,
                    ContainerState.RESTARTING,
                )
            case "pause":
                return s in (ContainerState.RUNNING, ContainerState.PAUSED)
            case "remove":
                return s != ContainerState.REMOVING
            case (
                "project_logs" | "compose_up" | "compose_down" | "compose_restart" | "compose_pull"
            ):
                return c.compose_project is not None
            case "exec" | "exec_command" | "attach":
                return s == ContainerState.RUNNING
        return True
