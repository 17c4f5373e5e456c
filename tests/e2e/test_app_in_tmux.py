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
        "env",
        f"XDG_CONFIG_HOME={tmp_path}",
        DOCKYARD,
        "--engine",
        "docker",
    ]
    session = TmuxSession(env_command, width=120, height=34)
    yield session
    session.close()


def test_the_list_shows_real_containers_and_stop_start_work(
    two_containers: tuple[str, str], app_in_tmux: TmuxSession, docker_client: docker.DockerClient
) -> None:
    web, ticker = two_containers
    # The list is painted first; the header follows within a frame or two.
    screen = app_in_tmux.wait_for(lambda s: web in s and ticker in s and "api 1.41" in s)
    assert "docker" in screen.splitlines()[0] and "Traceback" not in screen

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


def test_keys_typed_right_behind_the_filters_enter_go_to_the_list(
    two_containers: tuple[str, str], app_in_tmux: TmuxSession, docker_client: docker.DockerClient
) -> None:
    """A burst, as over SSH: the filter, its Enter and a stop key in one write."""
    web, ticker = two_containers
    app_in_tmux.wait_for(lambda s: web in s and ticker in s)
    app_in_tmux.send("/", web, "Enter", "x")
    screen = app_in_tmux.wait_for(
        lambda s: any(web in line and "exited" in line for line in s.splitlines())
    )
    assert f"{web}x" not in screen
    assert docker_client.api.inspect_container(web)["State"]["Status"] == "exited"
    assert docker_client.api.inspect_container(ticker)["State"]["Running"]


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


def _focus_only(app: TmuxSession, name: str, hidden: str | None = None) -> None:
    app.send("/")
    app.type(name)
    app.send("Enter")
    app.wait_for(lambda s: name in s and (hidden is None or hidden not in s))


def test_logs_filter_and_search(two_containers: tuple[str, str], app_in_tmux: TmuxSession) -> None:
    web, ticker = two_containers
    app_in_tmux.wait_for(ticker)
    _focus_only(app_in_tmux, ticker, hidden=web)
    app_in_tmux.wait_for("line-12")  # the Logs tab follows the selected container
    app_in_tmux.send("Tab")  # table -> detail tabs
    app_in_tmux.send("Tab")  # tabs -> the log view
    app_in_tmux.wait_for("F Filter lines")
    app_in_tmux.send("F")
    app_in_tmux.type("line-1")
    app_in_tmux.send("Enter")
    screen = app_in_tmux.wait_for("filter:/line-1/")
    shown = [line.split()[0] for line in screen.splitlines() if line.startswith("line-")]
    assert shown and all(s.startswith("line-1") for s in shown), shown
    app_in_tmux.send("/")
    app_in_tmux.type("line-11")
    app_in_tmux.send("Enter")
    app_in_tmux.wait_for("search:/line-11/")


def test_a_shell_in_a_container_from_the_main_screen(
    two_containers: tuple[str, str], app_in_tmux: TmuxSession
) -> None:
    web, ticker = two_containers
    app_in_tmux.wait_for(web)
    _focus_only(app_in_tmux, web, hidden=ticker)
    app_in_tmux.send("e")
    app_in_tmux.wait_for("Leave terminal")  # the terminal has focus
    app_in_tmux.type("echo hi-$((40+2))")
    app_in_tmux.send("Enter")
    app_in_tmux.wait_for("hi-42")
    app_in_tmux.type("exit 3")
    app_in_tmux.send("Enter")
    app_in_tmux.wait_for("sh: exit 3")  # the tab keeps the exit code
