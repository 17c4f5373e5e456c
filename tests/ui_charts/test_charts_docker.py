"""Stats charts on the real dockerd: a busy and an idle container, charted and compared by keys."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import docker
import pytest
from textual.dom import DOMNode
from textual.pilot import Pilot

from engine_adapters.docker_engine import DockerEngine
from tests.fixtures.docker import TEST_IMAGE, Resources
from tui.app import DockyardApp
from tui.screens.charts import ChartScreen
from tui.screens.main import MainScreen
from tui.widgets.charts.line_chart import LineChart
from tui.widgets.detail.stats_panel import StatsPanel

pytestmark = pytest.mark.docker
# A tenth of a core: busy enough to chart, light on a shared machine.
BUSY = ["sh", "-c", "while true; do :; done"]
IDLE = ["sleep", "3600"]


async def until(pilot: Pilot[None], condition: Callable[[], object], timeout: float = 40.0) -> None:
    """Polls through Pilot with a deadline, so the app keeps running while the test waits."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met in {timeout}s")
        await pilot.pause(0.05)


def chart(root: DOMNode, key: str) -> str:
    return root.query_one(f"#chart-{key}", LineChart).text


def legend_value(text: str, name: str = "") -> float:
    """The percentage the legend shows (after `name` when several are charted; a legend too
    long for one line goes on to the next)."""
    found = re.search(rf"━ {re.escape(name)}\s*([\d.]+)%", text)
    return float(found.group(1)) if found else -1.0


@pytest.fixture
def pair(docker_client: docker.DockerClient, res: Resources) -> tuple[str, str]:
    busy, idle = res.container(f"{res.prefix}-busy"), res.container(f"{res.prefix}-idle")
    docker_client.containers.run(TEST_IMAGE, BUSY, name=busy, detach=True, nano_cpus=10**8)
    docker_client.containers.run(TEST_IMAGE, IDLE, name=idle, detach=True)
    return busy, idle


async def test_a_busy_container_charted_in_the_tab_full_screen_and_beside_an_idle_one(
    engine: DockerEngine, pair: tuple[str, str], res: Resources, tmp_path: Path
) -> None:
    busy, idle = pair
    app = DockyardApp(engine, config_path=tmp_path / "config.toml")
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, MainScreen))
        main = app.screen
        assert isinstance(main, MainScreen)
        await until(pilot, lambda: busy in {c.name for c in main.containers_table.items.values()})
        # Only our two: the filter keeps other tests' containers on this dockerd out.
        await pilot.press("slash", *res.prefix, "enter")
        await until(pilot, lambda: main.containers_table.row_count == 2)
        await until(pilot, lambda: getattr(main.detail.item, "name", None) == busy)

        await pilot.press("tab", "right")
        await until(pilot, lambda: main.detail.active == "tab-stats")
        await pilot.press("tab")
        panel = main.query_one(StatsPanel)
        await until(pilot, lambda: app.focused is panel)
        # Two samples make a CPU reading; the busy loop is held to a tenth of a core.
        await until(pilot, lambda: 3.0 < legend_value(chart(panel, "cpu")) < 30.0)
        cpu = chart(panel, "cpu")
        assert cpu.startswith("CPU (5 min)")
        assert "%┤" in cpu and "└-5m" in cpu
        assert any(0x2800 < ord(c) <= 0x28FF for c in cpu), cpu
        assert "limit " in chart(panel, "mem").splitlines()[0]
        readings = str(panel.query_one(".chart-grid--readings").render())
        assert re.search(r"mem [\d.]+[KMG]iB / [\d.]+[KMG]iB \([\d.]+%\)", readings), readings

        await pilot.press("w")
        await until(pilot, lambda: chart(panel, "cpu").startswith("CPU (15 min)"))
        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, ChartScreen))
        assert chart(app.screen, "cpu").startswith("CPU (15 min)")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is main)

        # Compare: mark both rows (the cursor is on the busy one, the first), chart them.
        await pilot.press("shift+tab", "shift+tab")
        await until(pilot, lambda: app.focused is main.containers_table)
        await pilot.press("space", "space", "H")
        await until(pilot, lambda: isinstance(app.screen, ChartScreen))
        screen = app.screen
        assert isinstance(screen, ChartScreen)
        assert {name for _, name in screen.subjects} == {busy, idle}
        await until(
            pilot,
            lambda: (
                legend_value(chart(screen, "cpu"), busy)
                > legend_value(chart(screen, "cpu"), idle)
                >= 0
            ),
        )
        assert f"━ {busy} rx" in chart(screen, "net")
