"""Chart logic without Textual: tick steps, units, braille packing, layout, the trend line."""

from __future__ import annotations

from array import array

import pytest

from engine_adapters.models import StatsSample
from tui.screens.dashboard import trend
from tui.widgets.charts.braille import DotCanvas, braille_trend
from tui.widgets.charts.chart_grid import readings
from tui.widgets.charts.layout import layout_chart, time_axis
from tui.widgets.charts.metrics import METRICS, ChartData, Series, chart_data
from tui.widgets.charts.scale import (
    Unit,
    ago_label,
    format_value,
    nice_step,
    time_ticks,
    value_axis,
)
from tui.widgets.detail.stats_panel import next_window
from tui.widgets.stats_history import StatsHistory

MiB = 2**20


def text(lines: list[list[tuple[str, str]]]) -> list[str]:
    return ["".join(part for part, _ in line) for line in lines]


@pytest.mark.parametrize(
    ("span", "count", "step"),
    [(100, 5, 20), (9.0, 4, 5), (0.7, 3, 0.5), (320, 4, 100), (1, 1, 1), (0, 3, 1)],
)
def test_tick_steps_are_one_two_or_five_times_a_power_of_ten(
    span: float, count: int, step: float
) -> None:
    assert nice_step(span, count) == pytest.approx(step)


def test_a_percent_axis_ends_on_the_first_round_tick_above_the_peak() -> None:
    axis = value_axis(43.0, Unit.PERCENT, 4)
    assert axis.ticks == (0, 20, 40, 60)
    assert axis.labels == ("0", "20%", "40%", "60%")
    assert axis.top == 60


def test_a_byte_axis_counts_in_the_unit_of_its_peak() -> None:
    axis = value_axis(320 * 1024, Unit.BYTES, 4)
    assert axis.labels == ("0", "100KiB", "200KiB", "300KiB", "400KiB")
    rate = value_axis(2.5 * MiB, Unit.RATE, 2)
    assert rate.labels == ("0", "2MiB/s", "4MiB/s")


def test_an_idle_series_still_has_an_axis_and_no_half_bytes() -> None:
    assert value_axis(0, Unit.RATE, 4).labels == ("0", "1B/s")
    assert value_axis(0, Unit.PERCENT, 2).labels == ("0", "0.5%", "1%")


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (12.345, Unit.PERCENT, "12.3%"),
        (320 * 1024, Unit.BYTES, "320.0KiB"),
        (23.5 * 2**30, Unit.BYTES, "23.5GiB"),
        (1.25 * MiB, Unit.RATE, "1.2MiB/s"),
        (512, Unit.RATE, "512B/s"),
    ],
)
def test_values_read_in_binary_units(value: float, unit: Unit, shown: str) -> None:
    assert format_value(value, unit) == shown


def test_time_labels_for_each_window() -> None:
    assert [ago_label(t) for t in time_ticks(60)] == ["-1m", "-45s", "-30s", "-15s", "now"]
    assert [ago_label(t) for t in time_ticks(300)] == ["-5m", "-4m", "-3m", "-2m", "-1m", "now"]
    assert [ago_label(t) for t in time_ticks(900)] == ["-15m", "-10m", "-5m", "now"]
    assert [next_window(w) for w in (60, 300, 900)] == [300, 900, 60]


def test_braille_dots_are_packed_as_unicode_numbers_them() -> None:
    canvas = DotCanvas(1, 1)
    canvas.dot(0, 0, 0)  # dot 1
    canvas.dot(1, 3, 0)  # dot 8
    assert canvas.rows() == [[(chr(0x2800 + 0x01 + 0x80), 0)]]
    canvas = DotCanvas(2, 1)
    for y in range(4):
        canvas.dot(0, y, 1)
    assert canvas.rows()[0] == [("⡇", 1), (" ", -1)]


def test_a_line_has_no_holes_between_far_apart_points() -> None:
    canvas = DotCanvas(4, 2)
    canvas.polyline([(0, 7), (7, 0)], 0)
    # Every dot column is touched once the line is drawn: no column is skipped.
    columns = {x for x in range(8) for y in range(8) if _lit(canvas, x, y)}
    assert columns == set(range(8))
    # A vertical jump inside one column is a solid stroke, not two dots.
    steep = DotCanvas(1, 2)
    steep.polyline([(0, 0), (0, 7)], 0)
    assert all(_lit(steep, 0, y) for y in range(8))


def test_a_none_point_breaks_the_line() -> None:
    canvas = DotCanvas(4, 1)
    canvas.polyline([(0, 3), (1, 3), None, (6, 3), (7, 3)], 0)
    lit = [_lit(canvas, x, 3) for x in range(8)]
    assert lit == [True, True, False, False, False, False, True, True]


def _lit(canvas: DotCanvas, x: int, y: int) -> bool:
    from tui.widgets.charts.braille import DOT_BITS

    return bool(canvas.bits[y >> 2][x >> 1] & DOT_BITS[y & 3][x & 1])


def test_the_trend_grows_from_the_right_and_keeps_its_cells_between_samples() -> None:
    assert braille_trend([], 3) == "   "
    assert braille_trend([5.0], 3, odd=True) == "  ⠁"
    assert braille_trend([5.0, 5.0], 3) == "  ⠉"
    # With an odd count the newest sample opens the last cell: the older cells keep their
    # pairs, so the frame before (an even count) differs only in that last cell.
    before = braille_trend([1, 2, 3, 4], 3, floor=4)
    after = braille_trend([1, 2, 3, 4, 4], 3, floor=4, odd=True)
    assert before[1:] == after[:2]
    assert braille_trend([0.01, 0.02], 1, floor=1.0) == "⣀"  # idle noise stays flat
    assert braille_trend([0.0, 0.0, 0.0, 0.0], 2) == "  "  # an idle row stays blank
    assert braille_trend([0.0, 0.0, 0.0, 8.0], 2) == " ⣸"  # a rise starts from the floor


def test_the_dashboard_trend_reads_the_newest_samples_of_a_ring() -> None:
    column = array("d", [1, 2, 3, 4])  # a full ring of 4; the newest (count 6) is in slot 1
    column[0], column[1] = 5, 6
    assert trend(column, 6, 4, 2).plain == braille_trend([3, 4, 5, 6], 2, 1.0)


def _history(cpu: list[float], step: float = 2.0, start: float = 1000.0) -> StatsHistory:
    history = StatsHistory()
    for n, value in enumerate(cpu):
        history.add(
            [
                StatsSample(
                    "a", start + step * n, value, 320 * 1024, 23 * 2**30, 4096 * n, 0, 0, 0, 3
                )
            ]
        )
    return history


def test_a_chart_has_a_value_axis_a_time_axis_and_its_line() -> None:
    history = _history([10, 20, 30, 40, 50] * 30)
    data = chart_data(history, [("a", "web")], METRICS[0], 300.0)
    lines = text(layout_chart(data, 60, 10))
    assert len(lines) == 10 and all(len(line) == 60 for line in lines)
    assert lines[0].startswith("CPU (5 min)  ━ 50.0%")
    assert lines[1].startswith("60%┤")
    assert lines[-2].startswith("  0┤")
    assert lines[-1].startswith("   └-5m") and lines[-1].endswith("now")
    assert any(0x2800 < ord(c) <= 0x28FF for line in lines[1:-1] for c in line)


def test_the_window_keeps_only_its_samples() -> None:
    history = _history([90.0] * 100 + [10.0] * 31)  # 90 % long ago, 10 % in the last minute
    one = chart_data(history, [("a", "web")], METRICS[0], 60.0)
    # The minute's 31 samples, and the one before it, so the line enters from the edge.
    assert one.series[0].values == (90.0,) + (10.0,) * 31
    assert max(chart_data(history, [("a", "web")], METRICS[0], 900.0).series[0].values) == 90


def test_network_is_charted_per_second_for_each_container() -> None:
    history = _history([1.0] * 10)
    history.add([StatsSample("b", 1000.0, 1, 0, 1, 0, 0, 0, 0, 1)])
    data = chart_data(history, [("a", "web"), ("b", "db")], METRICS[2], 60.0)
    assert [s.label for s in data.series] == ["web rx", "web tx", "db rx", "db tx"]
    assert set(data.series[0].values) == {2048.0}  # 4096 bytes every 2 s


def test_the_memory_limit_is_drawn_only_near_the_usage() -> None:
    far = ChartData(
        "Memory", Unit.BYTES, (Series("", (0.0, 1.0), (1.0 * MiB, 1.0 * MiB)),), 1, 60, 8 * 2**30
    )
    near = ChartData(
        "Memory", Unit.BYTES, (Series("", (0.0, 1.0), (3.0 * MiB, 3.0 * MiB)),), 1, 60, 4 * MiB
    )
    assert "limit 8.0GiB" in text(layout_chart(far, 60, 8))[0]
    assert all(role != "limit" for line in layout_chart(far, 60, 8) for _, role in line)
    assert any(role == "limit" for line in layout_chart(near, 60, 8) for _, role in line)
    assert text(layout_chart(near, 60, 8))[1].startswith("4MiB┤")


def test_a_gap_in_the_samples_is_not_bridged_and_no_samples_is_said() -> None:
    series = Series("", (0.0, 2.0, 4.0, 60.0, 62.0), (50.0, 50.0, 50.0, 50.0, 50.0))
    data = ChartData("CPU", Unit.PERCENT, (series,), 62.0, 62.0)
    row = text(layout_chart(data, 40, 6))[1]
    plot = row[row.index("┤") + 1 :]
    assert plot.strip() != plot.strip().replace(" ", "")  # blank cells inside the line
    empty = ChartData("CPU", Unit.PERCENT, (Series("", (), ()),), 0.0, 60.0)
    assert any("no samples" in line for line in text(layout_chart(empty, 40, 6)))


def test_a_comparison_legend_wraps_to_a_second_line() -> None:
    series = tuple(Series(name, (0.0,), (1.0,)) for name in ("web-1", "api-1", "db-1", "cache-1"))
    lines = text(layout_chart(ChartData("CPU", Unit.PERCENT, series, 0.0, 60.0), 50, 10))
    assert "web-1" in lines[0] and "cache-1" in lines[1]
    assert "┤" in lines[2]  # the plot starts under the two legend lines


def test_time_axis_labels_do_not_overlap() -> None:
    line = "".join(t for t, _ in time_axis(900, 2, 12))
    assert line.startswith("  └") and line.endswith("now")
    assert "-15m" in line and "-10m" not in line  # no room for more than two labels


def test_too_small_a_box_keeps_the_title_only() -> None:
    data = ChartData("CPU", Unit.PERCENT, (Series("", (0.0,), (1.0,)),), 0.0, 60.0)
    lines = text(layout_chart(data, 20, 2))
    assert len(lines) == 2 and lines[0].startswith("CPU") and not lines[1].strip()


def test_readings_show_memory_whole_with_its_limit() -> None:
    history = _history([1.5])
    assert readings(history, [("a", "web")]) == (
        "web: CPU 1.5%  mem 320.0KiB / 23.0GiB (0.0%)  pids 3"
    )
    assert "not running" in readings(history, [("zz", "gone")])


def test_history_keeps_fifteen_minutes_at_the_default_interval_without_growing() -> None:
    history = _history([1.0] * 1000, step=2.0)
    ring = history.samples["a"]
    assert ring.size == 450 and len(ring) == 450
    times = history.series("a", "at")
    assert times[-1] - times[0] == 898.0


def test_history_grows_to_keep_fifteen_minutes_of_a_faster_interval() -> None:
    history = _history([float(n) for n in range(2000)], step=1.0)
    ring = history.samples["a"]
    assert ring.size == 900  # a sample a second: the most a ring holds
    assert history.series("a", "cpu_percent") == [float(n) for n in range(1100, 2000)]
    latest = history.latest("a")
    assert latest is not None and latest.cpu_percent == 1999.0
