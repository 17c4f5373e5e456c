"""The real docker CLI against a native daemon with the registry routes: push, pull, run, login."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.native.conftest import NativeDaemon, load_test_image
from tests.native_registry.rig import PASSWORD, TEST_IMAGE, USER, Registry

DOCKERD = "unix:///var/run/docker.sock"


@pytest.fixture(scope="module")
def daemon() -> Iterator[NativeDaemon]:
    if os.geteuid() != 0:
        pytest.skip("the native engine needs root")
    wired = NativeDaemon(Path(tempfile.mkdtemp(prefix="dyr-", dir="/tmp")))
    try:
        wired.start()
        load_test_image(wired)
        yield wired
    finally:
        wired.destroy()


@pytest.fixture
def docker_config() -> Iterator[Path]:
    """A private ~/.docker so `docker login` never touches the user's own config."""
    folder = Path(tempfile.mkdtemp(prefix="dyr-cfg-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def cli(host: str, config: Path, *args: str, stdin: bytes | None = None,
        check: bool = True) -> subprocess.CompletedProcess[str]:  # fmt: skip
    env = dict(os.environ, DOCKER_HOST=host, DOCKER_CONFIG=str(config))
    env.pop("DOCKER_CONTEXT", None)
    done = subprocess.run(
        ["docker", *args], input=stdin.decode() if stdin else None, capture_output=True,
        text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    if check:
        assert done.returncode == 0, f"docker {' '.join(args)}: {done.stderr}"
    return done


def test_push_rmi_pull_run(
    daemon: NativeDaemon, plain_registry: Registry, docker_config: Path
) -> None:
    name = f"{plain_registry.host}/cli/busybox:v1"
    native = daemon.docker_host
    cli(native, docker_config, "tag", TEST_IMAGE, name)
    pushed = cli(native, docker_config, "push", name).stdout
    assert f"The push refers to repository [{plain_registry.host}/cli/busybox]" in pushed
    assert "Pushed" in pushed and "v1: digest: sha256:" in pushed
    image_id = cli(native, docker_config, "image", "inspect", "-f", "{{.Id}}", name).stdout
    cli(native, docker_config, "rmi", name, TEST_IMAGE)  # no layer is left to reuse
    pulled = cli(native, docker_config, "pull", name).stdout
    assert "Pull complete" in pulled
    assert f"Status: Downloaded newer image for {name}" in pulled
    assert cli(native, docker_config, "image", "inspect", "-f", "{{.Id}}", name).stdout == image_id
    cli(native, docker_config, "tag", name, TEST_IMAGE)  # the same image, for the next tests
    ran = cli(native, docker_config, "run", "--rm", name, "echo", "pulled and running")
    assert ran.stdout.strip() == "pulled and running"
    missing = cli(native, docker_config, "pull", f"{plain_registry.host}/cli/busybox:nope",
                  check=False)  # fmt: skip
    assert missing.returncode != 0 and "not found" in missing.stderr


def test_images_cross_between_dockerd_and_native(
    daemon: NativeDaemon, plain_registry: Registry, docker_config: Path
) -> None:
    from_dockerd = f"{plain_registry.host}/cross/from-dockerd:v1"
    from_native = f"{plain_registry.host}/cross/from-native:v1"
    try:
        cli(DOCKERD, docker_config, "tag", TEST_IMAGE, from_dockerd)
        cli(DOCKERD, docker_config, "push", from_dockerd)
        cli(daemon.docker_host, docker_config, "pull", from_dockerd)
        ran = cli(daemon.docker_host, docker_config, "run", "--rm", from_dockerd, "echo", "ok")
        assert ran.stdout.strip() == "ok"

        cli(daemon.docker_host, docker_config, "tag", TEST_IMAGE, from_native)
        cli(daemon.docker_host, docker_config, "push", from_native)
        cli(DOCKERD, docker_config, "pull", from_native)
        ran = cli(DOCKERD, docker_config, "run", "--rm", from_native, "echo", "ok")
        assert ran.stdout.strip() == "ok"
    finally:
        cli(DOCKERD, docker_config, "rmi", from_dockerd, from_native, check=False)


def test_login_then_push_and_pull_with_basic_auth(
    daemon: NativeDaemon, auth_registry: Registry, docker_config: Path
) -> None:
    native = daemon.docker_host
    name = f"{auth_registry.host}/private/busybox:v1"
    cli(native, docker_config, "tag", TEST_IMAGE, name)
    refused = cli(native, docker_config, "login", "-u", USER, "--password-stdin",
                  auth_registry.host, stdin=b"wrong\n", check=False)  # fmt: skip
    assert refused.returncode != 0
    anonymous = cli(native, docker_config, "push", name, check=False)
    assert anonymous.returncode != 0 and "unauthorized" in anonymous.stderr
    login = cli(native, docker_config, "login", "-u", USER, "--password-stdin",
                auth_registry.host, stdin=PASSWORD.encode() + b"\n")  # fmt: skip
    assert "Login Succeeded" in login.stdout
    assert "Pushed" in cli(native, docker_config, "push", name).stdout
    cli(native, docker_config, "rmi", name)
    assert "Already exists" in cli(native, docker_config, "pull", name).stdout
