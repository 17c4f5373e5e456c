"""The full-screen stats charts: one or several containers, a window of 1, 5 or 15 minutes."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from tui.keymap import bindings_for, run_spec
from tui.screens.covering import CoveringScreen
from tui.widgets.bars.key_bar import KeyBar
from tui.widgets.charts.chart_grid import ChartGrid
from tui.widgets.charts.scale import window_label
from tui.widgets.detail.stats_panel import next_window
from tui.widgets.stats_history import StatsHistory


class ChartScreen(CoveringScreen):
    DEFAULT_CSS = """
    ChartScreen > #charts-title { height: 1; padding: 0 1; }
    ChartScreen > ChartGrid { padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="charts.back"),
        *bindings_for("charts"),
    ]

    def __init__(
        self, stats: StatsHistory, subjects: Sequence[tuple[str, str]], window: float
    ) -> None:
        super().__init__()
        self.stats = stats
        self.subjects = tuple(subjects)
        self.window = window
        self._generation = -1
        self._title = ""

    def compose(self) -> ComposeResult:
        yield Static("", id="charts-title", markup=False)
        yield ChartGrid(id="charts")
        yield KeyBar()

    def on_mount(self) -> None:
        self.redraw()
        # Samples arrive every stats interval; a second's check repaints only after one came.
        self.set_interval(1.0, self._tick)

    def on_resize(self) -> None:
        self.redraw()

    def _tick(self) -> None:
        if self.stats.generation != self._generation:
            self.redraw()

    def redraw(self) -> None:
        self._generation = self.stats.generation
        names = ", ".join(name for _, name in self.subjects)
        title = f"Stats: {names}  (last {window_label(self.window)})"
        if title != self._title:  # Static.update lays the screen out again: skip no-ops
            self._title = title
            self.query_one("#charts-title", Static).update(title)
        self.query_one(ChartGrid).show(self.stats, self.subjects, self.window)

    async def action_act(self, spec_id: str) -> None:
        await run_spec(self, spec_id)

    def action_window(self) -> None:
        self.window = next_window(self.window)
        self.redraw()
