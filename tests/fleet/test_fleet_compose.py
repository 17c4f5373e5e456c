"""The compose keys of the Fleet view, on a project of the same name on dockerd and on a
throwaway native daemon: each key acts on the project of the row's own engine only."""

from __future__ import annotations

import contextlib
import shlex
import subprocess
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest
from textual.pilot import Pilot
from textual.widgets import Label

from engine_adapters.compose import Orchestrator, load_project
from engine_adapters.fleet import FleetEngine
from tests.fixtures.docker import DOCKER_SOCKET, listed_containers
from tests.fleet.conftest import TEST_IMAGE, Rig
from tests.fleet.test_fleet_view import main_of, row_of, until
from tui.app import DockyardApp
from tui.dialogs.compose import ComposeDownDialog
from tui.keymap import BY_ID
from tui.widgets.views.fleet_table import ENGINE_PREFIX, FleetTable

PROJECT_LABEL = "com.docker.compose.project"
# sleep as PID 1 ignores SIGTERM: a short grace period keeps restart and down quick.
COMPOSE_FILE = """\
services:
  web:
    image: {image}
    command: sleep 3600
    stop_grace_period: 1s
  worker:
    image: {image}
    command: sleep 3600
    stop_grace_period: 1s
"""
# The engines the project runs on, by their fleet labels (dockerd and the native daemon).
ENGINES = ("docker", "native")


def compose_line(member: FleetEngine, *args: str) -> str:
    return shlex.join(["docker", *member.member.cli_flags, "compose", *args])


def members_of(client: docker.DockerClient, name: str) -> list[docker.models.containers.Container]:
    return listed_containers(client, label=f"{PROJECT_LABEL}={name}")


def started_at(client: docker.DockerClient, name: str) -> dict[str, str]:
    return {str(c.name): c.attrs["State"]["StartedAt"] for c in members_of(client, name)}


@pytest.fixture
def project(rig: Rig, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """(name, compose file) of a project brought up by the test; gone from both engines after."""
    name = f"{rig.prefix}-proj"
    folder = tmp_path / name
    folder.mkdir()
    path = folder / "compose.yaml"
    path.write_text(COMPOSE_FILE.format(image=TEST_IMAGE))
    yield name, path
    for engine in ENGINES:
        client = rig.clients[engine]
        with contextlib.suppress(docker.errors.APIError):
            for c in members_of(client, name):
                c.remove(force=True)
            for network in client.networks.list(filters={"label": f"{PROJECT_LABEL}={name}"}):
                network.remove()


async def select(pilot: Pilot[None], table: FleetTable, key: str) -> None:
    await until(pilot, lambda: key in table._order)
    table.move_cursor(row=table.get_row_index(key))
    await until(pilot, lambda: table.current_row_key == key)


def row_on(table: FleetTable, name: str, engine: str) -> str | None:
    """The key of the row listing container `name` of `engine`."""
    return next(
        (k for k, c in table.items.items() if c.name == name and table.engine_of[k] == engine),
        None,
    )


def status_of(client: docker.DockerClient, name: str) -> str | None:
    try:
        return str(client.containers.get(name).status)
    except docker.errors.NotFound:
        return None


def notified(app: DockyardApp, *words: str) -> bool:
    return any(all(w in n.message for w in words) for n in app._notifications)


@pytest.mark.docker
@pytest.mark.native
@pytest.mark.timeout(240)
async def test_compose_keys_act_on_the_project_of_the_rows_engine(
    rig: Rig, fleet: list[FleetEngine], project: tuple[str, Path], isolated_config: Path
) -> None:
    name, path = project
    by_label = {member.label: member for member in fleet}
    for engine in ENGINES:
        await Orchestrator(by_label[engine].engine, load_project(str(path))).up()
    docker_client, native_client = rig.clients["docker"], rig.clients["native"]
    web, worker = f"{name}-web-1", f"{name}-worker-1"
    app = DockyardApp(fleet[0].engine, config_path=isolated_config, fleet=fleet)
    async with app.run_test(size=(160, 50)) as pilot:
        await until(pilot, lambda: app.main_screen is not None)
        main = main_of(app)
        await until(pilot, lambda: main.current_view == "fleet")
        table = main.fleet_table
        await until(pilot, lambda: all(row_on(table, web, e) for e in ENGINES))

        # R on the native engine's row restarts its project there, not dockerd's.
        on_docker, on_native = started_at(docker_client, name), started_at(native_client, name)
        await select(pilot, table, str(row_on(table, web, "native")))
        await pilot.press(BY_ID["fleet.compose_restart"].key)
        await until(
            pilot,
            lambda: all(started_at(native_client, name)[c] != on_native[c] for c in (web, worker)),
        )
        line = compose_line(by_label["native"], "-p", name, "restart")
        await until(pilot, lambda: any(e.line == line and e.ok for e in app.command_log))
        assert started_at(docker_client, name) == on_docker

        # U on dockerd's row brings back the member removed there, and only there.
        docker_client.containers.get(worker).remove(force=True)
        on_native = started_at(native_client, name)
        await until(pilot, lambda: row_on(table, worker, "docker") is None)
        await select(pilot, table, str(row_on(table, web, "docker")))
        await pilot.press(BY_ID["fleet.compose_up"].key)
        await until(pilot, lambda: status_of(docker_client, worker) == "running")
        line = compose_line(by_label["docker"], "-f", str(path), "-p", name, "up", "-d")
        await until(pilot, lambda: any(e.line == line and e.ok for e in app.command_log))
        assert started_at(native_client, name) == on_native

        # D on the native row asks, then takes the native project down; dockerd's stays.
        await select(pilot, table, str(row_on(table, worker, "native")))
        await pilot.press(BY_ID["fleet.compose_down"].key)
        await until(pilot, lambda: isinstance(app.screen, ComposeDownDialog))
        title = app.screen.query_one(".dialog-title", Label).content
        assert str(title) == f"Take compose project {name} down on native?"
        await pilot.press("y")
        await until(pilot, lambda: not members_of(native_client, name))
        line = compose_line(by_label["native"], "-p", name, "down")
        await until(pilot, lambda: any(e.line == line and e.ok for e in app.command_log))
        assert {c.status for c in members_of(docker_client, name)} == {"running"}


@pytest.mark.docker
@pytest.mark.native
@pytest.mark.timeout(240)
async def test_compose_pull_pulls_on_the_rows_engine(
    rig: Rig,
    fleet: list[FleetEngine],
    registry: str,
    tmp_path: Path,
    isolated_config: Path,
) -> None:
    """ctrl+u on the native row pulls the project's images into the native engine: the new
    image of its tag, pushed after the project came up, replaces the one it ran."""
    image = f"{registry}/{rig.prefix}-pulled:1"
    name = f"{rig.prefix}-pull"
    folder = tmp_path / name
    folder.mkdir()
    path = folder / "compose.yaml"
    path.write_text(COMPOSE_FILE.format(image=image))
    docker_cli = ["docker", "-H", f"unix://{DOCKER_SOCKET}"]
    native_client = rig.clients["native"]
    try:
        subprocess.run([*docker_cli, "tag", TEST_IMAGE, image], check=True, timeout=60)
        subprocess.run([*docker_cli, "push", image], check=True, timeout=120, capture_output=True)
        native = next(m for m in fleet if m.label == "native")
        await Orchestrator(native.engine, load_project(str(path))).up()
        ran = native_client.images.get(image).id
        # A new image under the same tag, in the registry only.
        changed = rig.clients["docker"].containers.run(
            TEST_IMAGE, ["sh", "-c", "echo new > /new"], name=f"{rig.prefix}-builder", detach=True
        )
        changed.wait(timeout=60)
        changed.commit(repository=image.rsplit(":", 1)[0], tag="1")
        subprocess.run([*docker_cli, "push", image], check=True, timeout=120, capture_output=True)
        newer = rig.clients["docker"].images.get(image).id
        assert newer != ran

        app = DockyardApp(fleet[0].engine, config_path=isolated_config, fleet=fleet)
        async with app.run_test(size=(160, 50)) as pilot:
            await until(pilot, lambda: app.main_screen is not None)
            table = main_of(app).fleet_table
            await until(pilot, lambda: row_on(table, f"{name}-web-1", "native") is not None)
            await select(pilot, table, str(row_on(table, f"{name}-web-1", "native")))
            await pilot.press(BY_ID["fleet.compose_pull"].key)
            await until(pilot, lambda: native_client.images.get(image).id == newer, timeout=60)
            line = compose_line(native, "-p", name, "pull")
            await until(pilot, lambda: any(e.line == line and e.ok for e in app.command_log))
    finally:
        for engine in ENGINES:
            client = rig.clients[engine]
            with contextlib.suppress(docker.errors.APIError):
                for c in members_of(client, name):
                    c.remove(force=True)
                for network in client.networks.list(filters={"label": f"{PROJECT_LABEL}={name}"}):
                    network.remove()
                client.images.remove(image, force=True)


@pytest.mark.docker
@pytest.mark.native
@pytest.mark.timeout(120)
async def test_compose_keys_say_in_one_line_what_they_cannot_do(
    rig: Rig, fleet: list[FleetEngine], isolated_config: Path
) -> None:
    loose = rig.run("native", "loose")
    app = DockyardApp(fleet[0].engine, config_path=isolated_config, fleet=fleet)
    async with app.run_test(size=(160, 50)) as pilot:
        await until(pilot, lambda: app.main_screen is not None)
        main = main_of(app)
        await until(pilot, lambda: main.current_view == "fleet")
        table = main.fleet_table

        # An engine's status row is no project.
        await select(pilot, table, ENGINE_PREFIX + "native")
        await pilot.press(BY_ID["fleet.compose_restart"].key)
        await until(pilot, lambda: notified(app, "No compose project here"))

        # A container of no project names itself and its engine.
        await until(pilot, lambda: row_of(table, loose) is not None)
        await select(pilot, table, str(row_of(table, loose)))
        for spec_id in ("fleet.compose_up", "fleet.compose_down", "fleet.compose_pull"):
            app.clear_notifications()
            await pilot.press(BY_ID[spec_id].key)
            await until(pilot, lambda: notified(app, loose, "native", "not in a compose project"))
        assert not isinstance(app.screen, ComposeDownDialog)
