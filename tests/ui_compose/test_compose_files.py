"""Several compose files from the UI's prompt, picked as the CLI picks them (fake engine: the
files are checked before any engine call, so a problem proves which files were read)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input

from tests.ui.fake_engine import FakeEngine
from tests.ui_compose.test_open_compose import until
from tui.app import DockyardApp
from tui.dialogs.compose import ComposeProblemsDialog
from tui.dialogs.prompt import PromptDialog
from tui.screens.compose import chosen_files, split_paths

GOOD = "services:\n  web:\n    image: x\n"
BAD_OVERRIDE = "services:\n  web:\n    ports: [nope]\n"


@pytest.fixture
def in_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("COMPOSE_FILE", raising=False)
    monkeypatch.delenv("COMPOSE_PATH_SEPARATOR", raising=False)
    folder = tmp_path / "shop"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def test_paths_split_on_commas_and_the_path_separator(in_folder: Path) -> None:
    assert split_paths(f" a.yaml, b.yaml{os.pathsep}c.yaml ,, ") == ["a.yaml", "b.yaml", "c.yaml"]
    assert split_paths("~/x.yaml") == [os.path.expanduser("~/x.yaml")]


def test_the_default_file_brings_its_override_and_other_files_do_not(in_folder: Path) -> None:
    (in_folder / "compose.yaml").write_text(GOOD)
    (in_folder / "prod.yaml").write_text(GOOD)
    assert chosen_files("compose.yaml") == ["compose.yaml"]
    (in_folder / "compose.override.yaml").write_text(GOOD)
    assert chosen_files("compose.yaml") == ["compose.yaml", "./compose.override.yaml"]
    assert chosen_files(str(in_folder)) == [
        str(in_folder / "compose.yaml"),
        str(in_folder / "compose.override.yaml"),
    ]
    # As `docker compose -f prod.yaml` and `-f compose.yaml -f prod.yaml`: exactly those files.
    assert chosen_files("prod.yaml") == ["prod.yaml"]
    assert chosen_files("compose.yaml, prod.yaml") == ["compose.yaml", "prod.yaml"]


def showing(app: DockyardApp, screen: type[Screen[Any]], selector: str) -> bool:
    """The screen is on top and composed far enough to hold `selector`."""
    return isinstance(app.screen, screen) and bool(app.screen.query(selector))


async def prompt(pilot: Pilot[None], app: DockyardApp) -> Input:
    await until(pilot, lambda: app.main_screen is not None)
    app.action_open_compose()
    await until(pilot, lambda: showing(app, PromptDialog, "Input"))
    return app.screen.query_one(Input)


async def problem_lines(pilot: Pilot[None], app: DockyardApp) -> list[str]:
    await until(pilot, lambda: showing(app, ComposeProblemsDialog, "#compose-problems"))
    return str(app.screen.query_one("#compose-problems").render()).splitlines()


async def test_the_prompt_offers_the_override_and_reads_both(
    in_folder: Path, tmp_path: Path
) -> None:
    (in_folder / "compose.yaml").write_text(GOOD)
    (in_folder / "compose.override.yaml").write_text(BAD_OVERRIDE)
    app = DockyardApp(FakeEngine(), config_path=tmp_path / "config.toml")
    async with app.run_test(size=(120, 40)) as pilot:
        field = await prompt(pilot, app)
        assert field.value == "./compose.yaml, ./compose.override.yaml"
        await pilot.press("enter")
        assert await problem_lines(pilot, app) == [
            './compose.override.yaml:3: services.web.ports[0]: invalid port "nope"'
        ]


async def test_the_chosen_default_file_picks_up_the_override_beside_it(
    in_folder: Path, tmp_path: Path
) -> None:
    """The folder elsewhere: typing just its compose.yaml reads the override there too."""
    other = tmp_path / "other"
    other.mkdir()
    (other / "compose.yaml").write_text(GOOD)
    (other / "compose.override.yaml").write_text(BAD_OVERRIDE)
    app = DockyardApp(FakeEngine(), config_path=tmp_path / "config.toml")
    async with app.run_test(size=(120, 40)) as pilot:
        field = await prompt(pilot, app)
        field.value = str(other / "compose.yaml")
        await pilot.press("enter")
        override = other / "compose.override.yaml"
        assert await problem_lines(pilot, app) == [
            f'{override}:3: services.web.ports[0]: invalid port "nope"'
        ]


async def test_several_typed_files_merge_in_order(in_folder: Path, tmp_path: Path) -> None:
    (in_folder / "a.yaml").write_text("services:\n  web:\n    image: x\n    tyy: true\n")
    (in_folder / "b.yaml").write_text(BAD_OVERRIDE)
    app = DockyardApp(FakeEngine(), config_path=tmp_path / "config.toml")
    async with app.run_test(size=(120, 40)) as pilot:
        field = await prompt(pilot, app)
        field.value = "a.yaml, b.yaml"
        await pilot.press("enter")
        assert await problem_lines(pilot, app) == [
            'a.yaml:4: services.web.tyy: unknown key (did you mean "tty"?)',
            'b.yaml:3: services.web.ports[0]: invalid port "nope"',
        ]
        assert app.command_log == []


async def test_compose_file_variable_is_the_prompts_default(
    in_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (in_folder / "compose.yaml").write_text(GOOD)
    (in_folder / "extra.yaml").write_text(BAD_OVERRIDE)
    monkeypatch.setenv("COMPOSE_FILE", f"compose.yaml{os.pathsep}extra.yaml")
    app = DockyardApp(FakeEngine(), config_path=tmp_path / "config.toml")
    async with app.run_test(size=(120, 40)) as pilot:
        field = await prompt(pilot, app)
        assert field.value == "compose.yaml, extra.yaml"
        await pilot.press("enter")
        assert await problem_lines(pilot, app) == [
            'extra.yaml:3: services.web.ports[0]: invalid port "nope"'
        ]


@pytest.mark.parametrize("command", [":up a.yaml,b.yaml", ":up a.yaml b.yaml"])
async def test_the_up_command_takes_several_files(
    in_folder: Path, tmp_path: Path, command: str
) -> None:
    (in_folder / "a.yaml").write_text(GOOD)
    (in_folder / "b.yaml").write_text(BAD_OVERRIDE)
    app = DockyardApp(FakeEngine(), config_path=tmp_path / "config.toml")
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.main_screen is not None)
        app.run_command(command)
        assert await problem_lines(pilot, app) == [
            'b.yaml:3: services.web.ports[0]: invalid port "nope"'
        ]
