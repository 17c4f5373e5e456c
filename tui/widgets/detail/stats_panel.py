"""The Stats tab: line charts of CPU, memory, network and block I/O for the selection."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.widget import Widget

from tui.keymap import bindings_for, run_spec
from tui.widgets.charts.scale import WINDOWS
from tui.widgets.stats_history import StatsHistory

if TYPE_CHECKING:
    from tui.widgets.charts.chart_grid import ChartGrid


def next_window(window: float) -> float:
    """1, 5, 15 minutes, round again."""
    later = [w for w in WINDOWS if w > window]
    return later[0] if later else WINDOWS[0]


class StatsPanel(Widget, can_focus=True):
    """Charts the selected container, or every member of the selected compose project."""

    BINDINGS = bindings_for("stats")
    DEFAULT_CSS = """
    StatsPanel { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.history = StatsHistory()
        self.subjects: tuple[tuple[str, str], ...] = ()
        self.window = WINDOWS[1]
        self._grid: ChartGrid | None = None

    async def on_show(self) -> None:
        """The charts (and their modules) are made when the tab is first shown: many sessions
        never open it."""
        if self._grid is None:
            from tui.widgets.charts.chart_grid import ChartGrid

            self._grid = ChartGrid(id="stats-charts")
            await self.mount(self._grid)
            self.show(self.history, self.subjects)

    def show(self, history: StatsHistory, subjects: Sequence[tuple[str, str]]) -> None:
        self.history, self.subjects = history, tuple(subjects)
        if self._grid is not None and self._grid.is_mounted:
            self._grid.show(history, self.subjects, self.window)

    async def action_act(self, spec_id: str) -> None:
        await run_spec(self, spec_id)

    def action_window(self) -> None:
        self.window = next_window(self.window)
        self.show(self.history, self.subjects)

    def action_full_screen(self) -> None:
        from tui.screens.charts import ChartScreen

        if self.subjects:
            self.app.push_screen(ChartScreen(self.history, self.subjects, self.window))
