"""`dockyard --engine A --engine B` in a real terminal: dockerd and Podman in one list."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from tests.e2e.tmux import TmuxSession
from tests.fixtures.docker import DOCKER_SOCKET, TEST_IMAGE
from tests.fixtures.podman import podman_url

pytestmark = [pytest.mark.docker, pytest.mark.e2e]

DOCKYARD = str(Path(sys.executable).with_name("dockyard"))
SLEEPER = ["sh", "-c", "trap 'exit 0' TERM; sleep 600 & wait"]


@pytest.fixture
def pair() -> Iterator[tuple[str, docker.DockerClient, docker.DockerClient]]:
    """One container of the same name prefix on dockerd and on Podman."""
    prefix = f"e2e-fleet-{uuid.uuid4().hex[:6]}"
    clients = [
        docker.DockerClient(base_url=url, version="1.41", timeout=60)
        for url in (f"unix://{DOCKER_SOCKET}", podman_url())
    ]
    made = [
        client.containers.run(TEST_IMAGE, SLEEPER, name=f"{prefix}-{where}", detach=True)
        for client, where in zip(clients, ("dk", "pm"), strict=True)
    ]
    yield prefix, clients[0], clients[1]
    for container in made:
        container.remove(force=True)
    for client in clients:
        client.close()


def test_two_engines_in_one_list_and_a_key_to_the_right_one(
    pair: tuple[str, docker.DockerClient, docker.DockerClient], tmp_path: Path
) -> None:
    prefix, dockerd, podman = pair
    command = [
        *("env", f"XDG_CONFIG_HOME={tmp_path}", DOCKYARD),
        *("--engine", "docker", "--engine", f"pod={podman_url()}"),
    ]
    app = TmuxSession(command, width=140, height=34)
    try:
        app.send("/")
        app.type(prefix)
        app.send("Enter")

        def both_listed(screen: str) -> bool:
            lines = screen.splitlines()
            return any(f"{prefix}-dk" in line and " docker " in line for line in lines) and any(
                f"{prefix}-pm" in line and " pod " in line for line in lines
            )

        screen = app.wait_for(both_listed, timeout=40)
        assert "6 Fleet" in screen and "Traceback" not in screen
        app.send("/", "Escape")  # the filter cleared
        # Before the next key: an escape followed at once by `/` reads as alt+/.
        app.wait_for(lambda s: "▔▔▔" not in s)
        app.send("/")
        app.type(f"{prefix}-pm")
        app.send("Enter")
        app.wait_for(lambda s: f"{prefix}-pm" in s and f"{prefix}-dk" not in s)
        app.send("G")  # the last row: below pod's status row, the only one left
        app.wait_for(lambda s: "Stop" in s.splitlines()[-1])  # the key bar: a running row's keys
        app.send("x")
        app.wait_for(lambda s: f"{prefix}-pm" in s and "exited" in s, timeout=30)
        assert podman.containers.get(f"{prefix}-pm").status == "exited"
        assert dockerd.containers.get(f"{prefix}-dk").status == "running"
        app.send("q")
        assert app.wait_for_exit(timeout=15) == 0
    finally:
        app.close()
