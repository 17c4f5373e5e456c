"""What the Fleet view costs: one stats stream and one events stream per engine (the other
views' engine included), one redraw per tick of all the engines' samples."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.worker import WorkerState

from engine_adapters.discovery import EngineTarget
from engine_adapters.errors import EngineUnavailable
from engine_adapters.fleet import FleetEngine, FleetMember
from engine_adapters.models import ContainerState, StatsSample
from tests.ui.conftest import wait_for
from tests.ui.fake_engine import NOW, FakeEngine, cid
from tests.ui.test_table_rows import make_container
from tui.app import DockyardApp
from tui.screens.main import MainScreen
from tui.widgets.bars.key_bar import KeyBar


def fleet_of(*engines: tuple[str, FakeEngine]) -> list[FleetEngine]:
    return [
        FleetEngine(FleetMember(label, EngineTarget(label, f"unix:///{label}.sock", "url")), e)
        for label, e in engines
    ]


def two_engines(near: FakeEngine, far: FakeEngine, config: Path) -> DockyardApp:
    """A fleet whose first engine (`near`) is also the other views' engine."""
    app = DockyardApp(near, config_path=config, fleet=fleet_of(("near", near), ("far", far)))
    app.clock = lambda: NOW
    return app


def at_step(engine: FakeEngine, step: int) -> list[StatsSample]:
    return engine.stats_batch(step)


def step_of(sample: StatsSample | None) -> float | None:
    return None if sample is None else sample.at - NOW.timestamp()


async def fleet_app(
    pilot: Pilot[None], near: FakeEngine, far: FakeEngine
) -> tuple[MainScreen, str, str]:
    """The main screen once both engines are listed and streamed; a running container of each."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
    screen = app.screen
    assert isinstance(screen, MainScreen)
    await wait_for(pilot, lambda: screen.current_view == "fleet")
    table = screen.fleet_table
    listed = len(near._containers) + len(far._containers)
    await wait_for(pilot, lambda: len(table.items) == listed)
    await wait_for(pilot, lambda: near.stats_streams and far.stats_streams)
    mine = next(s.container_id for s in near.stats_batch())
    theirs = next(s.container_id for s in far.stats_batch())
    await wait_for(pilot, lambda: screen.fleet_feed.stats.latest(mine))
    return screen, mine, theirs


async def a_few_frames(pilot: Pilot[None]) -> None:
    """Time for a second stream to open, if the app were to open one."""
    for _ in range(5):
        await pilot.pause(0.02)


@pytest.fixture
def far() -> FakeEngine:
    other = FakeEngine("far")
    other._containers = {cid(n): make_container(n, f"far-{n}") for n in range(60, 70)}
    return other


async def test_the_other_views_engine_is_sampled_by_one_stream_for_both_stores(
    fake: FakeEngine, far: FakeEngine, isolated_config: Path
) -> None:
    app = two_engines(fake, far, isolated_config)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, mine, _ = await fleet_app(pilot, fake, far)
        await wait_for(pilot, lambda: screen.containers_table.row_count > 0)
        await wait_for(pilot, lambda: screen.stats.latest(mine))
        await a_few_frames(pilot)
        assert len(fake.stats_streams) == 1, "the fleet's stream, not a second of the list's"

        fake.stats_streams[0].push(at_step(fake, 3))
        expected = next(s for s in at_step(fake, 3) if s.container_id == mine).cpu_percent
        for store in (screen.stats, screen.fleet_feed.stats):
            await wait_for(pilot, lambda store=store: store.latest(mine).cpu_percent == expected)


async def test_an_engines_first_samples_stay_when_another_engines_list_comes_in_after(
    fake: FakeEngine, far: FakeEngine, isolated_config: Path
) -> None:
    """The engines' workers run apart: one's first batch may be in the store before the
    screen has taken its list, while another engine's list is handled."""
    app = two_engines(fake, far, isolated_config)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, mine, theirs = await fleet_app(pilot, fake, far)
        stats = screen.fleet_feed.stats
        await wait_for(pilot, lambda: stats.latest(theirs))
        assert {s.container_id for s in far.stats_batch()} <= stats.samples.keys()
        assert mine in stats.samples


async def test_two_engines_samples_of_one_tick_redraw_the_fleet_list_once(
    fake: FakeEngine, far: FakeEngine, isolated_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = two_engines(fake, far, isolated_config)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, mine, theirs = await fleet_app(pilot, fake, far)
        feed = screen.fleet_feed
        for _ in range(10):  # the first samples' update is done
            await pilot.pause(0.02)
        redraws: list[int] = []
        updated = feed.stats_updated
        monkeypatch.setattr(feed, "stats_updated", lambda: (redraws.append(1), updated()))

        # As engines read in threads of their own: a few ms apart within the same tick.
        for stream in fake.stats_streams:
            stream.push(at_step(fake, 3))
        await pilot.pause(0.03)
        far.stats_streams[-1].push(at_step(far, 3))
        stats = feed.stats
        for key in (mine, theirs):
            await wait_for(pilot, lambda key=key: step_of(stats.latest(key)) == 3)
        await wait_for(pilot, lambda: redraws)
        for _ in range(10):
            await pilot.pause(0.03)
        assert len(redraws) == 1


async def test_h_charts_marked_containers_of_two_engines_on_one_screen(
    fake: FakeEngine, far: FakeEngine, isolated_config: Path
) -> None:
    from tui.screens.charts import ChartScreen

    app = two_engines(fake, far, isolated_config)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, mine, theirs = await fleet_app(pilot, fake, far)
        await wait_for(pilot, lambda: screen.fleet_feed.stats.latest(theirs))
        table = screen.fleet_table
        for container_id in (mine, theirs):
            table.move_cursor(row=table.get_row_index(container_id))
            await pilot.press("space")
        await pilot.press("H")
        await wait_for(pilot, lambda: isinstance(app.screen, ChartScreen))
        charts = app.screen
        assert isinstance(charts, ChartScreen)
        names = dict(charts.subjects)
        assert names[mine] == f"near/{fake._containers[mine].name}"
        assert names[theirs] == f"far/{far._containers[theirs].name}"
        assert charts.stats is screen.fleet_feed.stats  # both engines' samples


async def test_the_other_views_engine_is_followed_by_one_events_stream_for_both_lists(
    fake: FakeEngine, far: FakeEngine, isolated_config: Path
) -> None:
    app = two_engines(fake, far, isolated_config)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, _, _ = await fleet_app(pilot, fake, far)
        await wait_for(
            pilot,
            lambda: any(
                w.group == "events" and w.state == WorkerState.RUNNING for w in screen.workers
            ),
        )
        await a_few_frames(pilot)
        assert len(fake.event_streams) == 1, "the fleet's stream, not a second of the list's"

        started = make_container(50, "started-elsewhere")
        fake.add_container(started)
        await wait_for(
            pilot,
            lambda: (
                started.id in screen.containers_table.items
                and started.id in screen.fleet_table.items
            ),
        )

        # The stream failing reaches both: the list's banner, and the engine's rows in the fleet.
        fake.available = False
        fake.event_streams[0].fail(EngineUnavailable("Cannot connect to the fake engine"))
        await wait_for(pilot, lambda: screen.banner.display and screen.fleet_table.is_down("near"))
        assert not screen.fleet_table.is_down("far")


async def test_the_key_bar_follows_the_cursor_across_an_engines_status_row(
    fake: FakeEngine, far: FakeEngine, isolated_config: Path
) -> None:
    """The hints are read again a frame after the cursor moves, and still every time."""
    app = two_engines(fake, far, isolated_config)
    async with app.run_test(size=(160, 40)) as pilot:
        screen, _, _ = await fleet_app(pilot, fake, far)
        table, bar = screen.fleet_table, screen.query_one(KeyBar)
        verbs = {"Start", "Stop"}

        def hints() -> set[str]:
            return {hint.description for hint in bar.hints}

        assert table.current_engine == "near" and table.current is None  # its status row
        await wait_for(pilot, lambda: not verbs & hints())
        for _ in range(2):
            await pilot.press("j")
            container = table.current
            assert container is not None
            verb = "Stop" if container.state == ContainerState.RUNNING else "Start"
            await wait_for(pilot, lambda verb=verb: verb in hints())
            await pilot.press("k")
            await wait_for(pilot, lambda: not verbs & hints())
