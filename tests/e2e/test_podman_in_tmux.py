"""The real app in tmux on Podman (the rig's `podman system service`): list, logs, a shell."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from tests.e2e.tmux import TmuxSession
from tests.fixtures.docker import TEST_IMAGE
from tests.fixtures.podman import podman_url

pytestmark = [pytest.mark.docker, pytest.mark.e2e]

DOCKYARD = str(Path(sys.executable).with_name("dockyard"))


@pytest.fixture
def podman_ticker() -> Iterator[str]:
    client = docker.DockerClient(base_url=podman_url(), version="1.41", timeout=60)
    name = f"e2e-podman-{uuid.uuid4().hex[:6]}"
    script = "i=0; while :; do i=$((i+1)); echo pod-tick-$i; sleep 0.3; done"
    container = client.containers.run(TEST_IMAGE, ["sh", "-c", script], name=name, detach=True)
    yield name
    container.remove(force=True)
    client.close()


def test_the_ui_on_podman(podman_ticker: str, tmp_path: Path) -> None:
    command = ["env", f"XDG_CONFIG_HOME={tmp_path}", DOCKYARD, "--engine", podman_url()]
    app = TmuxSession(command, width=120, height=34)
    try:
        screen = app.wait_for(podman_ticker, timeout=30)
        assert "podman.sock" in screen.splitlines()[0] and "Traceback" not in screen
        app.send("/")
        app.type(podman_ticker)
        app.send("Enter")
        app.wait_for("pod-tick-3", timeout=30)  # the Logs tab follows the container
        app.send("e")
        app.wait_for("Leave terminal", timeout=30)
        app.type("echo on-podman-$((40+2))")
        app.send("Enter")
        app.wait_for("on-podman-42", timeout=30)
        app.send("C-]")
        app.wait_for(lambda s: "Leave terminal" not in s)
        app.send("Escape")  # back to the main screen
        app.wait_for("1 Containers")
        app.send("2")  # images: Podman's docker.io names shown as docker shows them
        app.wait_for(lambda s: "dockyard-test/busybox" in s and "docker.io/" not in s)
    finally:
        app.close()
