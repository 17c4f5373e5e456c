"""Healthchecks on the native engine, driven by the real docker CLI."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.native.conftest import TEST_IMAGE, NativeDaemon, load_test_image, wait_for

pytestmark = pytest.mark.native


def _state(daemon: NativeDaemon, ref: str) -> dict[str, Any]:
    state: dict[str, Any] = json.loads(daemon.out("inspect", ref))[0]["State"]
    return state


def _health(daemon: NativeDaemon, ref: str) -> dict[str, Any]:
    return _state(daemon, ref).get("Health") or {}


def _run(daemon: NativeDaemon, cleanup: list[str], name: str, *flags: str) -> str:
    cleanup.append(name)
    return daemon.out("run", "-d", "--name", name, *flags, TEST_IMAGE, "sleep", "1000")


def test_passing_check_turns_healthy_and_shows_in_ps(
    native: NativeDaemon, cleanup_containers: list[str]
) -> None:
    since = str(int(time.time()) - 1)
    _run(
        native,
        cleanup_containers,
        "hc-good",
        "--health-cmd",
        "echo fine",
        "--health-interval",
        "1s",
    )
    config = json.loads(native.out("inspect", "hc-good"))[0]["Config"]["Healthcheck"]
    assert config["Test"] == ["CMD-SHELL", "echo fine"] and config["Interval"] == 1_000_000_000
    assert _health(native, "hc-good")["Status"] == "starting"
    status = native.out("ps", "--filter", "name=hc-good", "--format", "{{.Status}}")
    assert status.endswith("(health: starting)")

    wait_for(lambda: _health(native, "hc-good").get("Status") == "healthy", what="healthy")
    health = _health(native, "hc-good")
    assert health["FailingStreak"] == 0
    entry = health["Log"][-1]
    assert entry["ExitCode"] == 0 and entry["Output"] == "fine\n"
    assert entry["Start"] <= entry["End"]
    assert native.out("ps", "--filter", "name=hc-good", "--format", "{{.Status}}").endswith(
        "(healthy)"
    )
    assert native.out("ps", "-q", "--filter", "health=healthy", "--filter", "name=hc-good")

    until = str(int(time.time()) + 1)
    actions = native.out("events", "--since", since, "--until", until,
                         "--filter", "container=hc-good", "--format", "{{.Action}}")  # fmt: skip
    assert "health_status: healthy" in actions.splitlines()


def test_failing_check_turns_unhealthy_after_retries(
    native: NativeDaemon, cleanup_containers: list[str]
) -> None:
    since = str(int(time.time()) - 1)
    flags = (
        "--health-cmd",
        "echo broken; false",
        "--health-interval",
        "1s",
        "--health-retries",
        "2",
    )
    _run(native, cleanup_containers, "hc-bad", *flags)
    wait_for(lambda: _health(native, "hc-bad").get("Status") == "unhealthy", what="unhealthy")
    health = _health(native, "hc-bad")
    assert health["FailingStreak"] >= 2
    assert len(health["Log"]) >= 2
    assert all(e["ExitCode"] == 1 and e["Output"] == "broken\n" for e in health["Log"])
    assert native.out("ps", "--filter", "name=hc-bad", "--format", "{{.Status}}").endswith(
        "(unhealthy)"
    )
    # The log keeps only the last five probes.
    wait_for(lambda: _health(native, "hc-bad")["FailingStreak"] >= 6, what="six failures")
    assert len(_health(native, "hc-bad")["Log"]) == 5

    until = str(int(time.time()) + 1)
    actions = native.out("events", "--since", since, "--until", until,
                         "--filter", "container=hc-bad", "--format", "{{.Action}}")  # fmt: skip
    # The event is sent on the change only, not on each failing probe.
    assert actions.splitlines().count("health_status: unhealthy") == 1


def test_probe_beyond_timeout_fails(native: NativeDaemon, cleanup_containers: list[str]) -> None:
    flags = ("--health-cmd", "sleep 30", "--health-interval", "1s",
             "--health-timeout", "1s", "--health-retries", "1")  # fmt: skip
    _run(native, cleanup_containers, "hc-slow", *flags)
    wait_for(
        lambda: _health(native, "hc-slow").get("Status") == "unhealthy", 30, what="timeout failure"
    )
    entry = _health(native, "hc-slow")["Log"][0]
    assert entry["ExitCode"] == -1
    assert entry["Output"] == "Health check exceeded timeout (1s)"
    # The hung probe was killed, not left behind inside the container.
    wait_for(lambda: "sleep 30" not in native.out("top", "hc-slow"), what="the probe to be killed")


def test_start_period_failures_do_not_count(
    native: NativeDaemon, cleanup_containers: list[str]
) -> None:
    flags = ("--health-cmd", "false", "--health-interval", "1s",
             "--health-retries", "1", "--health-start-period", "1h")  # fmt: skip
    _run(native, cleanup_containers, "hc-grace", *flags)
    wait_for(lambda: len(_health(native, "hc-grace").get("Log") or []) >= 2, what="two probes")
    health = _health(native, "hc-grace")
    assert (health["Status"], health["FailingStreak"]) == ("starting", 0)


def test_no_healthcheck_and_stop_ends_probing(
    native: NativeDaemon, cleanup_containers: list[str]
) -> None:
    _run(native, cleanup_containers, "hc-none", "--no-healthcheck")
    state = _state(native, "hc-none")
    assert "Health" not in state
    assert json.loads(native.out("inspect", "hc-none"))[0]["Config"]["Healthcheck"]["Test"] == [
        "NONE"
    ]
    assert "health" not in native.out("ps", "--filter", "name=hc-none", "--format", "{{.Status}}")

    _run(native, cleanup_containers, "hc-stop", "--health-cmd", "true", "--health-interval", "1s")
    wait_for(lambda: _health(native, "hc-stop").get("Status") == "healthy", what="healthy")
    native.out("stop", "-t", "0", "hc-stop")
    probes = len(_health(native, "hc-stop")["Log"])
    # Stopped: no probe runs for well over two intervals (an observation window, not a sync).
    deadline = time.monotonic() + 2.5
    while time.monotonic() < deadline:
        assert len(_health(native, "hc-stop")["Log"]) == probes
        time.sleep(0.2)
    # A new start begins at "starting" again, keeping the earlier log.
    native.out("start", "hc-stop")
    health = _health(native, "hc-stop")
    assert (health["Status"], len(health["Log"])) == ("starting", probes)


def test_image_healthcheck_is_the_default(
    native: NativeDaemon, cleanup_containers: list[str]
) -> None:
    dockerfile = f"FROM {TEST_IMAGE}\nHEALTHCHECK --interval=1s --retries=7 CMD echo from-image\n"
    env = dict(os.environ, DOCKER_HOST=native.docker_host, DOCKER_BUILDKIT="0")
    env.pop("DOCKER_CONTEXT", None)
    built = subprocess.run(["docker", "build", "-q", "-t", "hc-image:test", "-"],
                           input=dockerfile.encode(), env=env, capture_output=True,
                           timeout=120, check=False)  # fmt: skip
    assert built.returncode == 0, built.stderr.decode()
    try:
        cleanup_containers.append("hc-from-image")
        native.out("run", "-d", "--name", "hc-from-image", "hc-image:test", "sleep", "1000")
        wait_for(
            lambda: _health(native, "hc-from-image").get("Status") == "healthy", what="healthy"
        )
        assert _health(native, "hc-from-image")["Log"][-1]["Output"] == "from-image\n"
        # A container's own setting overrides the image's field by field.
        cleanup_containers.append("hc-override")
        native.out("run", "-d", "--name", "hc-override", "--health-retries", "2",
                   "hc-image:test", "sleep", "1000")  # fmt: skip
        check = json.loads(native.out("inspect", "hc-override"))[0]["Config"]["Healthcheck"]
        assert check["Test"] == ["CMD-SHELL", "echo from-image"]
        assert (check["Retries"], check["Interval"]) == (2, 1_000_000_000)
    finally:
        for ref in cleanup_containers:
            native.docker("rm", "-f", ref, check=False)
        native.docker("rmi", "-f", "hc-image:test", check=False)


def test_probing_resumes_after_live_restore(daemon_factory: Callable[[], NativeDaemon]) -> None:
    daemon = daemon_factory()
    load_test_image(daemon)
    flags = ("--health-cmd", "test -e /tmp/ok", "--health-interval", "1s", "--health-retries", "1")
    daemon.out("run", "-d", "--name", "hc-adopted", *flags, TEST_IMAGE, "sleep", "1000")
    wait_for(lambda: _health(daemon, "hc-adopted").get("Status") == "unhealthy", what="unhealthy")

    daemon.kill9()
    daemon.start()
    assert _health(daemon, "hc-adopted")["Status"] == "unhealthy"
    daemon.out("exec", "hc-adopted", "touch", "/tmp/ok")
    wait_for(lambda: _health(daemon, "hc-adopted").get("Status") == "healthy", what="healthy")
    daemon.out("rm", "-f", "hc-adopted")
