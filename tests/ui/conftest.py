"""Fixtures for UI tests: an app on the fake engine with a throwaway config and a fixed clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from engine_adapters.protocol import Engine
from tests.ui.fake_engine import NOW, FakeEngine
from tui.app import DockyardApp


@pytest.fixture(autouse=True)
def isolated_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads or writes the user's real config or themes."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "dockyard" / "config.toml"


@pytest.fixture
def fake() -> FakeEngine:
    return FakeEngine()


@pytest.fixture
def make_app(fake: FakeEngine, isolated_config: Path) -> Callable[..., DockyardApp]:
    def make(
        read_only: bool = False, engines: list[tuple[str, Callable[[], Engine]]] | None = None
    ) -> DockyardApp:
        app = DockyardApp(fake, read_only=read_only, config_path=isolated_config, engines=engines)
        app.clock = lambda: NOW
        return app

    return make


async def wait_for(
    pilot: Pilot[None], condition: Callable[[], object], timeout: float = 5.0
) -> None:
    """Poll with a deadline: tests wait for the condition, never for a fixed time."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met before the deadline")
        await pilot.pause(0.02)


async def settle(pilot: Pilot[None]) -> None:
    """Wait until the main screen has its lists, stats and logs: the state snapshots show."""
    app = pilot.app
    await wait_for(pilot, lambda: type(app.screen).__name__ == "MainScreen")
    screen = app.screen
    await wait_for(pilot, lambda: screen.containers_table.row_count == 7)  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: screen.networks_table.row_count == 4)  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: screen.stats.samples)  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: screen.detail.logs.view.row_count > 0)  # type: ignore[attr-defined]
    await pilot.pause()
