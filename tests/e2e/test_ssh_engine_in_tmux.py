"""The real app in tmux on an ssh:// engine (the rig's sshd): list, logs, stats and a shell."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from tests.e2e.tmux import TmuxSession
from tests.fixtures.docker import TEST_IMAGE, Resources
from tests.ssh.conftest import SSHRig, ssh_rig

pytestmark = [pytest.mark.docker, pytest.mark.e2e]

DOCKYARD = str(Path(sys.executable).with_name("dockyard"))
__all__ = ["ssh_rig"]


@pytest.fixture
def ticker(docker_client: docker.DockerClient, res: Resources) -> str:
    name = res.container()
    script = "i=0; while :; do i=$((i+1)); echo tick-$i; sleep 0.3; done"
    docker_client.containers.run(TEST_IMAGE, ["sh", "-c", script], name=name, detach=True)
    return name


def open_app(config: str, engine: str, tmp_path: Path) -> TmuxSession:
    command = ["env", f"XDG_CONFIG_HOME={tmp_path}", f"DOCKYARD_SSH_CONFIG={config}"]
    return TmuxSession([*command, DOCKYARD, "--engine", engine], width=120, height=34)


@pytest.fixture
def app_over_ssh(ssh_rig: SSHRig, tmp_path: Path) -> Iterator[TmuxSession]:
    session = open_app(ssh_rig.config, ssh_rig.url(), tmp_path)
    yield session
    session.close()


def test_list_logs_stats_and_a_shell_over_ssh(ticker: str, app_over_ssh: TmuxSession) -> None:
    app = app_over_ssh
    # a remote engine lists in the background; the shared dockerd's list may be long
    screen = app.wait_for("Containers (", timeout=60)
    assert "ssh://" in screen.splitlines()[0] and "Traceback" not in screen
    app.send("/")
    app.type(ticker)
    app.send("Enter")
    app.wait_for(lambda s: "tick-3" in s, timeout=60)  # the Logs tab follows the container
    # its row gets a memory figure from the stats stream
    app.wait_for(lambda s: any(ticker in line and "iB" in line for line in s.splitlines()), 120)
    app.send("e")
    app.wait_for("Leave terminal", timeout=60)
    app.type("echo over-ssh-$((40+2))")
    app.send("Enter")
    app.wait_for("over-ssh-42", timeout=30)
    app.type("exit 3")
    app.send("Enter")
    app.wait_for("sh: exit 3", timeout=30)


def test_a_refused_key_is_one_line_not_a_hang(ssh_rig: SSHRig, tmp_path: Path) -> None:
    session = open_app(ssh_rig.config_stranger, ssh_rig.url(), tmp_path)
    try:
        # the app ends with that line (exit 2); it can wrap and scroll above the pane's top
        screen = session.wait_for("the host refused our ssh key", timeout=30, history=True)
        assert "Traceback" not in screen
    finally:
        session.close()


def test_switching_to_a_host_without_docker_says_so_and_stays(
    ssh_rig: SSHRig, tmp_path: Path
) -> None:
    (tmp_path / "dockyard").mkdir()
    host = f"root@127.0.0.1:{ssh_rig.port_without_docker}"
    (tmp_path / "dockyard" / "config.toml").write_text(f'[engines]\nssh = ["{host}"]\n')
    session = open_app(ssh_rig.config, "docker", tmp_path)
    try:
        session.wait_for("api 1.41", timeout=30)
        session.send(":")
        session.type(f"ctx {host}")
        session.send("Enter")
        screen = session.wait_for("no docker CLI on the host", timeout=30)
        assert "Traceback" not in screen
        assert "unix:///var/run/docker.sock" in screen.splitlines()[0]  # still on dockerd
    finally:
        session.close()
