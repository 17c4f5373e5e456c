"""Signals, log windows, exec inspection and image-in-use conflicts."""

from __future__ import annotations

import json
import time

import docker
import pytest

from tests.native.conftest import TEST_IMAGE, NativeDaemon, wait_for

pytestmark = pytest.mark.native


def test_kill_with_a_named_signal(native: NativeDaemon, cleanup_containers: list[str]) -> None:
    cleanup_containers.append("native-hup")
    script = "trap 'echo got-hup; exit 0' HUP; while true; do sleep 0.1; done"
    native.out("run", "-d", "--name", "native-hup", TEST_IMAGE, "sh", "-c", script)
    native.out("kill", "-s", "HUP", "native-hup")
    wait_for(lambda: b"got-hup" in native.docker("logs", "native-hup").stdout, what="the trap")
    wait_for(
        lambda: (
            json.loads(native.out("inspect", "native-hup"))[0]["State"]["ExitCode"] == 0
            and not json.loads(native.out("inspect", "native-hup"))[0]["State"]["Running"]
        ),
        what="a clean exit",
    )


def test_logs_since_and_until(native: NativeDaemon, cleanup_containers: list[str]) -> None:
    cleanup_containers.append("native-since")
    native.out("run", "-d", "--name", "native-since", TEST_IMAGE,
               "sh", "-c", "echo early; sleep 1.5; echo late; sleep 1000")  # fmt: skip
    wait_for(lambda: b"late" in native.docker("logs", "native-since").stdout, what="late line")
    stamps = native.out("logs", "-t", "native-since").splitlines()
    early_at, late_at = stamps[0].split()[0], stamps[1].split()[0]
    assert native.out("logs", "--since", late_at, "native-since") == "late"
    assert native.out("logs", "--until", early_at, "native-since") == "early"
    assert native.out("logs", "--since", str(int(time.time()) + 60), "native-since") == ""


def test_exec_inspect_reports_exit_code(
    native: NativeDaemon, cleanup_containers: list[str]
) -> None:
    cleanup_containers.append("native-execinspect")
    native.out("run", "-d", "--name", "native-execinspect", TEST_IMAGE, "sleep", "1000")
    client = docker.APIClient(base_url=native.docker_host, version="1.41")
    try:
        exec_id = client.exec_create("native-execinspect", ["sh", "-c", "exit 12"])["Id"]
        client.exec_start(exec_id)
        info = client.exec_inspect(exec_id)
        assert (info["ExitCode"], info["Running"]) == (12, False)
    finally:
        client.close()


def test_rmi_of_image_in_use_conflicts(native: NativeDaemon, cleanup_containers: list[str]) -> None:
    cleanup_containers.append("native-user")
    native.out("tag", TEST_IMAGE, "native-test/inuse:1")
    native.out("create", "--name", "native-user", "native-test/inuse:1", "true")
    image_id = native.out("image", "inspect", "--format", "{{.Id}}", "native-test/inuse:1")
    refused = native.docker("rmi", image_id, check=False)
    assert refused.returncode != 0 and b"conflict" in refused.stderr
    native.out("rmi", "native-test/inuse:1")  # a second tag: only untagged
    assert native.out("image", "inspect", "--format", "{{.Id}}", TEST_IMAGE) == image_id
