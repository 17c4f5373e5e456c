"""The first frame: a list read before the UI is in it; what it leaves out comes right after."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

import pytest
from textual.widgets import Input

from tests.ui.conftest import wait_for
from tests.ui.fake_engine import NOW, FakeEngine
from tui.app import DockyardApp
from tui.screens.main import MainScreen
from tui.widgets.views.containers_table import ContainersTable


def main(app: DockyardApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


async def test_a_list_read_before_start_is_in_the_first_frame(
    fake: FakeEngine, isolated_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    painted: list[tuple[int, bool]] = []
    first_painted = MainScreen.on_containers_table_first_painted

    async def record(screen: MainScreen) -> None:
        painted.append((screen.containers_table.row_count, screen.hidden_mounted.is_set()))
        await first_painted(screen)

    monkeypatch.setattr(MainScreen, "on_containers_table_first_painted", record)
    containers = await fake.containers()
    app = DockyardApp(fake, config_path=isolated_config, containers=containers)
    app.clock = lambda: NOW
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: painted)
        # Rows, header rows of the compose projects included, before any other widget mounted.
        assert painted[0][0] >= len(containers)
        assert painted[0][1] is False
        await wait_for(pilot, lambda: main(app).hidden_mounted.is_set())
        await wait_for(pilot, lambda: main(app).images_table.row_count > 0)
        assert main(app).detail.tabs_mounted


async def test_keys_pressed_before_the_rest_is_mounted_take_effect(
    fake: FakeEngine, isolated_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def not_yet(screen: MainScreen) -> None:
        pass

    # The rest is mounted when this test says so, not after the first frame.
    monkeypatch.setattr(MainScreen, "on_containers_table_first_painted", not_yet)
    monkeypatch.setattr("tui.screens.main.MOUNT_HIDDEN_LATEST", 600.0)
    app = DockyardApp(fake, config_path=isolated_config)
    app.clock = lambda: NOW
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
        screen = main(app)
        await wait_for(pilot, lambda: screen.containers_table.row_count > 0)
        assert not screen.hidden_mounted.is_set()
        # Typed at once, as a fast typist (or a script) does: they wait for the views to be
        # mounted, then all take effect, in order.
        asyncio.get_running_loop().call_later(0.3, lambda: asyncio.ensure_future(mount()))
        mounted_at: list[bool] = []

        async def mount() -> None:
            mounted_at.append(True)
            await screen.mount_hidden()

        await pilot.press("2", "slash", "a", "b")
        assert mounted_at
        await wait_for(pilot, lambda: screen.current_view == "images")
        assert screen.images_table.display
        assert not screen.query_one(ContainersTable).display
        assert screen.query_one("#filter", Input).value == "ab"


async def test_the_collector_comes_back_once_the_screen_is_up(
    fake: FakeEngine, isolated_config: Path
) -> None:
    """run_ui starts without the cyclic collector; the main screen turns it back on."""
    app = DockyardApp(fake, config_path=isolated_config)
    gc.disable()
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
            await wait_for(pilot, lambda: main(app).hidden_mounted.is_set())
            assert gc.isenabled()
            assert gc.get_freeze_count() > 0  # start-up's objects are left out of collections
    finally:
        gc.unfreeze()
        gc.enable()
