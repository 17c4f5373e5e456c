"""A service's logs in the UI: `l` on a service shows its tasks' lines from every node, merged."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.command import CommandList, CommandPalette

from engine_adapters.docker_engine import DockerEngine
from engine_adapters.docker_engine.swarm import DockerSwarm
from engine_adapters.swarm.spec import ServiceSpec
from tests.swarm.conftest import unique
from tests.swarm.test_swarm_view import IMAGE, SwarmWalk
from tests.waiting import eventually
from tui.app import DockyardApp
from tui.screens.service_logs import ServiceLogsScreen
from tui.widgets.detail.log_view import Entry

pytestmark = pytest.mark.swarm
NODES = {"swarm-node1", "swarm-node2", "swarm-node3"}
TALKER = (
    "sh",
    "-c",
    "trap 'exit 0' TERM; i=0; while true; do echo tick $i; i=$((i+1)); sleep 1; done",
)


def _nodes(entries: list[Entry]) -> set[str]:
    return {entry.source.rsplit("@", 1)[-1] for entry in entries}


@pytest.mark.timeout(300)
async def test_service_logs_merge_the_tasks_of_every_node_with_search_and_filter(
    manager: DockerEngine,
    swarm: DockerSwarm,
    names: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    name = unique()
    names.append(name)
    # One task per node, so three nodes speak.
    spec = ServiceSpec(
        name=name,
        image=IMAGE,
        args=TALKER,
        replicas=3,
        max_replicas_per_node=1,
        stop_grace_period=1.0,
    )
    service = await swarm.create_service(spec)

    async def spread() -> bool:
        tasks = await swarm.tasks(service=service.id)
        running = [t for t in tasks if t.state == "running" and t.desired_state == "running"]
        return {t.node_hostname for t in running} == NODES

    await eventually(spread, timeout=90)

    app = DockyardApp(manager, config_path=tmp_path / "xdg" / "dockyard" / "config.toml")
    async with app.run_test(size=(140, 40)) as pilot:
        w = SwarmWalk(pilot)
        await w.until(lambda: app.main_screen is not None)
        await w.until(lambda: w.main.swarm_feed.is_manager)
        await w.press("main.view('swarm')")
        await w.select(name, service.id)

        await w.press("swarm.logs")
        await w.until(lambda: isinstance(app.screen, ServiceLogsScreen))
        screen = app.screen
        assert isinstance(screen, ServiceLogsScreen)
        panel = screen.panel
        await w.until(lambda: _nodes(panel.view.entries) == NODES)
        entries = list(panel.view.entries)
        tasks = {e.source.split("@", 1)[0] for e in entries}
        assert tasks == {f"{name}.{slot}" for slot in (1, 2, 3)}
        colours = {e.source: e.colour for e in entries}
        assert len(set(colours.values())) == 3, colours  # a colour per task
        assert all(e.text.startswith("tick ") for e in entries), entries[:3]
        assert f"{name} (merged)" in panel.title

        # Filter by a node: only its task's lines remain; empty clears.
        await pilot.press("F", *"swarm-node2", "enter")
        await w.until(lambda: panel.view.filter is not None)
        shown = panel.view.visible_entries()
        assert shown and _nodes(shown) == {"swarm-node2"}
        await pilot.press("F", "ctrl+a", "ctrl+k", "enter")
        await w.until(lambda: panel.view.filter is None)

        # The palette on this screen offers the log panel's actions.
        await pilot.press("ctrl+p")
        await w.until(lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"filter lines")
        found = app.screen.query_one(CommandList)
        await w.until(lambda: found.option_count >= 1)
        assert str(found.get_option_at_index(0).prompt).startswith("Filter lines (F)")
        await pilot.press("escape")
        await w.until(lambda: app.screen is screen)

        # Search finds a line's text across the merged tasks.
        await pilot.press("slash", *"tick 1", "enter")
        await w.until(lambda: panel.view.current_match is not None)

        await pilot.press("escape")
        await w.until(lambda: app.screen is w.main)

        # The palette offers the same action on the selected service.
        await pilot.press("ctrl+p")
        await w.until(lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"service logs")
        options = app.screen.query_one(CommandList)
        await w.until(lambda: options.option_count >= 1)
        assert str(options.get_option_at_index(0).prompt).startswith("Service logs (l)")
        await pilot.press("enter")
        await w.until(lambda: isinstance(app.screen, ServiceLogsScreen))
        await w.until(lambda: _nodes(app.screen.panel.view.entries) == NODES)  # type: ignore[attr-defined]
