"""Watching containers: stats, top, events, wait conditions, pause, restart policies."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import docker
import pytest

from tests.native.conftest import TEST_IMAGE, NativeDaemon, wait_for

pytestmark = pytest.mark.native


@pytest.fixture
def busy(native: NativeDaemon) -> Iterator[str]:
    name = "native-busy-observe"
    native.out("run", "-d", "--name", name, "--memory", "48m", TEST_IMAGE, "sleep", "1000")
    yield name
    native.docker("rm", "-f", name, check=False)


def test_stats_no_stream(native: NativeDaemon, busy: str) -> None:
    out = native.out("stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}} {{.PIDs}}", busy)
    name, usage, _slash, limit, pids = out.split()
    assert name == busy and limit == "48MiB" and pids == "1"
    assert usage.endswith("iB")


def test_stats_stream_has_docker_shape(native: NativeDaemon, busy: str) -> None:
    client = docker.DockerClient(base_url=native.docker_host, version="1.41")
    try:
        stream = client.api.stats(busy, decode=True, stream=True)
        first, second = next(stream), next(stream)
        stream.close()
    finally:
        client.close()
    for sample in (first, second):
        assert sample["memory_stats"]["limit"] == 48 * 1024 * 1024
        assert sample["cpu_stats"]["system_cpu_usage"] > 0
        assert sample["pids_stats"]["current"] == 1
    assert second["precpu_stats"]["system_cpu_usage"] == first["cpu_stats"]["system_cpu_usage"]


def test_top_lists_container_processes(native: NativeDaemon, busy: str) -> None:
    lines = native.out("top", busy).splitlines()
    assert lines[0].split()[:2] == ["UID", "PID"]
    # `runc start` returns before the container's first process has exec'd its command.
    wait_for(
        lambda: any("sleep 1000" in line for line in native.out("top", busy).splitlines()[1:]),
        what="sleep 1000 in docker top",
    )


def test_pause_and_unpause(native: NativeDaemon, busy: str) -> None:
    native.out("pause", busy)
    assert json.loads(native.out("inspect", busy))[0]["State"]["Status"] == "paused"
    assert "Paused" in native.out("ps", "--filter", f"name={busy}", "--format", "{{.Status}}")
    native.out("unpause", busy)
    assert json.loads(native.out("inspect", busy))[0]["State"]["Status"] == "running"


def test_events_stream_reports_lifecycle(native: NativeDaemon) -> None:
    since = str(int(time.time()) - 1)
    native.out("run", "--rm", "--name", "native-evented", TEST_IMAGE, "true")
    until = str(int(time.time()) + 1)
    out = native.out("events", "--since", since, "--until", until,
                     "--filter", "container=native-evented", "--format", "{{.Action}}")  # fmt: skip
    actions = out.split()
    for action in ("create", "start", "die", "destroy"):
        assert action in actions
    assert actions.index("create") < actions.index("start") < actions.index("die")


def test_wait_returns_exit_code(native: NativeDaemon) -> None:
    cid = native.out("run", "-d", TEST_IMAGE, "sh", "-c", "sleep 0.3; exit 6")
    try:
        assert native.out("wait", cid) == "6"
    finally:
        native.docker("rm", "-f", cid, check=False)


def test_restart_policy_on_failure(native: NativeDaemon) -> None:
    cid = native.out("run", "-d", "--restart", "on-failure:2", TEST_IMAGE, "sh", "-c", "exit 3")
    try:
        wait_for(
            lambda: (
                json.loads(native.out("inspect", cid))[0]["RestartCount"] == 2
                and json.loads(native.out("inspect", cid))[0]["State"]["Status"] == "exited"
            ),
            what="two restarts, then rest",
        )
        assert json.loads(native.out("inspect", cid))[0]["State"]["ExitCode"] == 3
    finally:
        native.docker("rm", "-f", cid, check=False)


def test_restart_policy_always_survives_exit_but_not_stop(native: NativeDaemon) -> None:
    cid = native.out("run", "-d", "--restart", "always", TEST_IMAGE, "sh", "-c", "sleep 0.2")
    try:
        wait_for(
            lambda: json.loads(native.out("inspect", cid))[0]["RestartCount"] >= 1,
            what="a restart",
        )
        native.out("stop", "-t", "0", cid)
        assert json.loads(native.out("inspect", cid))[0]["State"]["Running"] is False
    finally:
        native.docker("rm", "-f", cid, check=False)


def test_system_df_and_info(native: NativeDaemon) -> None:
    assert "Images" in native.out("system", "df")
    info = json.loads(native.out("info", "--format", "{{json .}}"))
    assert info["Driver"] == "overlay" and info["Images"] >= 1
