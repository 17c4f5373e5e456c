"""`dockyard --engine ssh://...` from the command line: it works, or it says why in one line."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.ssh.conftest import SSHRig

pytestmark = pytest.mark.docker

DOCKYARD = str(Path(sys.executable).with_name("dockyard"))


def dockyard(config: str, *args: str) -> tuple[int, str, str, float]:
    started = time.monotonic()
    done = subprocess.run(
        [DOCKYARD, *args],
        env={**os.environ, "DOCKYARD_SSH_CONFIG": config},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    return done.returncode, done.stdout, done.stderr, time.monotonic() - started


def test_the_topology_of_a_host_over_ssh(ssh_rig: SSHRig) -> None:
    code, out, err, _ = dockyard(
        ssh_rig.config, "topology", "--engine", ssh_rig.url(), "--width", "100"
    )
    assert code == 0, err
    assert "bridge" in out


@pytest.mark.parametrize(
    ("config", "port", "expected"),
    [
        ("config_stranger", "port", "the host refused our ssh key"),
        ("config_unknown_host", "port", "the host key is unknown or changed"),
        ("config", "port_without_docker", "no docker CLI on the host"),
    ],
)
def test_a_failing_host_is_one_line_and_exit_2(
    ssh_rig: SSHRig, config: str, port: str, expected: str
) -> None:
    url = ssh_rig.url(getattr(ssh_rig, port))
    code, out, err, _ = dockyard(getattr(ssh_rig, config), "--engine", url)
    assert code == 2
    assert err.splitlines() == [err.strip()] and err.startswith(f"dockyard: {url}: {expected}")
    assert out == ""


def test_a_silent_host_fails_in_seconds_not_a_hang(ssh_rig: SSHRig, silent_port: int) -> None:
    code, _, err, took = dockyard(ssh_rig.config, "--engine", ssh_rig.url(silent_port))
    assert code == 2 and "the host does not answer" in err and len(err.splitlines()) == 1
    assert took < 15
