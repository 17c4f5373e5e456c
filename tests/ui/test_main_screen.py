"""Pilot tests of the main screen: views, filter, live updates, errors and reconnects."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from textual import events
from textual.widgets import Input, Static

from engine_adapters.errors import Conflict, EngineUnavailable
from engine_adapters.models import Container, ContainerState, Image
from tests.ui.conftest import settle, wait_for
from tests.ui.fake_engine import NOW, FakeEngine, cid
from tui.app import DockyardApp
from tui.screens.main import MainScreen
from tui.widgets.views.containers_table import GROUP_PREFIX


def main(app: DockyardApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


async def test_number_keys_switch_views(make_app: Callable[..., DockyardApp]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = main(app)
        for key, view in (
            ("2", "images"),
            ("3", "volumes"),
            ("4", "networks"),
            ("1", "containers"),
        ):
            await pilot.press(key)
            assert screen.current_view == view
            assert screen.query_one("#views").current == f"{view}-table"  # type: ignore[attr-defined]
            assert app.focused is screen.table(view)
        assert screen.images_table.row_count == 6


async def test_containers_grouped_by_compose_project(make_app: Callable[..., DockyardApp]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = main(app).containers_table
        assert table._order[0] == GROUP_PREFIX + "shop"
        assert table._order[1:4] == [cid(2), cid(3), cid(1)]  # api, db, web by name
        assert str(table.get_cell(cid(4), "uptime")) == "Exited (1) 2h0m ago"


async def test_filter_narrows_rows_and_escape_clears(make_app: Callable[..., DockyardApp]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = main(app).containers_table
        await pilot.press("slash", *"cache")
        assert table.row_count == 1
        assert table.current_key == cid(5)
        await pilot.press("escape")
        assert table.row_count == 7


async def test_image_sort_cycles(make_app: Callable[..., DockyardApp]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        table = main(app).images_table
        assert table.get_row_at(0)[1] == "postgres:16"  # biggest first
        await pilot.press("o")  # by date, newest first
        assert table.get_row_at(0)[1] in ("shop-api:latest", "shop-web:latest")
        await pilot.press("o")  # by name
        assert table.get_row_at(0)[1] == "<none>:<none>"


async def test_container_started_elsewhere_shows_up(
    make_app: Callable[..., DockyardApp], fake: FakeEngine
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = main(app).containers_table
        fake.add_container(
            Container(
                cid(42),
                "from-cli",
                "x:1",
                "sha256:" + "e" * 64,
                "sh",
                ContainerState.RUNNING,
                "Up",
                NOW,
                started_at=NOW,
            )
        )
        await wait_for(pilot, lambda: cid(42) in table._order, timeout=1.0)


async def test_a_container_event_rereads_the_lists_it_changes_in_one_pass(
    make_app: Callable[..., DockyardApp], fake: FakeEngine
) -> None:
    """A container's start changes the containers, volumes and networks lists: the engine
    is asked for them together (one container list), not once per list."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = main(app).containers_table
        fake.list_passes.clear()
        image, running = "sha256:" + "e" * 64, ContainerState.RUNNING
        started = Container(cid(43), "evented", "x:1", image, "sh", running, "Up", NOW)
        fake.add_container(started)
        await wait_for(pilot, lambda: cid(43) in table._order, timeout=1.0)
        assert fake.list_passes == [frozenset({"containers", "volumes", "networks"})]


async def test_stats_fill_cpu_and_memory_cells(
    make_app: Callable[..., DockyardApp], fake: FakeEngine
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = main(app).containers_table
        await wait_for(pilot, lambda: str(table.get_cell(cid(1), "cpu")).strip() != "-")
        assert "MiB" in str(table.get_cell(cid(1), "mem"))
        fake.stats_streams[-1].push(fake.stats_batch(step=3))
        await wait_for(pilot, lambda: len(main(app).stats.samples[cid(1)]) == 2)
        assert str(table.get_cell(cid(4), "cpu")) == "-"  # exited: no sample


async def test_engine_error_becomes_notification(
    make_app: Callable[..., DockyardApp], fake: FakeEngine
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = main(app).containers_table
        table.move_cursor(row=table.get_row_index(cid(1)))
        fake.fail_next = Conflict("container is busy")
        await pilot.press("x")
        await wait_for(
            pilot, lambda: any("container is busy" in n.message for n in app._notifications)
        )
        assert app.command_log[-1].ok is False


async def test_lost_engine_shows_banner_then_reconnects(
    make_app: Callable[..., DockyardApp], fake: FakeEngine
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = main(app)
        fake.available = False
        fake.event_streams[-1].fail(EngineUnavailable("Cannot connect to the fake engine"))
        await wait_for(pilot, lambda: screen.banner.display)
        assert screen.header.connected is False
        fake.available = True
        await wait_for(pilot, lambda: not screen.banner.display, timeout=5)
        assert screen.header.connected is True


async def test_header_shows_engine_and_counts(make_app: Callable[..., DockyardApp]) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        text = str(main(app).header.render())
        assert "fake" in text and "20.10.99" in text and "3/6 up" in text
        assert "READ-ONLY" in text


async def test_a_count_not_yet_listed_shows_as_unknown_not_zero(
    fake: FakeEngine, make_app: Callable[..., DockyardApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An engine slow to list its images: the header and the tab say "…" until they come."""
    images_listed = asyncio.Event()
    list_images = fake.images

    async def slow_images() -> list[Image]:
        await images_listed.wait()
        return await list_images()

    monkeypatch.setattr(fake, "images", slow_images)
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        screen = main(app)
        await wait_for(pilot, lambda: "20.10.99" in str(screen.header.render()))
        assert "3/6 up · … img · … vol · … net" in str(screen.header.render())
        assert "Images (…)" in str(screen.query_one("#view-tabs", Static).content)
        images_listed.set()
        total = len(await list_images())
        await wait_for(pilot, lambda: f"{total} img" in str(screen.header.render()))
        assert f"Images ({total})" in str(screen.query_one("#view-tabs", Static).content)


async def test_keys_typed_in_a_burst_after_slash_land_in_the_filter(
    make_app: Callable[..., DockyardApp],
) -> None:
    """Over SSH or from tmux, `/` and the pattern arrive together; none may reach the table."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for key, char in [("slash", "/"), *((c, c) for c in "cache")]:
            app.post_message(events.Key(key, char))
        table = main(app).containers_table
        await wait_for(pilot, lambda: table.filter_text == "cache")
        assert table.row_count == 1


@pytest.mark.parametrize("opener", [("slash", "/"), ("colon", ":")])
async def test_a_key_typed_just_before_an_input_opens_is_handled_first(
    make_app: Callable[..., DockyardApp], opener: tuple[str, str]
) -> None:
    """`2/` in one read: the view switches to images, then the filter opens on it."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = main(app)
        for key, char in [("2", "2"), opener, ("x", "x")]:
            app.post_message(events.Key(key, char))
        await wait_for(pilot, lambda: screen.current_view == "images")
        await wait_for(pilot, lambda: isinstance(screen.focused, Input) and screen.focused.value)
        assert screen.images_table.display and not screen.containers_table.display
        assert screen.focused.value == "x"  # type: ignore[union-attr]
