"""The Stats tab: live sparklines of CPU, memory, network, block I/O and pids for one container."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, ConsoleOptions, RenderResult
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.widget import Widget

from tui.widgets.format import BARS, human_size
from tui.widgets.stats_history import StatsHistory

METRICS = (
    ("cpu", "CPU"),
    ("mem", "Memory"),
    ("rx", "Net rx/s"),
    ("tx", "Net tx/s"),
    ("blkr", "Block r/s"),
    ("blkw", "Block w/s"),
    ("pids", "PIDs"),
)
NAME_WIDTH, VALUE_WIDTH = 10, 22


def spark_history(values: Sequence[float], width: int) -> str:
    """The whole history in `width` cells: each cell is the peak of its share of the samples."""
    if width <= 0 or not values:
        return BARS[1] * max(width, 0)
    cells = min(width, len(values))
    peaks = [
        max(values[len(values) * n // cells : max(len(values) * (n + 1) // cells, 1)])
        for n in range(cells)
    ]
    top = max(peaks) or 1.0
    return "".join(BARS[max(1, min(8, round(8 * v / top)))] for v in peaks).ljust(width)


class MetricRows:
    """Name, latest value and a sparkline per metric, sized to the width it is drawn in."""

    def __init__(
        self,
        title: str,
        rows: list[tuple[str, str, Sequence[float]]],
        name_style: Style,
        spark_style: Style,
    ) -> None:
        self.title = title
        self.rows = rows
        self.name_style = name_style
        self.spark_style = spark_style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Text(self.title, no_wrap=True, overflow="ellipsis")
        spark_width = options.max_width - NAME_WIDTH - VALUE_WIDTH
        for name, value, series in self.rows:
            line = Text(no_wrap=True, overflow="crop")
            line.append(name.ljust(NAME_WIDTH), self.name_style)
            line.append(value[: VALUE_WIDTH - 1].ljust(VALUE_WIDTH))
            line.append(spark_history(series, spark_width), self.spark_style)
            yield line


class StatsBody(Widget):
    """One widget draws every row: the tab repaints as one unit on each sample."""

    COMPONENT_CLASSES = {"stats-body--name", "stats-body--spark"}
    DEFAULT_CSS = """
    StatsBody { height: auto; }
    StatsBody > .stats-body--name { color: $text-muted; }
    StatsBody > .stats-body--spark { color: $primary; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title = ""
        self.rows: list[tuple[str, str, Sequence[float]]] = [(n, "-", ()) for _, n in METRICS]

    def render(self) -> MetricRows:
        return MetricRows(
            self.title,
            self.rows,
            self.get_component_rich_style("stats-body--name"),
            self.get_component_rich_style("stats-body--spark"),
        )

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 1 + len(self.rows)


class StatsPanel(VerticalScroll):
    def compose(self) -> ComposeResult:
        yield StatsBody(id="stats-body")

    def show(self, history: StatsHistory, container_id: str | None, name: str = "") -> None:
        sample = history.latest(container_id) if container_id else None
        title = (
            f"{name}: no samples (not running)"
            if sample is None
            else f"{name}: {len(history.samples.get(sample.container_id, ()))} samples"
        )
        cid = container_id or ""
        series = {
            "cpu": history.series(cid, "cpu_percent"),
            "mem": history.series(cid, "mem_used"),
            "rx": history.rates(cid, "net_rx"),
            "tx": history.rates(cid, "net_tx"),
            "blkr": history.rates(cid, "block_read"),
            "blkw": history.rates(cid, "block_write"),
            "pids": history.series(cid, "pids"),
        }
        values = {key: "-" for key in series}
        if sample is not None:
            values["cpu"] = f"{sample.cpu_percent:.1f}%"
            used, limit = human_size(sample.mem_used), human_size(sample.mem_limit)
            values["mem"] = f"{used} / {limit} {sample.mem_percent:.1f}%"
            for key in ("rx", "tx", "blkr", "blkw"):
                values[key] = f"{human_size(series[key][-1])}/s" if series[key] else "-"
            values["pids"] = str(sample.pids)
        body = self.query_one(StatsBody)
        body.title = title
        body.rows = [(label, values[key], series[key]) for key, label in METRICS]
        body.refresh()
