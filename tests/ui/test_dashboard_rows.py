"""The stats dashboard of many containers (a fleet's): each tick computes the rows on screen."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
from rich.text import Text

from tests.ui.conftest import wait_for
from tests.ui.fake_engine import FakeEngine, cid
from tests.ui.test_table_rows import make_container
from tui.app import DockyardApp
from tui.screens import dashboard
from tui.screens.dashboard import DashboardScreen
from tui.screens.main import MainScreen
from tui.widgets.views.cell_table import CellTable


async def test_a_tick_draws_trends_for_the_rows_on_screen_and_the_others_once_scrolled_to(
    make_app: Callable[..., DockyardApp], fake: FakeEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(10, 130):
        fake._containers[cid(n)] = make_container(n, f"svc-{n}")
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
        main = app.screen
        assert isinstance(main, MainScreen)
        await wait_for(pilot, lambda: main.stats.samples and main.hidden_mounted.is_set())
        await pilot.press("S")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        table = screen.query_one(CellTable)
        running = len(fake.stats_batch())
        await wait_for(pilot, lambda: table.row_count == running)
        drawn: list[int] = []
        trend = dashboard.trend

        def counting(column: Sequence[float], count: int, size: int, width: int) -> Text:
            drawn.append(1)
            return trend(column, count, size, width)

        monkeypatch.setattr(dashboard, "trend", counting)
        last = screen._order[-1]
        before: Any = screen._cells[last]
        fake.stats_streams[-1].push(fake.stats_batch(step=3))
        await wait_for(pilot, lambda: drawn)
        await pilot.pause()
        assert 0 < len(drawn) < running
        assert screen._cells[last] == before  # below the screen: not computed yet
        assert last in screen._stale

        table.move_cursor(row=running - 1)  # to the bottom, as a person scrolls there
        await wait_for(pilot, lambda: last not in screen._stale)
        assert screen._cells[last] != before
