"""RUN steps on the default bridge (or `--network host|none`), and nothing left after a build."""

from __future__ import annotations

import functools
import http.server
import json
import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from native_runtime.network import Naming
from native_runtime.paths import RUNC
from tests.native.conftest import wait_for
from tests.native_build.conftest import BuildDaemon
from tests.native_network.nstools import iptables_lines, link_names

BASE = "dockyard-test/busybox:latest"
PAYLOAD = "fetched over the build network"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        del format, args


def _gateway(daemon: BuildDaemon) -> str:
    doc = json.loads(daemon.out("network", "inspect", "bridge"))[0]
    return str(doc["IPAM"]["Config"][0]["Gateway"])


@pytest.fixture
def web(builder_daemon: BuildDaemon, tmp_path: Path) -> Iterator[str]:
    """An HTTP server on the native bridge's gateway address: `host:port`."""
    root = tmp_path / "www"
    root.mkdir()
    (root / "payload.txt").write_text(PAYLOAD + "\n")
    handler = functools.partial(_QuietHandler, directory=str(root))
    gateway = _gateway(builder_daemon)
    server = http.server.ThreadingHTTPServer((gateway, 0), handler)
    worker = threading.Thread(target=server.serve_forever, daemon=True)
    worker.start()
    try:
        yield f"{gateway}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        worker.join(10)


def _step_leftovers(daemon: BuildDaemon) -> list[str]:
    """What a RUN step could leave: veths, namespaces, DNAT rules, endpoints, runc state."""
    naming = Naming.tagged(daemon.net_tag)
    found = [f"link {n}" for n in link_names() if n.startswith(naming.veth_prefix)]
    netns = daemon.root / "netns"
    found += [f"netns {p.name}" for p in netns.iterdir()] if netns.is_dir() else []
    nat = iptables_lines("-t", "nat", "-S")
    found += [f"nat {r}" for r in nat if "-j DNAT" in r and naming.chain_prefix in r]
    bridge = json.loads(daemon.out("network", "inspect", "bridge"))[0]
    found += [f"endpoint {c}" for c in bridge.get("Containers") or {}]
    listed = subprocess.run(
        [RUNC, "--root", str(daemon.data_root / "runc"), "list", "-q"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    found += [f"runc {c}" for c in listed.stdout.split()]
    build_dir = daemon.data_root / "build"
    found += [f"scratch {p.name}" for p in build_dir.iterdir()] if build_dir.is_dir() else []
    return found


def _dockerfile(folder: Path, url: str) -> None:
    fetch = f"wget -q -O /payload.txt http://{url}/payload.txt"
    (folder / "Dockerfile").write_text(f"FROM {BASE}\nRUN ip -o -4 addr show\nRUN {fetch}\n")


def test_run_reaches_the_bridge_gateway(
    builder_daemon: BuildDaemon, web: str, tmp_path: Path
) -> None:
    rules_before = iptables_lines("-t", "nat", "-S")
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    _dockerfile(ctx, web)
    built = builder_daemon.build(ctx, "--no-cache", "-t", "netbuild:bridge")
    # The step had an address on the default bridge, as a container gets one.
    subnet_prefix = _gateway(builder_daemon).rsplit(".", 1)[0] + "."
    assert f"inet {subnet_prefix}" in built.stdout, built.stdout
    out = builder_daemon.out("run", "--rm", "netbuild:bridge", "cat", "/payload.txt")
    assert out == PAYLOAD
    # run --rm answers before runc's record goes, and its veth ends with its namespace.
    wait_for(lambda: _step_leftovers(builder_daemon) == [], what="the run's teardown")
    assert iptables_lines("-t", "nat", "-S") == rules_before
    builder_daemon.docker("rmi", "netbuild:bridge")


def test_network_host_and_none(builder_daemon: BuildDaemon, web: str, tmp_path: Path) -> None:
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    _dockerfile(ctx, web)
    host = builder_daemon.build(ctx, "--no-cache", "--network", "host", "-q")
    assert host.returncode == 0
    assert _step_leftovers(builder_daemon) == []

    none = builder_daemon.build(ctx, "--no-cache", "--network", "none", check=False)
    assert none.returncode != 0
    # Only loopback inside, and an error that says which line failed.
    addresses = [line.split()[1] for line in none.stdout.splitlines() if " inet " in line]
    assert addresses == ["lo"], none.stdout
    assert "Dockerfile:3: The command '/bin/sh -c wget -q -O /payload.txt" in none.stderr
    assert "returned a non-zero code: 1" in none.stderr
    assert _step_leftovers(builder_daemon) == []


def test_unknown_network_is_refused_before_building(
    builder_daemon: BuildDaemon, tmp_path: Path
) -> None:
    (tmp_path / "Dockerfile").write_text(f"FROM {BASE}\nRUN true\n")
    bad = builder_daemon.build(tmp_path, "--network", "no-such-net", check=False)
    assert bad.returncode != 0 and "network no-such-net not found" in bad.stderr
    bad = builder_daemon.build(tmp_path, "--network", "container:x", check=False)
    assert bad.returncode != 0 and "not supported for builds" in bad.stderr


def test_an_interrupted_build_leaves_nothing(builder_daemon: BuildDaemon, tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(f"FROM {BASE}\nRUN sleep 120\n")
    env = dict(os.environ, DOCKER_HOST=builder_daemon.docker_host, DOCKER_BUILDKIT="0")
    env.pop("DOCKER_CONTEXT", None)
    client = subprocess.Popen(
        ["docker", "build", "--no-cache", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    veth_prefix = Naming.tagged(builder_daemon.net_tag).veth_prefix
    try:
        wait_for(
            lambda: any(n.startswith(veth_prefix) for n in link_names()),
            timeout=30,
            what="the RUN step's veth",
        )
    finally:
        client.send_signal(signal.SIGKILL)
        client.wait()
    left: list[list[str]] = [[]]

    def clean() -> bool:
        left[0] = _step_leftovers(builder_daemon)
        return not left[0]

    try:
        wait_for(clean, timeout=20, what="the interrupted build to clean up")
    except AssertionError as exc:
        raise AssertionError(f"{exc}: {left[0]}") from exc
