"""Chart figures: our Line API chart against textual-plotext, one 120x20 chart of a stats series.

Render time per frame (in process, the widget's lines for a new sample) and bytes sent to a
real pty per second while the chart takes a new sample once a second. textual-plotext is
not a dependency: run the `plotext` kind with a Python that has it installed.

    python bench/chart_bench.py              # our chart, the `line` kind
    /path/to/python-with-textual-plotext bench/chart_bench.py plotext
"""

from __future__ import annotations

import argparse
import math
import os
import pty
import select
import statistics
import struct
import sys
import termios
import time
from fcntl import ioctl
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textual.app import App, ComposeResult  # noqa: E402
from textual.geometry import Region  # noqa: E402
from textual.widget import Widget  # noqa: E402

WIDTH, HEIGHT = 120, 20
STEP, WINDOW = 1.0, 300.0  # a sample a second, the default chart window


def cpu_at(n: int) -> float:
    return 30 + 20 * math.sin(n / 9) + 8 * math.sin(n / 2.3)


class ChartApp(App[None]):
    CSS = f"Screen {{ align: left top; }} #chart {{ width: {WIDTH}; height: {HEIGHT}; }}"

    def __init__(self, kind: str) -> None:
        self.kind = kind  # before App.__init__, which reads the theme variables
        super().__init__()
        self.n = int(WINDOW / STEP)

    def get_theme_variable_defaults(self) -> dict[str, str]:
        if self.kind == "plotext":
            return {}
        from tui.config import theme_variable_defaults  # the series colours, as Dockyard has

        return theme_variable_defaults()

    def compose(self) -> ComposeResult:
        if self.kind == "plotext":
            from textual_plotext import PlotextPlot

            yield PlotextPlot(id="chart")
        else:
            from tui.widgets.charts.line_chart import LineChart

            yield LineChart(id="chart")

    def on_mount(self) -> None:
        self.draw()
        if os.environ.get("CHART_BENCH_TICK"):
            self.set_interval(1.0, self.tick)

    def tick(self) -> None:
        self.n += 1
        self.draw()

    def draw(self) -> None:
        chart: Any = self.query_one("#chart")
        samples = range(self.n - int(WINDOW / STEP), self.n + 1)
        times = [n * STEP for n in samples]
        values = [cpu_at(n) for n in samples]
        if self.kind == "plotext":
            plt = chart.plt
            plt.clear_data()
            plt.plot([t - times[-1] for t in times], values, marker="braille")
            plt.xlim(-WINDOW, 0)
            plt.ylim(0, 60)
            plt.title("CPU %")
            chart.refresh()
        else:
            from tui.widgets.charts.metrics import ChartData, Series
            from tui.widgets.charts.scale import Unit

            series = Series("", tuple(times), tuple(values))
            chart.show(ChartData("CPU", Unit.PERCENT, (series,), times[-1], WINDOW))


async def render_times(kind: str, frames: int) -> list[float]:
    app = ChartApp(kind)
    out = []
    async with app.run_test(size=(WIDTH, HEIGHT + 2)) as pilot:
        await pilot.pause()
        chart: Widget = app.query_one("#chart")
        for _ in range(frames):
            # A new sample handed to the widget, then its lines as the compositor asks them.
            start = time.perf_counter()
            app.tick()
            chart.refresh()
            chart.render_lines(Region(0, 0, WIDTH, HEIGHT))
            out.append(1000 * (time.perf_counter() - start))
    return out


def terminal_bytes(kind: str, seconds: float) -> float:
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(TERM="xterm-256color", CHART_BENCH_TICK="1")
        os.execv(sys.executable, [sys.executable, __file__, kind, "--serve"])
    ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", HEIGHT + 4, WIDTH + 10, 0, 0))

    def drain(span: float) -> int:
        total, end = 0, time.monotonic() + span
        while (left := end - time.monotonic()) > 0:
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                try:
                    total += len(os.read(fd, 65536))
                except OSError:
                    break
        return total

    try:
        drain(3.0)  # start-up and the first frame
        return drain(seconds) / seconds / 1024
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(fd)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("kind", nargs="?", default="line", choices=("line", "plotext"))
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        ChartApp(args.kind).run()
        return 0
    import asyncio

    times = asyncio.run(render_times(args.kind, args.frames))
    print(
        f"{args.kind:8} render {statistics.median(times):.2f} ms median, "
        f"{max(times):.2f} ms max per {WIDTH}x{HEIGHT} frame ({args.frames} frames)"
    )
    kib = terminal_bytes(args.kind, args.seconds)
    print(f"{args.kind:8} terminal {kib:.2f} KiB/s, a new sample each second")
    return 0


if __name__ == "__main__":
    sys.exit(main())
