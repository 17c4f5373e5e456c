"""Native only: networking survives a daemon restart, and a stop with nothing running cleans up."""

from __future__ import annotations

import os
import signal
import sqlite3
from collections.abc import Iterator

import pytest

from native_runtime.network import Naming
from tests.conftest import require
from tests.native.conftest import NativeDaemon, load_test_image, new_daemon, wait_for
from tests.native_cli.conftest import (
    TEST_IMAGE,
    fetch_when_ready,
    free_port,
    httpd,
    native_ready,
    net_leftovers,
)
from tests.native_network.nstools import link_names


@pytest.fixture
def own_daemon() -> Iterator[NativeDaemon]:
    """A daemon this test may kill and restart on the same data root."""
    missing = native_ready()
    require(missing is None, missing or "")
    daemon = new_daemon()
    try:
        daemon.start()
        load_test_image(daemon)
        yield daemon
    finally:
        daemon.destroy()
    assert not net_leftovers(daemon.net_tag)


def _veths(tag: str) -> list[str]:
    return [n for n in link_names() if n.startswith(Naming.tagged(tag).veth_prefix)]


def _ping_by_name(daemon: NativeDaemon, source: str, target: str) -> bool:
    pinged = daemon.docker("exec", source, "ping", "-c", "1", "-W", "1", target, check=False)
    return pinged.returncode == 0


def test_restart_keeps_running_networking_and_stop_cleans_up(own_daemon: NativeDaemon) -> None:
    d = own_daemon
    port = free_port()
    d.out("network", "create", "mynet")
    d.out("run", "-d", "--name", "web", "-p", f"{port}:8080", TEST_IMAGE, *httpd("kept"))
    d.out("run", "-d", "--name", "c1", "--net", "mynet", TEST_IMAGE, "sleep", "300")
    d.out("run", "-d", "--name", "c2", "--net", "mynet", TEST_IMAGE, "sleep", "300")
    url = f"http://127.0.0.1:{port}/index.html"
    fetch_when_ready(url, "kept")
    ip = d.out("inspect", "-f", "{{.NetworkSettings.IPAddress}}", "web")
    d.out("run", "-d", "--name", "dies", TEST_IMAGE, "sleep", "300")
    dies_pid = int(d.out("inspect", "-f", "{{.State.Pid}}", "dies"))
    veths = len(_veths(d.net_tag))

    d.kill9()  # a crash: containers and their namespaces outlive the daemon
    assert net_leftovers(d.net_tag), "the sandboxes must outlive a crashed daemon"
    os.kill(dies_pid, signal.SIGKILL)  # one container ends while no daemon watches
    d.start()
    # Its exit is found at start and its sandbox torn down; the others are kept.
    wait_for(
        lambda: d.out("inspect", "-f", "{{.State.Status}}", "dies") == "exited",
        what="the exit that happened while the daemon was down",
    )
    assert len(_veths(d.net_tag)) == veths - 1
    assert d.out("inspect", "-f", "{{.NetworkSettings.IPAddress}}", "dies") == ""
    fetch_when_ready(url, "kept")  # the port proxy is back
    assert d.out("inspect", "-f", "{{.NetworkSettings.IPAddress}}", "web") == ip
    assert _ping_by_name(d, "c1", "c2")  # the network's DNS is back

    d.stop()  # graceful, containers still running: nothing is torn down
    assert net_leftovers(d.net_tag)
    d.start()
    fetch_when_ready(url, "kept")
    assert _ping_by_name(d, "c2", "c1")

    d.out("stop", "-t", "1", "web", "c1", "c2")
    d.stop()  # nothing runs now: the daemon removes every bridge, veth and rule
    assert net_leftovers(d.net_tag) == []
    d.start()
    # Started again, the networks come back from the store, and containers run again.
    d.out("start", "c1", "c2")
    assert _ping_by_name(d, "c1", "c2")
    d.out("rm", "-f", "web", "c1", "c2", "dies")
    d.out("network", "rm", "mynet")


def test_a_container_from_before_networking_gets_a_plan_at_start(
    own_daemon: NativeDaemon,
) -> None:
    d = own_daemon
    d.out("create", "--name", "old", TEST_IMAGE, "sleep", "300")
    d.stop()
    # What a data root written by the daemon before networking was wired looks like.
    with sqlite3.connect(d.data_root / "dockyard.db") as db:
        db.execute("DELETE FROM net_plans")
    db.close()
    d.start()
    d.out("start", "old")
    assert d.out("inspect", "-f", "{{.NetworkSettings.Networks.bridge.IPAddress}}", "old")
    d.out("rm", "-f", "old")
