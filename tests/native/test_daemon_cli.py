"""`python -m native_runtime status|stop` and the env-var overrides."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

import pytest

from tests.native.conftest import REPO, NativeDaemon, new_daemon, wait_for

pytestmark = pytest.mark.native


def _cli(daemon: NativeDaemon, command: str) -> subprocess.CompletedProcess[str]:
    # The paths come from the environment here, the way the lead's CLI passes them.
    env = dict(
        os.environ,
        DOCKYARD_DATA_ROOT=str(daemon.data_root),
        DOCKYARD_SOCKET=daemon.socket,
        DOCKYARD_NET_TAG=daemon.net_tag,  # never the real daemon's bridge and chains
    )
    return subprocess.run(
        [sys.executable, "-m", "native_runtime", command],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip


def test_status_and_stop(daemon_factory: Callable[[], NativeDaemon]) -> None:
    daemon = daemon_factory()
    status = _cli(daemon, "status")
    assert status.returncode == 0 and "running" in status.stdout
    assert str(daemon.proc.pid if daemon.proc else "") in status.stdout
    assert _cli(daemon, "stop").returncode == 0
    wait_for(lambda: daemon.proc is not None and daemon.proc.poll() is not None, what="exit")
    assert not os.path.exists(daemon.socket)
    down = _cli(daemon, "status")
    assert down.returncode == 1 and "not running" in down.stdout


def test_state_survives_a_clean_restart(daemon_factory: Callable[[], NativeDaemon]) -> None:
    daemon = daemon_factory()
    daemon.docker("volume", "create", "kept-volume")
    daemon.stop()
    daemon.start()
    assert daemon.out("volume", "ls", "--format", "{{.Name}}") == "kept-volume"


def test_start_detached_then_stop() -> None:
    daemon = new_daemon()
    try:
        started = _cli(daemon, "start")
        assert started.returncode == 0 and "running" in started.stdout
        assert daemon.out("version", "--format", "{{.Server.APIVersion}}") == "1.41"
        assert _cli(daemon, "start").returncode == 0  # already up: left alone
        assert _cli(daemon, "stop").stdout.strip() == "stopped"
        assert _cli(daemon, "status").returncode == 1
    finally:
        _cli(daemon, "stop")
        daemon.destroy()


def test_net_tag_must_be_four_hex_characters() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "native_runtime", "status", "--net-tag", "Nope!"],
        cwd=REPO, capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert result.returncode == 2 and "4 lowercase hex" in result.stderr


def test_a_tagged_daemon_names_its_default_bridge_after_the_tag(
    daemon_factory: Callable[[], NativeDaemon],
) -> None:
    daemon = daemon_factory()
    options = daemon.out("network", "inspect", "-f", "{{json .Options}}", "bridge")
    assert f'"com.docker.network.bridge.name":"dt{daemon.net_tag}0"' in options
    assert os.path.exists(f"/sys/class/net/dt{daemon.net_tag}0")
