"""What each chart shows, read from the stats history for a time window: series per container."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from tui.widgets.charts.scale import Unit
from tui.widgets.stats_history import StatsHistory


@dataclass(frozen=True, slots=True)
class Series:
    """One line: sample times (seconds since the epoch) and values, oldest first."""

    label: str
    times: tuple[float, ...]
    values: tuple[float, ...]

    @property
    def latest(self) -> float | None:
        return self.values[-1] if self.values else None


@dataclass(frozen=True, slots=True)
class ChartData:
    """Everything one chart draws; equal data draws the same lines, so it is not redrawn."""

    title: str
    unit: Unit
    series: tuple[Series, ...]
    now: float
    window: float
    limit: float | None = None  # a reference line, the memory limit


@dataclass(frozen=True, slots=True)
class Metric:
    key: str
    title: str
    unit: Unit
    fields: tuple[tuple[str, str], ...]  # (history field, label suffix)
    rate: bool  # a cumulative counter, charted per second


METRICS = (
    Metric("cpu", "CPU", Unit.PERCENT, (("cpu_percent", ""),), rate=False),
    Metric("mem", "Memory", Unit.BYTES, (("mem_used", ""),), rate=False),
    Metric("net", "Network", Unit.RATE, (("net_rx", "rx"), ("net_tx", "tx")), rate=True),
    Metric(
        "block",
        "Block I/O",
        Unit.RATE,
        (("block_read", "read"), ("block_write", "write")),
        rate=True,
    ),
)


def newest(history: StatsHistory, ids: Sequence[str]) -> float:
    """The newest sample time among the containers: the right edge of every chart."""
    times = [s.at for cid in ids if (s := history.latest(cid)) is not None]
    return max(times, default=0.0)


def _windowed(times: list[float], values: list[float], start: float) -> Series:
    # One sample before the window keeps the line running in from the left edge.
    first = max(0, bisect.bisect_left(times, start) - 1)
    return Series("", tuple(times[first:]), tuple(values[first:]))


def chart_data(
    history: StatsHistory,
    subjects: Sequence[tuple[str, str]],
    metric: Metric,
    window: float,
    now: float | None = None,
) -> ChartData:
    """The chart of `metric` for (container id, name) `subjects` over the last `window` s."""
    ids = [cid for cid, _ in subjects]
    right = newest(history, ids) if now is None else now
    start = right - window
    series: list[Series] = []
    for cid, name in subjects:
        times = history.series(cid, "at")
        for field, suffix in metric.fields:
            if metric.rate:
                values, at = history.rates(cid, field), times[1:]
            else:
                values, at = history.series(cid, field), times
            part = _windowed(at, values, start)
            label = " ".join(p for p in (name if len(subjects) > 1 else "", suffix) if p)
            series.append(Series(label, part.times, part.values))
    limit = None
    if metric.key == "mem":
        limits = {s.mem_limit for cid in ids if (s := history.latest(cid)) is not None}
        limit = float(limits.pop()) if len(limits) == 1 else None
    return ChartData(metric.title, metric.unit, tuple(series), right, window, limit)
