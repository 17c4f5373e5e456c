"""The real docker CLI against dockerd and against a throwaway native daemon, one body each."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from native_runtime.network import Naming
from tests.conftest import require
from tests.native.conftest import NativeDaemon, load_test_image, new_daemon, wait_for
from tests.native_network.nstools import iptables_lines, link_names

DOCKER_SOCKET = "/var/run/docker.sock"
TEST_IMAGE = "dockyard-test/busybox:latest"
ENGINES = ["docker", "native"]


def net_leftovers(tag: str) -> list[str]:
    """Links and iptables lines of a tagged native daemon still on the host."""
    naming = Naming.tagged(tag)
    found = [f"link {n}" for n in link_names() if naming.owns_link(n)]
    for table in ("filter", "nat"):
        found += [
            f"{table}: {line}"
            for line in iptables_lines("-t", table, "-S")
            if naming.chain_prefix + "-" in line
        ]
    return found


def native_ready() -> str | None:
    if os.geteuid() != 0:
        return "the native engine needs root"
    for tool in ("/usr/sbin/runc", "/usr/bin/conmon", "iptables", "docker"):
        if not (os.path.exists(tool) or shutil.which(tool)):
            return f"{tool} is not installed"
    return None


@pytest.fixture(scope="session")
def native_cli_daemon() -> Iterator[NativeDaemon]:
    """One throwaway daemon for the module; afterwards none of its kernel objects remain."""
    missing = native_ready()
    require(missing is None, missing or "")
    daemon = new_daemon()
    try:
        daemon.start()
        load_test_image(daemon)
        yield daemon
    finally:
        daemon.destroy()
    left = net_leftovers(daemon.net_tag)
    assert not left, f"the native daemon left behind: {left}"


@dataclass
class Cli:
    """The docker CLI bound to one engine, plus the names a test made there."""

    engine: str
    host: str
    prefix: str = field(default_factory=lambda: f"dyc{uuid.uuid4().hex[:6]}")
    containers: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)

    def run(
        self, *args: str, check: bool = True, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ, DOCKER_HOST=self.host)
        env.pop("DOCKER_CONTEXT", None)
        result = subprocess.run(
            ["docker", *args], capture_output=True, text=True, env=env, timeout=timeout,
            check=False,
        )  # fmt: skip
        if check and result.returncode != 0:
            raise AssertionError(
                f"[{self.engine}] docker {' '.join(args)} failed ({result.returncode}): "
                f"{result.stderr}"
            )
        return result

    def out(self, *args: str) -> str:
        return self.run(*args).stdout.strip()

    def name(self, base: str) -> str:
        """A per-test container name (the lecture's names, made unique)."""
        name = f"{self.prefix}-{base}"
        self.containers.append(name)
        return name

    def network(self, base: str) -> str:
        name = f"{self.prefix}-{base}"
        self.networks.append(name)
        return name

    def ok(self, container: str, *command: str) -> bool:
        """Whether a command inside `container` exits 0."""
        return self.run("exec", container, *command, check=False).returncode == 0

    def cleanup(self) -> None:
        for name in reversed(self.containers):
            self.run("rm", "-f", name, check=False)
        for name in reversed(self.networks):
            self.run("network", "rm", name, check=False)


@pytest.fixture(params=ENGINES)
def cli(request: pytest.FixtureRequest) -> Iterator[Cli]:
    if request.param == "docker":
        require(os.path.exists(DOCKER_SOCKET), f"no dockerd on {DOCKER_SOCKET}")
        host = f"unix://{DOCKER_SOCKET}"
    else:
        host = request.getfixturevalue("native_cli_daemon").docker_host
    made = Cli(request.param, host)
    yield made
    made.cleanup()


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        # Our own finished requests leave TIME_WAIT entries; only a listener counts.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True


def http_get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            body: bytes = resp.read()
            return body.decode()
    except OSError:
        return None


def fetch_when_ready(url: str, expect: str, timeout: float = 15.0) -> str:
    seen: list[str | None] = [None]

    def check() -> bool:
        seen[0] = http_get(url)
        return seen[0] is not None and expect in seen[0]

    wait_for(check, timeout=timeout, what=f"{url} to answer {expect!r}")
    return str(seen[0])


HTTPD_SCRIPT = "mkdir -p /www && echo {text} > /www/index.html && exec httpd -f -p {listen} -h /www"


def httpd(text: str, listen: str = "8080") -> list[str]:
    """busybox httpd serving one file, as the lecture's web server."""
    return ["sh", "-c", HTTPD_SCRIPT.format(text=text, listen=listen)]
