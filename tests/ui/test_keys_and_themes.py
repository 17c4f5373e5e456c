"""Pilot tests of keys: command mode, help, palette, remapping, themes and the engine switcher."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from textual.command import CommandList, CommandPalette
from textual.widgets import DataTable

from tests.ui.conftest import settle, wait_for
from tests.ui.fake_engine import FakeEngine, cid
from tui.app import DockyardApp
from tui.config import Config, load_themes
from tui.keymap import ACTIONS, BY_ID
from tui.screens.dashboard import DashboardScreen
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen


def main(app: DockyardApp) -> MainScreen:
    screen = app.main_screen
    assert screen is not None
    return screen


async def test_command_mode_switches_views_and_quits(make_app: Callable[..., DockyardApp]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("colon", *"images", "enter")
        assert main(app).current_view == "images"
        await pilot.press("colon", *"n", "enter")
        assert main(app).current_view == "networks"
        await pilot.press("colon", *"q", "enter")
        await wait_for(pilot, lambda: not app.is_running)


async def test_help_lists_every_key_and_cpu_definition(
    make_app: Callable[..., DockyardApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = app.screen.query_one("#cpu-note").render()
        assert "online CPUs" in str(text)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


def test_every_action_has_a_unique_id_and_description() -> None:
    ids = [spec.id for spec in ACTIONS]
    assert len(ids) == len(set(ids))
    assert all(spec.description for spec in ACTIONS)


async def test_keymap_from_config_remaps_a_binding(
    make_app: Callable[..., DockyardApp], fake: FakeEngine, isolated_config: Path
) -> None:
    isolated_config.parent.mkdir(parents=True)
    isolated_config.write_text('[keys]\n"containers.stop" = "ctrl+x"\n"no.such" = "z"\n')
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = main(app).containers_table
        table.move_cursor(row=table.get_row_index(cid(1)))
        await pilot.press("x")
        await pilot.press("ctrl+x")
        await wait_for(pilot, lambda: ("stop", cid(1)) in fake.calls)
        assert fake.calls.count(("stop", cid(1))) == 1


async def test_palette_offers_actions_from_the_table(
    make_app: Callable[..., DockyardApp], fake: FakeEngine
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = main(app).containers_table
        table.move_cursor(row=table.get_row_index(cid(4)))  # exited: Start yes, Stop no
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"start")
        options = app.screen.query_one(CommandList)
        await wait_for(
            pilot,
            lambda: (
                options.option_count and "Start (s)" in str(options.get_option_at_index(0).prompt)
            ),
        )
        await pilot.press("enter")
        await wait_for(pilot, lambda: ("start", cid(4)) in fake.calls)


async def test_theme_switch_is_remembered(
    make_app: Callable[..., DockyardApp], isolated_config: Path
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("colon", *"theme fjord", "enter")
        assert app.theme == "fjord"
    assert tomllib.loads(isolated_config.read_text())["ui"]["theme"] == "fjord"
    assert Config.load(isolated_config).theme == "fjord"


def test_builtin_themes_are_data_with_state_variables() -> None:
    from tui.config import BUILTIN_THEMES_DIR

    themes = load_themes(BUILTIN_THEMES_DIR)
    assert len(themes) >= 5
    assert {t.dark for t in themes} == {True, False}
    for theme in themes:
        assert {"state-running", "state-exited", "state-paused"} <= set(theme.variables)


def test_user_themes_load_and_broken_ones_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text(
        'name = "mine"\nprimary = "#123456"\n[variables]\nstate-running = "#00ff00"\n'
    )
    (tmp_path / "broken.toml").write_text("name = ")
    assert [t.name for t in load_themes(tmp_path)] == ["mine"]


def test_tcss_has_no_hex_colours() -> None:
    css = (Path(__file__).resolve().parents[2] / "tui" / "dockyard.tcss").read_text()
    without_ids = re.sub(
        r"#(?![0-9a-fA-F]{3,8}\b)[a-zA-Z][\w-]*", "", css
    )  # "#banner" is a selector, not a colour
    assert not re.search(r"#[0-9a-fA-F]{3,8}\b", without_ids)


async def test_stats_dashboard_sorts(
    make_app: Callable[..., DockyardApp], fake: FakeEngine
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        table = app.screen.query_one("#dashboard-table")
        await wait_for(pilot, lambda: table.row_count == 3)  # type: ignore[attr-defined]
        assert table.get_row_at(0)[0] == "shop-web-1"  # type: ignore[attr-defined]  # highest CPU
        await pilot.press("n")
        assert table.get_row_at(0)[0] == "shop-api-1"  # type: ignore[attr-defined]
        fake.stats_streams[-1].push(fake.stats_batch(step=2))  # cells update in place
        await wait_for(pilot, lambda: table.get_row_at(0)[1].strip() == "8.0")  # type: ignore[attr-defined]
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_engine_switcher_replaces_the_engine(make_app: Callable[..., DockyardApp]) -> None:
    other = FakeEngine(name="other")
    app = make_app(engines=[("fake", FakeEngine), ("other", lambda: other)])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("colon", *"ctx other", "enter")
        await wait_for(pilot, lambda: app.engine is other)
        await settle(pilot)
        assert "other" in str(main(app).header.render())
        await pilot.press("E")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "EnginesScreen")


def test_binding_ids_match_owners() -> None:
    assert BY_ID["containers.stop"].key == "x"
    assert BY_ID["app.help"].key == "question_mark"


@pytest.mark.parametrize("width", [80, 100, 120, 170])
async def test_stats_dashboard_fits_the_width(
    make_app: Callable[..., DockyardApp], fake: FakeEngine, width: int
) -> None:
    app = make_app()
    async with app.run_test(size=(width, 30)) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        table = app.screen.query_one("#dashboard-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 3)
        # Wider numbers arrive after the first paint: the trend column gives them room.
        wider = [
            replace(s, mem_used=s.mem_used * 40, net_rx=s.net_rx * 10**6)
            for s in fake.stats_batch(step=2)
        ]
        fake.stats_streams[-1].push(wider)
        await wait_for(pilot, lambda: "GiB" in str(table.get_row_at(0)))
        await pilot.pause()
        assert table.virtual_size.width <= table.scrollable_content_region.width
        assert table.max_scroll_x == 0
