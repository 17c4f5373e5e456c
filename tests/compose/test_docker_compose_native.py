"""Debian's docker-compose 1.29 itself on the native engine: up -d, ps, logs, down -v as on dockerd.

The same project runs on dockerd and on a throwaway native daemon; `ps` must list the
same services in the same states with the same published ports, `logs` must carry each
service's output, and `down -v` must leave nothing of the project behind on either.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import docker
import pytest

from tests.compose.conftest import EXAMPLES, free_port
from tests.conftest import require
from tests.fixtures.docker import DOCKER_SOCKET
from tests.native.conftest import wait_for

pytestmark = pytest.mark.docker

# What each project's services print once they run, as `logs` shows it.
EXPECTED_LOGS = {
    "demo": ["tick", "frontend ok"],
    "tomcat-mysql": [],
    "networks": [],
    "network-mode": [],
}


def _project_files(example: str, into: Path) -> Path:
    """A copy of the example; the demo loses its top-level `name`, which 1.29 refuses."""
    source = EXAMPLES / example if example == "demo" else EXAMPLES / "lecture" / example
    target = into / example
    shutil.copytree(source, target)
    if example == "demo":
        file = target / "compose.yaml"
        lines = file.read_text().splitlines(keepends=True)
        file.write_text("".join(line for line in lines if not line.startswith("name:")))
        return file
    return target / "docker-compose.yml"


class Compose:
    """docker-compose 1.29 on one engine, for one project."""

    def __init__(self, binary: str, host: str, file: Path, project: str) -> None:
        self.command = [binary, "-f", str(file), "-p", project]
        self.env = dict(os.environ, DOCKER_HOST=host, COMPOSE_INTERACTIVE_NO_CLI="1")
        self.env.pop("DOCKER_CONTEXT", None)
        self.env.update(
            TOMCAT_HTTP_PORT=str(free_port()),
            TOMCAT_SSH_PORT=str(free_port()),
            DEMO_WEB_PORT=str(free_port()),
        )

    def run(self, *args: str, timeout: float = 180) -> str:
        done = subprocess.run(
            [*self.command, *args], env=self.env, capture_output=True, text=True,
            timeout=timeout, check=False,
        )  # fmt: skip
        assert done.returncode == 0, f"docker-compose {' '.join(args)}: {done.stderr}"
        return done.stdout

    def ps(self) -> dict[str, tuple[str, str]]:
        """Service name -> (state, published ports), host ports replaced by `*`."""
        rows: dict[str, tuple[str, str]] = {}
        for line in self.run("ps").splitlines()[2:]:
            columns = re.split(r"\s{2,}", line.strip())
            name = re.sub(r"^\w+?_(.+)_\d+$", r"\1", columns[0])
            state = next((c for c in columns[2:] if c.startswith(("Up", "Exit"))), "?")
            ports = re.sub(r":\d+->", ":*->", columns[-1]) if "->" in columns[-1] else ""
            # dockerd also publishes on IPv6 (`:::80->80/tcp`); the native engine is IPv4 only
            ports = ", ".join(p for p in re.split(r",\s*", ports) if not p.startswith(":::"))
            rows[name] = (state, ports)
        return rows


def _leftovers(host: str, project: str) -> list[str]:
    client = docker.APIClient(base_url=host, version="1.41")
    label = {"label": f"com.docker.compose.project={project}"}
    try:
        found = [c["Names"][0] for c in client.containers(all=True, filters=label)]
        found += [n["Name"] for n in client.networks(filters=label)]
        found += [v["Name"] for v in client.volumes(filters=label).get("Volumes") or ()]
        return found
    finally:
        client.close()


def _up_ps_logs_down(compose: Compose, host: str, project: str, example: str) -> object:
    try:
        compose.run("up", "-d")
        wanted = EXPECTED_LOGS[example]
        if wanted:
            wait_for(
                lambda: all(text in compose.run("logs") for text in wanted),
                timeout=60, what=f"{example}'s services to log {wanted}",
            )  # fmt: skip
        # healthchecks settle on their own time; wait until no state is still "starting"
        wait_for(lambda: "starting" not in str(compose.ps()), timeout=60, what="healthchecks")
        table = compose.ps()
    finally:
        compose.run("down", "-v", "-t", "1")
    assert _leftovers(host, project) == []
    return table


@pytest.mark.parametrize("example", ["demo", "tomcat-mysql", "networks", "network-mode"])
def test_docker_compose_gives_the_same_ps_on_native(
    example: str, native_daemon_url: str, tmp_path: Path
) -> None:
    binary = shutil.which("docker-compose")
    require(binary is not None, "docker-compose 1.29 (Debian's) is not installed")
    assert binary is not None
    file = _project_files(example, tmp_path)
    project = f"dycn{uuid.uuid4().hex[:8]}"
    tables = {}
    for engine, host in (("dockerd", f"unix://{DOCKER_SOCKET}"), ("native", native_daemon_url)):
        tables[engine] = _up_ps_logs_down(
            Compose(binary, host, file, project), host, project, example
        )
    assert tables["dockerd"], "docker-compose started nothing on dockerd"
    assert tables["native"] == tables["dockerd"]
