"""ChartGrid: CPU, memory, network and block I/O charts side by side, with a line of readings."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.widgets import Static

from tui.widgets.charts.line_chart import LineChart
from tui.widgets.charts.metrics import METRICS, chart_data, newest
from tui.widgets.format import human_size
from tui.widgets.stats_history import StatsHistory

Subjects = Sequence[tuple[str, str]]  # (container id, name)


def readings(history: StatsHistory, subjects: Subjects) -> str:
    """The latest numbers, whole (memory with its limit and share), one container a clause."""
    parts = []
    for cid, name in subjects:
        s = history.latest(cid)
        if s is None:
            parts.append(f"{name}: no samples (not running)")
            continue
        mem = f"{human_size(s.mem_used)} / {human_size(s.mem_limit)} ({s.mem_percent:.1f}%)"
        parts.append(f"{name}: CPU {s.cpu_percent:.1f}%  mem {mem}  pids {s.pids}")
    return "   ".join(parts) or "no container selected"


# A chart needs a title, three rows of plot and its time axis to be read; below this width
# two charts side by side leave too few dots for a minute of samples.
MIN_HEIGHT, MIN_WIDTH = 6, 35


def grid_shape(width: int, height: int) -> tuple[int, int]:
    """(columns, charts shown) for a box: as many charts as fit at a readable size, in
    the order of METRICS (CPU and memory first); a short, wide box puts all four in a row."""
    count = len(METRICS)
    fit = max(1, width // MIN_WIDTH)
    rows = max(1, height // MIN_HEIGHT)
    columns = count if rows == 1 and fit >= count else min(fit, 2)
    return columns, min(count, columns * rows)


class ChartGrid(Vertical):
    """Attributes down: the owner calls `show` with the history, whom to chart and the window."""

    DEFAULT_CSS = """
    ChartGrid { height: 1fr; }
    ChartGrid > .chart-grid--readings { height: 1; color: $text-muted; }
    ChartGrid > Grid { grid-size: 2; grid-gutter: 0 2; height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._readings = ""

    def compose(self) -> ComposeResult:
        yield Static("", classes="chart-grid--readings", markup=False)
        with Grid():
            for metric in METRICS:
                yield LineChart(id=f"chart-{metric.key}")

    def on_resize(self) -> None:
        columns, shown = grid_shape(self.size.width, self.size.height - 1)
        self.query_one(Grid).styles.grid_size_columns = columns
        for n, metric in enumerate(METRICS):
            self.chart(metric.key).display = n < shown

    def show(self, history: StatsHistory, subjects: Subjects, window: float) -> None:
        now = newest(history, [cid for cid, _ in subjects])
        for metric in METRICS:
            chart = self.query_one(f"#chart-{metric.key}", LineChart)
            chart.show(chart_data(history, subjects, metric, window, now))
        text = readings(history, subjects)
        if text != self._readings:
            self._readings = text
            # One line high: its text never changes its size, so no layout of the screen.
            self.query_one(".chart-grid--readings", Static).update(text, layout=False)

    def chart(self, key: str) -> LineChart:
        return self.query_one(f"#chart-{key}", LineChart)
