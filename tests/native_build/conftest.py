"""A throwaway native daemon serving the build routes, with the test image loaded."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import require
from tests.native.conftest import NativeDaemon, load_test_image


class BuildDaemon(NativeDaemon):
    """The native daemon, with a helper to run the classic `docker build` against it."""

    def build(
        self, context: Path, *args: str, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """`docker build` with the classic builder, as the lecture runs it."""
        env = dict(os.environ, DOCKER_HOST=self.docker_host, DOCKER_BUILDKIT="0")
        env.pop("DOCKER_CONTEXT", None)
        result = subprocess.run(
            ["docker", "build", *args, str(context)],
            capture_output=True, text=True, env=env, timeout=120, check=False,
        )  # fmt: skip
        if check and result.returncode != 0:
            raise AssertionError(f"docker build failed: {result.stdout}\n{result.stderr}")
        return result


@pytest.fixture(scope="session")
def builder_daemon() -> Iterator[BuildDaemon]:
    require(os.geteuid() == 0, "the native engine needs root")
    require(os.path.exists("/usr/sbin/runc") and os.path.exists("/usr/bin/conmon"), "runc/conmon")
    require(shutil.which("docker") is not None, "the docker CLI")
    import tempfile

    daemon = BuildDaemon(Path(tempfile.mkdtemp(prefix="dyb-", dir="/tmp")))
    try:
        daemon.start()
        load_test_image(daemon)
        yield daemon
    finally:
        daemon.destroy()
