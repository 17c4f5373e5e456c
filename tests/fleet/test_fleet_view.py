"""The Fleet view on dockerd, a throwaway native daemon and Podman at once, through its keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from engine_adapters.fleet import FleetEngine
from tests.fleet.conftest import Rig
from tests.waiting import eventually
from tui.app import DockyardApp
from tui.screens.dashboard import DashboardScreen
from tui.screens.main import MainScreen
from tui.widgets.views.fleet_table import ENGINE_PREFIX, FleetTable

TIMEOUT = 30.0


async def until(pilot: Pilot[None], probe: object, timeout: float = TIMEOUT) -> None:
    async def probed() -> object:
        await pilot.pause()
        return probe()  # type: ignore[operator]

    await eventually(probed, timeout=timeout, interval=0.05)


def main_of(app: DockyardApp) -> MainScreen:
    main = app.main_screen
    assert main is not None
    return main


def row_of(table: FleetTable, name: str) -> str | None:
    """The key of the row listing `name`, if it is listed (and not filtered out)."""
    return next((k for k, c in table.items.items() if c.name == name and k in table._order), None)


def header_text(table: FleetTable, engine: str) -> str:
    cells = table._cells.get(ENGINE_PREFIX + engine, ())
    return " ".join(getattr(cell, "plain", str(cell)) for cell in cells)


@pytest.mark.docker
@pytest.mark.native
@pytest.mark.timeout(240)
async def test_three_engines_listed_acted_on_dropped_and_back(
    rig: Rig, fleet: list[FleetEngine], isolated_config: Path
) -> None:
    names = {engine: rig.run(engine, "web") for engine in ("docker", "native", "podman")}
    app = DockyardApp(fleet[0].engine, config_path=isolated_config, fleet=fleet)
    async with app.run_test(size=(160, 50)) as pilot:
        await until(pilot, lambda: app.main_screen is not None)
        main = main_of(app)
        await until(pilot, lambda: main.current_view == "fleet")  # a fleet opens on its view
        table = main.fleet_table

        # One list, each container under its own engine.
        for engine, name in names.items():
            await until(pilot, lambda name=name: row_of(table, name) is not None)
            assert table.engine_of[str(row_of(table, name))] == engine
        assert "Fleet" in str(main.query_one("#view-tabs", Static).content)

        # The filter spans the engines: the prefix keeps the three rows, a name only its own.
        await pilot.press("slash", *rig.prefix)
        await until(pilot, lambda: all(row_of(table, n) for n in names.values()))
        assert all(table.items[k].name.startswith(rig.prefix) for k in table._order
                   if not k.startswith(ENGINE_PREFIX))  # fmt: skip
        await pilot.press(*"-native")
        await until(pilot, lambda: row_of(table, names["docker"]) is None)
        assert row_of(table, names["native"]) is not None
        await pilot.press("enter")

        # `x` on the native row stops it on the native engine, and only there.
        key = str(row_of(table, names["native"]))
        table.move_cursor(row=table.get_row_index(key))
        await until(pilot, lambda: table.current_key == key)
        await pilot.press("x")
        await until(pilot, lambda: rig.state("native", names["native"]) == "exited")
        assert rig.state("docker", names["docker"]) == "running"
        assert rig.state("podman", names["podman"]) == "running"
        line = f"docker --host {rig.native.docker_host} stop {names['native']}"
        await until(pilot, lambda: any(c.line == line and c.ok for c in app.command_log))
        await until(pilot, lambda: table.items[key].state.value == "exited")
        await pilot.press("slash", "escape")  # the filter cleared
        await until(pilot, lambda: row_of(table, names["docker"]) is not None)

        # Rows of two engines marked: one key stops each on its own engine.
        async def toggle_marks() -> None:
            for engine in ("docker", "podman"):
                key = str(row_of(table, names[engine]))
                was = key in table.marked
                table.move_cursor(row=table.get_row_index(key))
                await until(pilot, lambda key=key: table.current_key == key)
                await pilot.press("space")
                await until(pilot, lambda key=key, was=was: (key in table.marked) != was)

        await toggle_marks()
        await pilot.press("x")
        urls = {member.label: member.member.target.url for member in fleet}
        for engine in ("docker", "podman"):
            await until(pilot, lambda engine=engine: rig.state(engine, names[engine]) == "exited")
            line = f"docker --host {urls[engine]} stop {names[engine]}"
            # Logged when the call returns, which may be a moment after the engine's state.
            await until(
                pilot, lambda line=line: any(c.line == line and c.ok for c in app.command_log)
            )
        await toggle_marks()  # unmarked again

        # The native daemon goes: its status row says so, its rows grey, and the others go on.
        rig.native.kill9()
        await until(pilot, lambda: table.is_down("native"))
        assert "down" in header_text(table, "native")
        table.move_cursor(row=table.get_row_index(key))  # the native row, stopped above
        await until(pilot, lambda: table.current_key == key)
        assert table.check_action("act", ("fleet.start",)) is None  # nothing acts on it
        late = rig.run("docker", "late")
        await until(pilot, lambda: row_of(table, late) is not None)
        assert table.engine_of[str(row_of(table, late))] == "docker"
        assert "1 down" in str(main.query_one("#view-tabs", Static).content)

        # It comes back when the engine answers again (same socket, same data root).
        rig.native.start()
        await until(pilot, lambda: not table.is_down("native"), timeout=60)
        assert "up" in header_text(table, "native")
        await until(pilot, lambda: row_of(table, names["native"]) is not None)

        back = rig.run("native", "back")  # and lists what it runs now
        await until(pilot, lambda: row_of(table, back) is not None)

        # The stats dashboard spans the fleet with an engine column. (The native container's:
        # the shared dockerd may run hundreds of others' containers, its first samples slow.)
        await until(pilot, lambda: main.fleet_feed.stats.latest(str(row_of(table, back))))
        await pilot.press("S")
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        assert "ENGINE" in dashboard.columns
        await until(pilot, lambda: str(row_of(table, back)) in dashboard._order)
        assert dashboard._cells[str(row_of(table, back))][1] == "native"
