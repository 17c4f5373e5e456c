"""Opening a compose file from the palette: the prompt, its default, read-only (fake engine)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from tests.ui.fake_engine import FakeEngine
from tests.ui_compose.conftest import BAD_COMPOSE_FILE
from tui.app import DockyardApp
from tui.dialogs.compose import ComposeProblemsDialog
from tui.dialogs.prompt import PromptDialog


async def until(pilot: Pilot[None], condition: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not met before the deadline")
        await pilot.pause(0.05)


def palette_titles(app: DockyardApp) -> list[str]:
    options = app.screen.query_one(OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def open_palette(pilot: Pilot[None], app: DockyardApp, query: str) -> None:
    await until(pilot, lambda: app.main_screen is not None)
    app.action_command_palette()
    await until(pilot, lambda: isinstance(app.screen, CommandPalette))
    await pilot.press(*query)


@pytest.fixture
def in_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    folder = tmp_path / "shop"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


async def test_palette_opens_the_prompt_with_the_folders_compose_file(
    in_folder: Path, tmp_path: Path
) -> None:
    (in_folder / "docker-compose.yml").write_text(BAD_COMPOSE_FILE)
    app = DockyardApp(FakeEngine(), config_path=tmp_path / "config.toml")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_palette(pilot, app, "open compose")
        await until(pilot, lambda: any("Open compose file" in t for t in palette_titles(app)))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, PromptDialog))
        field = app.screen.query_one(Input)
        assert field.value == "./docker-compose.yml"
        await pilot.press("enter")
        # The fake engine is never asked for anything: the file is checked before any call.
        await until(pilot, lambda: isinstance(app.screen, ComposeProblemsDialog))
        text = str(app.screen.query_one("#compose-problems").render())
        assert text.splitlines()[0].startswith("./docker-compose.yml:5: services.web.ports[0]")


async def test_read_only_leaves_open_compose_out_of_the_palette(
    in_folder: Path, tmp_path: Path
) -> None:
    app = DockyardApp(FakeEngine(), read_only=True, config_path=tmp_path / "config.toml")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_palette(pilot, app, "o")
        # Wait for the palette to list what it offers before looking for what it leaves out.
        await until(pilot, lambda: any("Command log" in t for t in palette_titles(app)))
        assert not any("Open compose file" in t for t in palette_titles(app))
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.main_screen)
        app.run_command(":up compose.yaml")
        await until(pilot, lambda: any("Read-only" in str(n.message) for n in app._notifications))
