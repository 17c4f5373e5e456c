"""`5` on an engine that manages no swarm (the host dockerd, the native engine): a note, no view."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from engine_adapters.docker_engine import DockerEngine
from tests.waiting import eventually
from tui.app import DockyardApp


@pytest.mark.docker
async def test_the_swarm_key_says_not_a_manager_and_stays(
    engine: DockerEngine, isolated_config: Path
) -> None:
    app = DockyardApp(engine, config_path=isolated_config)
    async with app.run_test(size=(120, 40)) as pilot:

        async def mounted() -> bool:
            await pilot.pause()
            main = app.main_screen
            return main is not None and main.hidden_mounted.is_set()

        await eventually(mounted, timeout=30)
        main = app.main_screen
        assert main is not None
        await pilot.press("5")

        async def noted() -> bool:
            await pilot.pause()
            return any(n.message == "not a swarm manager" for n in app._notifications)

        await eventually(noted, timeout=30)
        assert main.current_view == "containers"
        assert main.swarm_feed.state is None or not main.swarm_feed.state.is_manager
        tabs = str(main.query_one("#view-tabs", Static).content)
        assert "Networks" in tabs and "Swarm" not in tabs
