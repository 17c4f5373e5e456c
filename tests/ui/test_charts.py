"""Stats charts through the keys a user presses: the Stats tab, full screen, windows, comparing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from tests.ui.conftest import settle, wait_for
from tests.ui.fake_engine import FakeEngine, cid
from tui.app import DockyardApp
from tui.screens.charts import ChartScreen
from tui.screens.main import MainScreen
from tui.widgets.charts.line_chart import LineChart
from tui.widgets.detail.stats_panel import StatsPanel

SAMPLES = 150  # five minutes at the default interval


async def feed(pilot: Pilot[None], fake: FakeEngine, count: int = SAMPLES, first: int = 1) -> None:
    """`count` more samples of every running container, a second apart, as the engine sends;
    the fake's first sample is step 0, so after steps 1 to n a ring holds n + 1."""
    stream = fake.stats_streams[-1]
    for step in range(first, first + count):
        stream.push(fake.stats_batch(step))
    ring = main_of(pilot).stats.samples
    await wait_for(pilot, lambda: len(ring[cid(1)]) == first + count)


def main_of(pilot: Pilot[None]) -> MainScreen:
    app = pilot.app
    assert isinstance(app, DockyardApp) and app.main_screen is not None
    return app.main_screen


def chart_text(root: Any, key: str) -> str:
    chart: LineChart = root.query_one(f"#chart-{key}", LineChart)
    return chart.text


async def open_stats_tab(pilot: Pilot[None]) -> StatsPanel:
    """Tab to the detail tabs, right to Stats, tab into the charts: as a keyboard user does."""
    app = pilot.app
    await pilot.press("tab", "right")
    main = main_of(pilot)
    await wait_for(pilot, lambda: main.detail.active == "tab-stats")
    await pilot.press("tab")
    panel = app.screen.query_one(StatsPanel)
    await wait_for(pilot, lambda: app.focused is panel)
    return panel


async def test_the_stats_tab_charts_with_axes_and_switches_its_window(
    make_app: Callable[..., DockyardApp], fake: FakeEngine
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down")  # from the project's header to shop-api-1
        await feed(pilot, fake)
        panel = await open_stats_tab(pilot)
        cpu = chart_text(panel, "cpu")
        assert cpu.startswith("CPU (5 min)  ━ 6.0%")
        assert "└-5m" in cpu and cpu.rstrip().endswith("now")
        assert any(0x2800 < ord(c) <= 0x28FF for c in cpu)
        assert "shop-api-1: CPU 6.0%  mem 256.0MiB / 2.0GiB (12.5%)  pids 5" in str(
            panel.query_one(".chart-grid--readings").render()
        )
        assert "limit 2.0GiB" in chart_text(panel, "mem")
        assert "KiB/s" in chart_text(panel, "net")

        await pilot.press("w")
        await wait_for(pilot, lambda: chart_text(panel, "cpu").startswith("CPU (15 min)"))
        assert "-15m" in chart_text(panel, "cpu")
        await pilot.press("w")
        await wait_for(pilot, lambda: chart_text(panel, "cpu").startswith("CPU (1 min)"))

        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, ChartScreen))
        assert chart_text(app.screen, "cpu").startswith("CPU (1 min)")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen)


async def test_marked_containers_are_compared_on_one_chart_that_follows_new_samples(
    make_app: Callable[..., DockyardApp], fake: FakeEngine
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await feed(pilot, fake, 10)
        await pilot.press("down", "space", "space", "H")  # mark shop-api-1 and shop-db-1
        await wait_for(pilot, lambda: isinstance(app.screen, ChartScreen))
        screen = app.screen
        assert isinstance(screen, ChartScreen)
        assert [name for _, name in screen.subjects] == ["shop-api-1", "shop-db-1"]
        cpu = chart_text(screen, "cpu")
        assert "━ shop-api-1 " in cpu and "━ shop-db-1 " in cpu
        assert "━ shop-api-1 rx" in chart_text(screen, "net")

        before = chart_text(screen, "cpu")
        await feed(pilot, fake, 40, first=11)
        await wait_for(pilot, lambda: chart_text(screen, "cpu") != before)

        await pilot.press("w")
        await wait_for(
            pilot, lambda: "(last 15 min)" in str(screen.query_one("#charts-title").render())
        )


async def test_charts_of_nothing_say_so(make_app: Callable[..., DockyardApp]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("4", "H")  # the networks view: no container is selected
        await wait_for(
            pilot, lambda: any("Select or mark" in n.message for n in app._notifications)
        )
        assert app.screen is app.main_screen


def test_full_screen_chart_snapshot(
    snap_compare: Any, make_app: Callable[..., DockyardApp], fake: FakeEngine
) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await feed(pilot, fake)
        await pilot.press("down", "H")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ChartScreen))
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(100, 30), run_before=run_before)


def test_stats_tab_snapshot(
    snap_compare: Any, make_app: Callable[..., DockyardApp], fake: FakeEngine
) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await feed(pilot, fake)
        await open_stats_tab(pilot)
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(100, 30), run_before=run_before)
