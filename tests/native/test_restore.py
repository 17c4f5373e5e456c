"""Live restore: containers outlive a kill -9 of the daemon and are re-adopted."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable

import pytest

from tests.native.conftest import NativeDaemon, load_test_image, wait_for

pytestmark = pytest.mark.native


def test_kill9_daemon_keeps_container_and_logs(daemon_factory: Callable[[], NativeDaemon]) -> None:
    daemon = daemon_factory()
    load_test_image(daemon)
    script = "i=0; while true; do echo tick$i; i=$((i+1)); sleep 0.1; done"
    cid = daemon.out("run", "-d", "--name", "survivor", "dockyard-test/busybox", "sh", "-c", script)
    wait_for(lambda: b"tick3" in daemon.docker("logs", "survivor").stdout, what="first ticks")
    pid_before = json.loads(daemon.out("inspect", cid))[0]["State"]["Pid"]

    daemon.kill9()
    daemon.start()

    state = json.loads(daemon.out("inspect", cid))[0]["State"]
    assert state["Running"] is True and state["Pid"] == pid_before
    logs = daemon.docker("logs", "survivor").stdout.decode().split()
    assert logs[:4] == ["tick0", "tick1", "tick2", "tick3"]
    # The adopted container is still fully managed: its exit is noticed.
    daemon.out("kill", "survivor")
    wait_for(
        lambda: json.loads(daemon.out("inspect", cid))[0]["State"]["Status"] == "exited",
        what="the adopted container's exit",
    )


def test_exit_while_daemon_is_down_is_recorded(daemon_factory: Callable[[], NativeDaemon]) -> None:
    daemon = daemon_factory()
    load_test_image(daemon)
    cid = daemon.out("run", "-d", "dockyard-test/busybox", "sleep", "1000")
    daemon.kill9()
    # With the daemon gone, end the container the way a crash would.
    pidfile = daemon.data_root / "containers" / cid / "bundle" / "pidfile"
    pid = int(pidfile.read_text().strip())
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: (daemon.data_root / "exits" / cid).exists(), what="conmon's exit file")
    daemon.start()
    wait_for(
        lambda: json.loads(daemon.out("inspect", cid))[0]["State"]["Status"] == "exited",
        what="the exit to be recorded",
    )
    assert json.loads(daemon.out("inspect", cid))[0]["State"]["ExitCode"] == 137
