"""Compose project up, restart, down and file problems from the UI, checked on the real dockerd."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import docker
import pytest
from textual.pilot import Pilot

from engine_adapters.compose import Orchestrator, load_project
from engine_adapters.docker_engine import DockerEngine
from tests.fixtures.docker import TEST_IMAGE, Resources
from tests.ui_compose.conftest import (
    BAD_COMPOSE_FILE,
    command,
    main,
    project_containers,
    project_networks,
    until,
)
from tui.app import DockyardApp
from tui.dialogs.compose import ComposeDownDialog, ComposeProblemsDialog
from tui.widgets.views.containers_table import GROUP_PREFIX, ContainersTable

pytestmark = pytest.mark.docker

SIZE = (120, 40)


async def bring_up(engine: DockerEngine, path: Path) -> None:
    await Orchestrator(engine, load_project(str(path))).up()


def on_header(app: DockyardApp, name: str) -> None:
    table = main(app).containers_table
    table.move_cursor(row=table.get_row_index(GROUP_PREFIX + name))


def started_at(client: docker.DockerClient, name: str) -> dict[str, str]:
    return {str(c.name): c.attrs["State"]["StartedAt"] for c in project_containers(client, name)}


async def test_up_command_brings_the_project_up_grouped(
    make_app: Callable[..., DockyardApp],
    project: tuple[str, Path],
    docker_client: docker.DockerClient,
) -> None:
    name, path = project
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.main_screen is not None)
        await command(pilot, f":up {path}")
        table = main(app).containers_table
        await until(pilot, lambda: GROUP_PREFIX + name in table.rows, timeout=60)
        members = {f"{name}-web-1", f"{name}-worker-1"}
        await until(
            pilot,
            lambda: {c.name for c in table.items.values() if c.compose_project == name} == members,
        )
        running = {c.name for c in project_containers(docker_client, name) if c.status == "running"}
        assert running == members
        assert [n.name for n in project_networks(docker_client, name)] == [f"{name}_default"]
        await until(
            pilot,
            lambda: any(
                entry.line == f"docker compose -f {path} -p {name} up -d" and entry.ok
                for entry in app.command_log
            ),
        )


async def test_restart_key_restarts_every_container(
    make_app: Callable[..., DockyardApp],
    project: tuple[str, Path],
    engine: DockerEngine,
    docker_client: docker.DockerClient,
) -> None:
    name, path = project
    await bring_up(engine, path)
    before = started_at(docker_client, name)
    assert len(before) == 2
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        table = await table_with(pilot, app, name)
        on_header(app, name)
        await pilot.press("R")

        def all_restarted() -> bool:
            after = started_at(docker_client, name)
            return after.keys() == before.keys() and all(after[k] != before[k] for k in before)

        await until(pilot, all_restarted)
        await until(
            pilot,
            lambda: any(e.line == f"docker compose -p {name} restart" for e in app.command_log),
        )
        assert table.check_action("compose_restart", ()) is True


async def test_down_asks_then_removes_containers_and_network(
    make_app: Callable[..., DockyardApp],
    project: tuple[str, Path],
    engine: DockerEngine,
    docker_client: docker.DockerClient,
) -> None:
    name, path = project
    await bring_up(engine, path)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await table_with(pilot, app, name)
        # Any member row acts on its whole project, not only the header.
        table = main(app).containers_table
        web = next(c for c in table.items.values() if c.name == f"{name}-web-1")
        table.move_cursor(row=table.get_row_index(web.id))
        await pilot.press("D")
        await until(pilot, lambda: isinstance(app.screen, ComposeDownDialog))
        body = str(app.screen.query_one(".dialog-body").render())
        assert f"container {name}-worker-1" in body and f"network {name}_default" in body
        assert project_containers(docker_client, name), "nothing goes before the answer"
        await pilot.press("y")
        await until(
            pilot,
            lambda: (
                not project_containers(docker_client, name)
                and not project_networks(docker_client, name)
            ),
        )
        await until(pilot, lambda: GROUP_PREFIX + name not in table.rows)
        await until(
            pilot,
            lambda: any(
                e.line == f"docker compose -p {name} down" and e.ok for e in app.command_log
            ),
        )


async def test_up_key_restores_the_project_and_says_when_the_file_is_gone(
    make_app: Callable[..., DockyardApp],
    project: tuple[str, Path],
    engine: DockerEngine,
    docker_client: docker.DockerClient,
) -> None:
    name, path = project
    await bring_up(engine, path)
    docker_client.containers.get(f"{name}-worker-1").stop(timeout=1)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await table_with(pilot, app, name)
        on_header(app, name)
        await pilot.press("U")

        def worker_running() -> bool:
            return bool(docker_client.containers.get(f"{name}-worker-1").status == "running")

        await until(pilot, worker_running)
        await until(
            pilot, lambda: any(e.line.endswith(f"-p {name} up -d") for e in app.command_log)
        )
        logged = len(app.command_log)
        path.unlink()
        await pilot.press("U")
        await until(pilot, lambda: any("is gone" in str(n.message) for n in app._notifications))
        assert len(app.command_log) == logged
    assert len(project_containers(docker_client, name)) == 2


async def test_malformed_file_shows_each_problem_and_creates_nothing(
    make_app: Callable[..., DockyardApp],
    project: tuple[str, Path],
    docker_client: docker.DockerClient,
) -> None:
    name, path = project
    path.write_text(BAD_COMPOSE_FILE)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.main_screen is not None)
        await command(pilot, f":up {path}")
        await until(pilot, lambda: isinstance(app.screen, ComposeProblemsDialog))
        lines = str(app.screen.query_one("#compose-problems").render()).splitlines()
        assert f'{path}:5: services.web.ports[0]: invalid port "notaport"' in lines
        assert any(line.startswith(f"{path}:7: services.db.imagee: unknown key") for line in lines)
        assert all(line.startswith(f"{path}:") for line in lines)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.main_screen)
    assert project_containers(docker_client, name) == []
    assert project_networks(docker_client, name) == []
    assert not any("up" in e.line for e in app.command_log)


async def test_read_only_greys_the_project_actions(
    make_app: Callable[..., DockyardApp],
    project: tuple[str, Path],
    engine: DockerEngine,
    docker_client: docker.DockerClient,
) -> None:
    name, path = project
    await bring_up(engine, path)
    before = started_at(docker_client, name)
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        table = await table_with(pilot, app, name)
        on_header(app, name)
        for action in ("compose_up", "compose_down", "compose_restart", "compose_pull"):
            assert table.check_action(action, ()) is None, action
        assert table.check_action("project_logs", ()) is True
        assert app.check_action("open_compose", ()) is None
        await pilot.press("D", "R", "U")
        await pilot.pause(0.2)
        assert app.screen is app.main_screen
        assert started_at(docker_client, name) == before
        assert app.command_log == []
    assert len(project_containers(docker_client, name)) == 2


async def test_loose_container_has_no_project_actions(
    make_app: Callable[..., DockyardApp],
    project: tuple[str, Path],
    engine: DockerEngine,
    docker_client: docker.DockerClient,
    res: Resources,
) -> None:
    """The keys grey out on a row outside any compose project (the guard, not a notification)."""
    name, path = project
    await bring_up(engine, path)
    loose = docker_client.containers.run(
        TEST_IMAGE, ["sleep", "3600"], name=res.container(), detach=True
    )
    assert loose.id is not None
    loose_id: str = loose.id
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        table = await table_with(pilot, app, name)
        on_header(app, name)
        assert table.check_action("compose_up", ()) is True
        await until(pilot, lambda: loose_id in table.items)
        table.move_cursor(row=table.get_row_index(loose_id))
        for action in ("compose_up", "compose_down", "compose_restart", "compose_pull"):
            assert table.check_action(action, ()) is None, action


async def table_with(pilot: Pilot[None], app: DockyardApp, name: str) -> ContainersTable:
    """The containers view once it shows the project's header row."""
    await until(pilot, lambda: app.main_screen is not None)
    table = main(app).containers_table
    await until(pilot, lambda: GROUP_PREFIX + name in table.rows)
    return table
