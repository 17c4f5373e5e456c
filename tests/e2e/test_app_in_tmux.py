"""The real app in a real terminal against the real dockerd: keys in, screen read back."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from tests.e2e.tmux import TmuxSession
from tests.fixtures.docker import TEST_IMAGE

pytestmark = [pytest.mark.docker, pytest.mark.e2e]

DOCKYARD = str(Path(sys.executable).with_name("dockyard"))


@pytest.fixture
def two_containers(docker_client: docker.DockerClient) -> Iterator[tuple[str, str]]:
    prefix = f"e2e{uuid.uuid4().hex[:6]}"
    web = docker_client.containers.run(
        TEST_IMAGE, ["httpd", "-f", "-p", "8080"], name=f"{prefix}-web", detach=True
    )
    ticker = docker_client.containers.run(
        TEST_IMAGE,
        ["sh", "-c", "i=0; while :; do i=$((i+1)); echo line-$i; sleep 0.2; done"],
        name=f"{prefix}-ticker",
        detach=True,
    )
    yield web.name, ticker.name
    for container in (web, ticker):
        container.remove(force=True)


@pytest.fixture
def app_in_tmux(tmp_path: Path) -> Iterator[TmuxSession]:
    env_command = [
        "env", f"XDG_CONFIG_HOME={tmp_path}", DOCKYARD, "--engine", "docker",
    ]
    session = TmuxSession(env_command, width=120, height=34)
    yield session
    session.close()


def test_the_list_shows_real_containers_and_stop_start_work(
    two_containers: tuple[str, str], app_in_tmux: TmuxSession, docker_client: docker.DockerClient
) -> None:
    web, ticker = two_containers
    screen = app_in_tmux.wait_for(lambda s: web in s and ticker in s)
    assert "docker" in screen and "Traceback" not in screen

    # narrow the list to the web container, so the cursor is on it whatever else runs
    app_in_tmux.send("/")
    app_in_tmux.type(web)
    app_in_tmux.send("Enter")
    app_in_tmux.wait_for(lambda s: web in s and ticker not in s)
    app_in_tmux.send("x")  # stop
    app_in_tmux.wait_for(lambda s: any(web in line and "exited" in line for line in s.splitlines()))
    assert docker_client.api.inspect_container(web)["State"]["Status"] == "exited"
    app_in_tmux.send("s")  # start
    app_in_tmux.wait_for(
        lambda s: any(web in line and "running" in line for line in s.splitlines()), timeout=30
    )
    assert docker_client.api.inspect_container(web)["State"]["Running"]


def test_a_container_started_elsewhere_shows_up(
    app_in_tmux: TmuxSession, docker_client: docker.DockerClient
) -> None:
    app_in_tmux.wait_for("Containers")
    name = f"e2e-late-{uuid.uuid4().hex[:6]}"
    container = docker_client.containers.run(TEST_IMAGE, ["sleep", "3600"], name=name, detach=True)
    try:
        app_in_tmux.wait_for(name, timeout=5)  # driven by the events stream, not a slow poll
    finally:
        container.remove(force=True)
