"""Live restore: containers outlive a kill -9 of the daemon and are re-adopted."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import docker
import pytest

from tests.native.conftest import TEST_IMAGE, NativeDaemon, load_test_image, wait_for

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


def test_kill9_mid_run_rm_leaves_no_half_container(
    daemon_factory: Callable[[], NativeDaemon],
) -> None:
    """The daemon dies while `run --rm` containers are created, started and removed:
    after a restart every container folder has its record and every record can be removed."""
    daemon = daemon_factory()
    load_test_image(daemon)
    env = dict(os.environ, DOCKER_HOST=daemon.docker_host)
    done = daemon.root / "runs-done"
    loop = f"while docker run --rm dockyard-test/busybox true; do echo >> {done}; done"
    runs = [
        subprocess.Popen(
            ["sh", "-c", loop], env=env, stderr=subprocess.DEVNULL, start_new_session=True
        )
        for _ in range(3)
    ]
    try:
        # Some containers have come and gone: the kill lands in the middle of the churn.
        wait_for(
            lambda: done.exists() and done.read_text().count("\n") >= 3,
            timeout=60,
            what="a few removed containers",
        )
        daemon.kill9()
    finally:
        for run in runs:  # the loop and the docker CLI it runs
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    # What a kill between `rm`'s row delete and its folder's deletion leaves behind.
    orphan = daemon.data_root / "containers" / ("0" * 64)
    (orphan / "bundle").mkdir(parents=True)
    (orphan / "bundle" / "config.json").write_text("{}")
    daemon.start()

    def records() -> set[str]:
        return set(daemon.out("ps", "-aq", "--no-trunc").split())

    def folders() -> set[str]:
        return {p.name for p in (daemon.data_root / "containers").iterdir()}

    # Containers that ended while the daemon was down are removed after the restart.
    wait_for(lambda: folders() == records(), what="every container folder to have a record")
    ids = records()
    # Folders of removed containers are deleted from scratch after the answer.
    wait_for(lambda: not list((daemon.data_root / "tmp").iterdir()), what="scratch to empty")
    for cid in ids:
        assert json.loads(daemon.out("inspect", cid))[0]["Id"] == cid
    if ids:
        daemon.out("rm", "-f", *ids)
    # A removal's teardown (runc's record, the folder) runs after its answer.
    wait_for(
        lambda: not list((daemon.data_root / "containers").iterdir()),
        what="the removed containers' folders",
    )
    wait_for(lambda: not list((daemon.data_root / "runc").iterdir()), what="runc's records")
    assert daemon.docker("run", "--rm", "dockyard-test/busybox", "true").returncode == 0


def test_kill9_after_removal_answer_sweeps_the_teardown(
    daemon_factory: Callable[[], NativeDaemon],
) -> None:
    """`rm` answers once the network let go and the record is gone, and tears the rest
    down afterwards. A kill -9 in the middle of a removal leaves the row gone and any of
    runc's record, cgroups, the mount, netns, veth and network plan behind; the next start
    sweeps them all."""
    daemon = daemon_factory()
    load_test_image(daemon)
    cid = daemon.out("run", "-d", "--name", "torn", "dockyard-test/busybox", "sleep", "1000")
    db = daemon.data_root / "dockyard.db"
    with sqlite3.connect(db) as conn:
        (doc,) = conn.execute(
            "SELECT doc FROM net_endpoints WHERE container_id = ?", (cid,)
        ).fetchone()
    veth = json.loads(doc)["veth"]
    rootfs = daemon.data_root / "containers" / cid / "bundle" / "rootfs"
    netns = daemon.root / "netns" / cid
    assert is_mount(rootfs) and netns.exists() and has_link(veth)

    daemon.kill9()
    with sqlite3.connect(db) as conn:  # the removal's commit, made just before the kill
        conn.execute("DELETE FROM containers WHERE id = ?", (cid,))
    daemon.start()

    wait_for(lambda: not (daemon.data_root / "runc" / cid).exists(), what="runc's record")
    assert not is_mount(rootfs)
    assert not (daemon.data_root / "containers" / cid).exists()
    assert not netns.exists() and not has_link(veth)
    with sqlite3.connect(db) as conn:
        plans = conn.execute("SELECT count(*) FROM net_plans WHERE container_id = ?", (cid,))
        assert plans.fetchone() == (0,)
    assert daemon.out("ps", "-aq") == ""
    # The name is free again and the host is whole enough to run the next one.
    assert daemon.docker("run", "--rm", "--name", "torn", "dockyard-test/busybox", "true")


def is_mount(path: Path) -> bool:
    with open("/proc/self/mountinfo") as info:
        return any(line.split()[4] == str(path) for line in info)


def has_link(name: str) -> bool:
    return subprocess.run(["ip", "link", "show", name], capture_output=True).returncode == 0


def test_clean_stop_finishes_the_teardowns_after_answers(
    daemon_factory: Callable[[], NativeDaemon],
) -> None:
    """The teardown after a removal's answer is not lost to a stop that lands the instant
    the answer did: no runc record, folder, mount or namespace is left behind."""
    daemon = daemon_factory()
    load_test_image(daemon)
    api = docker.APIClient(base_url=daemon.docker_host, version="1.41")
    host_config = api.create_host_config(auto_remove=True)
    cid = api.create_container(TEST_IMAGE, ["true"], host_config=host_config)["Id"]
    with socket.socket(socket.AF_UNIX) as waiter:
        waiter.settimeout(30)
        waiter.connect(daemon.socket)
        waiter.sendall(
            f"POST /containers/{cid}/wait?condition=removed HTTP/1.1\r\n"
            "Host: d\r\nContent-Length: 0\r\n\r\n".encode()
        )
        answer = waiter.recv(4096)
        while b"\r\n\r\n" not in answer:  # the headers: the wait is registered
            answer += waiter.recv(4096)
        api.start(cid)
        while b"StatusCode" not in answer:
            answer += waiter.recv(4096)
    daemon.stop()
    api.close()
    assert not list((daemon.data_root / "runc").iterdir())
    assert not list((daemon.data_root / "containers").iterdir())
    assert not (daemon.root / "netns").exists() or not list((daemon.root / "netns").iterdir())
    with open("/proc/self/mountinfo") as info:
        assert not [line for line in info if str(daemon.data_root) in line]
