"""A project from a compose file and the override beside it, brought up from the UI on dockerd."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import docker
import pytest

from tests.compose.helpers import env_of
from tests.fixtures.docker import TEST_IMAGE
from tests.ui_compose.conftest import command, main, project_containers, until
from tui.app import DockyardApp
from tui.widgets.views.containers_table import GROUP_PREFIX

pytestmark = pytest.mark.docker

OVERRIDE = f"""\
services:
  web:
    environment:
      FROM: override
  extra:
    image: {TEST_IMAGE}
    command: sleep 3600
    stop_grace_period: 1s
"""


async def test_up_reads_the_override_beside_the_file_and_so_does_the_up_key(
    make_app: Callable[..., DockyardApp],
    project: tuple[str, Path],
    docker_client: docker.DockerClient,
) -> None:
    name, path = project
    override = path.parent / "compose.override.yaml"
    override.write_text(OVERRIDE)
    members = {f"{name}-web-1", f"{name}-worker-1", f"{name}-extra-1"}
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.main_screen is not None)
        await command(pilot, f":up {path}")
        table = main(app).containers_table
        await until(
            pilot,
            lambda: {c.name for c in table.items.values() if c.compose_project == name} == members,
            timeout=60,
        )
        assert env_of(docker_client, f"{name}-web-1")["FROM"] == "override"
        line = f"docker compose -f {path} -f {override} -p {name} up -d"
        await until(pilot, lambda: any(e.line == line and e.ok for e in app.command_log))

        # `U` on the project brings it up from every file its labels name, override included.
        docker_client.containers.get(f"{name}-extra-1").stop(timeout=1)
        table.move_cursor(row=table.get_row_index(GROUP_PREFIX + name))
        await pilot.press("U")

        def extra_running() -> bool:
            return bool(docker_client.containers.get(f"{name}-extra-1").status == "running")

        await until(pilot, extra_running)
        await until(pilot, lambda: sum(e.line == line for e in app.command_log) == 2)
    assert {c.name for c in project_containers(docker_client, name)} == members
