"""Fixtures for compose actions in the UI: a two-service project, removed by label after."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import docker
import pytest
from docker.models.containers import Container as SdkContainer
from docker.models.networks import Network as SdkNetwork
from textual.pilot import Pilot

from tests.fixtures.docker import TEST_IMAGE, listed_containers
from tui.app import DockyardApp
from tui.screens.main import MainScreen

PROJECT_LABEL = "com.docker.compose.project"

# sleep as PID 1 ignores SIGTERM: a short grace period keeps stop, restart and down quick.
COMPOSE_FILE = f"""\
services:
  web:
    image: {TEST_IMAGE}
    command: sleep 3600
    stop_grace_period: 1s
  worker:
    image: {TEST_IMAGE}
    command: sleep 3600
    stop_grace_period: 1s
"""

BAD_COMPOSE_FILE = f"""\
services:
  web:
    image: {TEST_IMAGE}
    ports:
      - "notaport"
  db:
    imagee: {TEST_IMAGE}
"""


def project_containers(client: docker.DockerClient, name: str) -> list[SdkContainer]:
    return listed_containers(client, label=f"{PROJECT_LABEL}={name}")


def project_networks(client: docker.DockerClient, name: str) -> list[SdkNetwork]:
    return client.networks.list(filters={"label": f"{PROJECT_LABEL}={name}"})


@pytest.fixture
def project(tmp_path: Path, docker_client: docker.DockerClient) -> Iterator[tuple[str, Path]]:
    """(project name, compose file); the folder names the project, as Docker Compose does."""
    name = f"dytc{uuid.uuid4().hex[:8]}"
    folder = tmp_path / name
    folder.mkdir()
    path = folder / "compose.yaml"
    path.write_text(COMPOSE_FILE)
    yield name, path
    for container in project_containers(docker_client, name):
        with contextlib.suppress(docker.errors.APIError):
            container.remove(force=True, v=True)
    for network in project_networks(docker_client, name):
        with contextlib.suppress(docker.errors.APIError):
            network.remove()


@pytest.fixture
def make_app(tmp_path: Path, engine: object) -> Callable[..., DockyardApp]:
    def make(read_only: bool = False) -> DockyardApp:
        return DockyardApp(engine, read_only=read_only, config_path=tmp_path / "config.toml")  # type: ignore[arg-type]

    return make


async def until(pilot: Pilot[None], condition: Callable[[], object], timeout: float = 30.0) -> None:
    """Polls with a deadline through Pilot, so the app keeps processing while the test waits."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met in {timeout}s")
        await pilot.pause(0.05)


def main(app: DockyardApp) -> MainScreen:
    screen = app.main_screen
    assert screen is not None
    return screen


async def command(pilot: Pilot[None], text: str) -> None:
    """Types a `:` command the way a user does: colon, the text, enter."""
    await pilot.press("colon")
    line = main(pilot.app).query_one("#command-line")  # type: ignore[arg-type]
    await until(pilot, lambda: pilot.app.focused is line)
    line.value = text  # type: ignore[attr-defined]
    await pilot.press("enter")
