"""The Stats tab: live sparklines of CPU, memory, network, block I/O and pids for one container."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Grid, VerticalScroll
from textual.widgets import Label, Sparkline

from tui.widgets.format import human_size
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


class StatsPanel(VerticalScroll):
    DEFAULT_CSS = """
    StatsPanel Grid { grid-size: 3; grid-columns: 10 22 1fr; grid-rows: 1; height: auto; }
    StatsPanel Sparkline { height: 1; }
    StatsPanel .metric-name { color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        yield Label("", id="stats-title")
        with Grid():
            for key, name in METRICS:
                yield Label(name, classes="metric-name")
                yield Label("-", id=f"stats-{key}-value")
                yield Sparkline([], id=f"stats-{key}")

    def show(self, history: StatsHistory, container_id: str | None, name: str = "") -> None:
        sample = history.latest(container_id) if container_id else None
        title = (
            f"{name}: no samples (not running)"
            if sample is None
            else f"{name}: {len(history.samples.get(sample.container_id, ()))} samples"
        )
        self.query_one("#stats-title", Label).update(title)
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
        for key, data in series.items():
            self.query_one(f"#stats-{key}-value", Label).update(values[key])
            self.query_one(f"#stats-{key}", Sparkline).data = data
