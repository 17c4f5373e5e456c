"""`dockyard engine start|status|stop` find a native daemon by its socket or its data root,
and `engine status` alone lists every native daemon on the host."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from native_runtime.control import alive
from tests.native.conftest import NativeDaemon, new_daemon, wait_for

pytestmark = pytest.mark.native

DOCKYARD = str(Path(sys.executable).with_name("dockyard"))


def dockyard(*args: str, tag: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DOCKYARD_SOCKET", "DOCKYARD_DATA_ROOT")
    }
    env["DOCKYARD_NET_TAG"] = tag  # never the real daemon's bridge and chains
    return subprocess.run(
        [DOCKYARD, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def started(daemon: NativeDaemon) -> int:
    """`engine start --data-root D --socket S`, as a new user would; the daemon's pid."""
    done = dockyard(
        "engine", "start", "--data-root", str(daemon.data_root), "--socket", daemon.socket,
        tag=daemon.net_tag,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return int((daemon.data_root / "daemon.pid").read_text())


@pytest.fixture
def two_daemons() -> Iterator[list[NativeDaemon]]:
    daemons = [new_daemon(), new_daemon()]
    for daemon in daemons:
        daemon.net_tag = secrets.token_hex(2)
    yield daemons
    for daemon in daemons:
        dockyard("engine", "stop", "--data-root", str(daemon.data_root), tag=daemon.net_tag)
        daemon.destroy()


def test_stop_and_status_by_socket_or_data_root(two_daemons: list[NativeDaemon]) -> None:
    first, second = two_daemons
    first_pid, second_pid = started(first), started(second)

    by_socket = dockyard("engine", "status", "--socket", first.socket, tag=first.net_tag)
    assert by_socket.returncode == 0 and f"pid {first_pid}" in by_socket.stdout
    by_root = dockyard("engine", "status", "--data-root", str(second.data_root), tag="0000")
    assert by_root.returncode == 0 and f"pid {second_pid}" in by_root.stdout

    listing = dockyard("engine", "status", tag="0000")
    assert listing.returncode == 0
    lines = listing.stdout.splitlines()
    assert lines[0].split() == ["PID", "SOCKET", "DATA", "ROOT", "CONTAINERS"]
    for daemon, pid in ((first, first_pid), (second, second_pid)):
        row = next(line.split() for line in lines if line.split()[0] == str(pid))
        assert row == [str(pid), daemon.socket, str(daemon.data_root), "0"]

    # the socket alone is enough to stop the daemon serving it
    stopped = dockyard("engine", "stop", "--socket", first.socket, tag=first.net_tag)
    assert stopped.returncode == 0 and stopped.stdout.strip() == "stopped"
    wait_for(lambda: not alive(first_pid), what="the first daemon to exit")
    assert alive(second_pid), "only the daemon on that socket stops"
    gone = dockyard("engine", "status", "--socket", first.socket, tag=first.net_tag)
    assert gone.returncode == 1 and "not running" in gone.stdout
    assert str(first_pid) not in dockyard("engine", "status", tag="0000").stdout

    stopped = dockyard("engine", "stop", "--data-root", str(second.data_root), tag="0000")
    assert stopped.stdout.strip() == "stopped"
    wait_for(lambda: not alive(second_pid), what="the second daemon to exit")


def test_a_daemon_killed_outright_is_not_listed(two_daemons: list[NativeDaemon]) -> None:
    daemon = two_daemons[0]
    pid = started(daemon)
    os.kill(pid, 9)
    wait_for(lambda: not alive(pid), what="the daemon to die")
    listing = dockyard("engine", "status", tag="0000")
    assert str(pid) not in listing.stdout
