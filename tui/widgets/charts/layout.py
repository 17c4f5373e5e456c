"""A chart laid out in cells: title and legend, value axis, braille plot, time axis (no Textual)."""

from __future__ import annotations

import itertools
import math
import statistics
from operator import itemgetter

from tui.widgets.charts.braille import DotCanvas
from tui.widgets.charts.metrics import ChartData, Series
from tui.widgets.charts.scale import ago_label, format_value, time_ticks, value_axis, window_label

# Roles name the style of a run of cells; the widget maps them to component classes.
TITLE, AXIS, LABEL, LIMIT, MUTED = "title", "axis", "label", "limit", "muted"
PALETTE_SIZE = 6
# The memory limit is drawn only when it is near the usage: a container without a limit
# would otherwise flatten its line against the host's whole memory.
LIMIT_REACH = 1.5
Segment = tuple[str, str]  # (text, role)
Line = list[Segment]


def series_role(index: int) -> str:
    return f"s{index % PALETTE_SIZE}"


def _runs(cells: list[tuple[str, str]]) -> Line:
    """Neighbouring cells of one role joined, so a line is a few segments, not a cell each."""
    return [
        ("".join(char for char, _ in run), role)
        for role, run in itertools.groupby(cells, key=itemgetter(1))
    ]


def _fit(line: Line, width: int) -> Line:
    out: Line = []
    room = width
    for text, role in line:
        if room <= 0:
            break
        out.append((text[:room], role))
        room -= len(text[:room])
    if room > 0:
        out.append((" " * room, MUTED))
    return out


def title_lines(data: ChartData, width: int, most: int) -> list[Line]:
    """Title, window and limit, then a legend entry per line: on up to `most` lines, so a
    comparison of several containers keeps its names; what still does not fit is cut."""
    limit = f"  limit {format_value(data.limit, data.unit)}" if data.limit else ""
    lines: list[Line] = [
        [(f"{data.title} ", TITLE), (f"({window_label(data.window)}){limit}", MUTED)]
    ]
    used = sum(len(text) for text, _ in lines[0])
    for n, series in enumerate(data.series):
        value = "-" if series.latest is None else format_value(series.latest, data.unit)
        label = f" {series.label}" if series.label else ""
        entry: Line = [("  ━", series_role(n)), (f"{label} {value}", LABEL)]
        size = sum(len(text) for text, _ in entry)
        if used + size > width and len(lines) < most:
            lines.append([])
            entry[0] = ("━", entry[0][1])
            size -= 2
            used = 0
        lines[-1] += entry
        used += size
    return [_fit(line, width) for line in lines]


def gap_after(series: Series) -> float:
    """Samples further apart than this are not joined: the container was not running."""
    steps = [b - a for a, b in zip(series.times, series.times[1:], strict=False)]
    return max(5.0, 3 * statistics.median(steps)) if steps else 5.0


def layout_chart(data: ChartData, width: int, height: int) -> list[Line]:
    """`height` lines of `width` cells; too small a box keeps only the title."""
    lines = title_lines(data, width, 2 if height >= 8 else 1)
    plot_h = height - len(lines) - 1
    peak = max((max(s.values, default=0.0) for s in data.series), default=0.0)
    show_limit = data.limit is not None and peak > 0 and data.limit <= LIMIT_REACH * peak
    if show_limit and data.limit is not None:
        peak = max(peak, data.limit)
    axis = value_axis(peak, data.unit, max(1, min(4, plot_h // 2)))
    label_w = max(len(label) for label in axis.labels)
    plot_w = width - label_w - 1
    if plot_h < 1 or plot_w < 4:
        return (lines + [[(" " * width, MUTED)]] * height)[:height]

    canvas = DotCanvas(plot_w, plot_h)
    # The right edge is `now` rounded up to a whole cell of time, so a sample keeps its dot
    # until the picture moves by a whole cell: between moves only the newest cell changes,
    # not every cell of the chart (a long window moves once in several samples).
    cell_time = data.window / plot_w
    right = math.ceil(data.now / cell_time) * cell_time

    def x_of(t: float) -> float:
        return canvas.dots_x - 1 - (right - t) / cell_time * 2

    def y_of(v: float) -> float:
        return (1 - min(max(v / axis.top, 0.0), 1.0)) * (canvas.dots_y - 1)

    if show_limit and data.limit is not None:
        canvas.dotted_row(round(y_of(data.limit)), -2)
    for n, series in enumerate(data.series):
        gap = gap_after(series)
        points: list[tuple[float, float] | None] = []
        for i, (t, v) in enumerate(zip(series.times, series.values, strict=True)):
            if i and t - series.times[i - 1] > gap:
                points.append(None)
            points.append((x_of(t), y_of(v)))
        canvas.polyline(points, n)

    tick_rows: dict[int, str] = {}
    for tick, label in zip(axis.ticks, axis.labels, strict=True):
        tick_rows.setdefault(round(y_of(tick)) // 4, label)
    empty = not any(s.values for s in data.series)
    for row, cells in enumerate(canvas.rows()):
        mark = tick_rows.get(row)
        line: Line = [((mark or "").rjust(label_w), LABEL), ("┤" if mark else "│", AXIS)]
        plot = [
            (char, MUTED if owner == -1 else LIMIT if owner == -2 else series_role(owner))
            for char, owner in cells
        ]
        if empty and row == plot_h // 2:
            note = "no samples"[:plot_w]
            at = (plot_w - len(note)) // 2
            plot[at : at + len(note)] = [(c, MUTED) for c in note]
        lines.append(line + _runs(plot))
    lines.append(time_axis(data.window, label_w, plot_w))
    return lines


def time_axis(window: float, label_w: int, plot_w: int) -> Line:
    """`└──-4m──-3m──…──now`: labels end at their tick; one that would overlap is dropped."""
    cells = [("─", AXIS)] * plot_w
    taken = -2  # where the last label ended; the next starts a cell further at least
    for ago in time_ticks(window):
        text = ago_label(ago)
        col = round((window - ago) / window * (plot_w - 1))
        start = min(max(0, col - len(text) + 1), plot_w - len(text))
        if start <= taken or start < 0:
            continue
        cells[start : start + len(text)] = [(c, LABEL) for c in text]
        taken = start + len(text)
    return [(" " * label_w, MUTED), ("└", AXIS), *_runs(cells)]
