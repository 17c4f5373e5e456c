"""Every key of the Fleet view pressed on a row of one engine, checked on that engine's API;
the detail tabs of a row read its own engine."""

from __future__ import annotations

from pathlib import Path

import docker
import pytest

from engine_adapters.fleet import FleetEngine
from tests.fleet.conftest import SLEEPER, TEST_IMAGE, Rig
from tests.fleet.test_fleet_view import main_of, row_of, until
from tui.app import DockyardApp
from tui.dialogs.confirm import ConfirmDialog
from tui.keymap import BY_ID, specs_for
from tui.screens.shells import ShellsScreen
from tui.widgets.views.fleet_table import COMPOSE_ACTIONS

MARKER = "hello-from-podman"


@pytest.mark.docker
@pytest.mark.native
@pytest.mark.timeout(240)
async def test_each_fleet_key_acts_on_its_rows_engine(
    rig: Rig, fleet: list[FleetEngine], isolated_config: Path
) -> None:
    name = rig.run("native", "keys")
    talker = f"{rig.prefix}-podman-talks"
    rig.clients["podman"].containers.run(
        TEST_IMAGE, ["sh", "-c", f"echo {MARKER}; {SLEEPER[-1]}"], name=talker, detach=True
    )
    pressed: list[str] = []
    app = DockyardApp(fleet[0].engine, config_path=isolated_config, fleet=fleet)
    async with app.run_test(size=(160, 50)) as pilot:
        await until(pilot, lambda: app.main_screen is not None)
        main = main_of(app)
        await until(pilot, lambda: main.current_view == "fleet")
        table = main.fleet_table

        async def select(row_name: str) -> str:
            await until(pilot, lambda: row_of(table, row_name) is not None)
            key = str(row_of(table, row_name))
            table.move_cursor(row=table.get_row_index(key))
            await until(pilot, lambda: table.current_key == key)
            return key

        async def press(spec_id: str) -> None:
            pressed.append(spec_id)
            await pilot.press(BY_ID[spec_id].key)

        def attrs() -> dict[str, dict[str, str]]:
            found: dict[str, dict[str, str]] = rig.clients["native"].api.inspect_container(name)
            return found

        def listed_as(key: str, state: str) -> bool:
            return table.items[key].state.value == state and rig.state("native", name) == state

        # The detail tabs of a Podman row read Podman: its logs and its inspect data.
        key = await select(talker)
        await pilot.press("alt+l")
        await until(pilot, lambda: any(MARKER in e.text for e in main.detail.logs.view.entries))
        await pilot.press("alt+i")
        podman_id = str(rig.clients["podman"].containers.get(talker).id)
        await until(pilot, lambda: main.detail.engine is fleet[2].engine)
        assert key == podman_id

        key = await select(name)
        for spec_id, state in (
            ("fleet.stop", "exited"),
            ("fleet.start", "running"),
            ("fleet.pause", "paused"),
            ("fleet.pause", "running"),
            ("fleet.kill", "exited"),
            ("fleet.start", "running"),
        ):
            await press(spec_id)
            await until(pilot, lambda state=state: listed_as(key, state))
        started = attrs()["State"]["StartedAt"]
        await press("fleet.restart")
        await until(pilot, lambda: attrs()["State"]["StartedAt"] != started)

        await press("fleet.mark")
        await until(pilot, lambda: key in table.marked)
        await select(name)
        await press("fleet.mark")
        await until(pilot, lambda: key not in table.marked)

        await until(pilot, lambda: listed_as(key, "running"))
        await select(name)  # a mark moves the cursor on
        await press("fleet.exec")
        await until(pilot, lambda: isinstance(app.screen, ShellsScreen))
        shells = app.screen
        assert isinstance(shells, ShellsScreen)
        await until(pilot, lambda: len(shells.panes) == 1)
        host = rig.native.docker_host
        assert any(c.line == f"docker --host {host} exec -it {name} sh" for c in app.command_log)
        await pilot.press("ctrl+right_square_bracket", "escape")
        await until(pilot, lambda: app.screen is main)

        await select(name)
        await press("fleet.remove")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")

        def gone() -> bool:
            try:
                rig.clients["native"].containers.get(name)
            except docker.errors.NotFound:
                return True
            return False

        await until(pilot, gone)
        await until(pilot, lambda: row_of(table, name) is None)
        assert any(c.line == f"docker --host {host} rm -f {name}" for c in app.command_log)
    # The compose keys are pressed on projects of two engines by test_fleet_compose.py.
    compose = {f"fleet.{action}" for action in COMPOSE_ACTIONS}
    assert sorted({s.id for s in specs_for("fleet")} - set(pressed) - compose) == []
