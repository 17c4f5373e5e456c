"""A host resolver holding 0.0.0.0:53 no longer stops the native engine's names (real daemon)."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator

import pytest

from native_runtime.network.nsdoor import CHAIN, EMBEDDED_DNS
from tests.conftest import require
from tests.native.conftest import NativeDaemon, load_test_image, new_daemon
from tests.native_cli.conftest import TEST_IMAGE, native_ready, net_leftovers


@pytest.fixture
def host_resolver() -> Iterator[None]:
    """What dnsmasq, unbound or named listening on any address hold: UDP and TCP 0.0.0.0:53."""
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        udp.bind(("0.0.0.0", 53))
        tcp.bind(("0.0.0.0", 53))
        tcp.listen(1)
    except OSError as exc:
        udp.close()
        tcp.close()
        pytest.skip(f"cannot hold 0.0.0.0:53 for a stand-in host resolver: {exc}")
    try:
        yield
    finally:
        udp.close()
        tcp.close()


@pytest.fixture
def daemon(host_resolver: None) -> Iterator[NativeDaemon]:
    """A daemon started while port 53 is taken, which the test may stop and restart."""
    missing = native_ready()
    require(missing is None, missing or "")
    d = new_daemon()
    try:
        d.start()
        load_test_image(d)
        yield d
    finally:
        d.destroy()
    assert not net_leftovers(d.net_tag)


def _resolves(d: NativeDaemon, source: str, target: str) -> str:
    """The address `source` finds for `target` through its resolv.conf ("" if none)."""
    found = d.docker("exec", source, "nslookup", target, check=False)
    text = found.stdout.decode()
    if found.returncode != 0 or "\nName:" not in text:
        return ""
    answer = text.split("\nName:", 1)[1].split()
    return next((w for w in answer if w.count(".") == 3 and w != EMBEDDED_DNS), "")


def _port_53_listeners() -> list[str]:
    """`ss -lunp` and `ss -ltnp` lines of the host's namespace for port 53."""
    out = []
    for flags in ("-lunpH", "-ltnpH"):
        done = subprocess.run(
            ["ss", flags, "sport", "=", ":53"], capture_output=True, text=True, check=True
        )
        out += [line for line in done.stdout.splitlines() if line.strip()]
    return out


def _jumps_in(d: NativeDaemon, container: str) -> int:
    pid = d.out("inspect", "-f", "{{.State.Pid}}", container)
    rules = subprocess.run(
        ["nsenter", f"--net=/proc/{pid}/ns/net", "iptables", "-w", "-t", "nat", "-S", "OUTPUT"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return sum(1 for line in rules.splitlines() if line.endswith(f"-j {CHAIN}"))


def test_names_resolve_while_a_host_resolver_holds_port_53(daemon: NativeDaemon) -> None:
    d = daemon
    d.out("network", "create", "mynet")
    d.out("run", "-d", "--name", "c1", "--net", "mynet", TEST_IMAGE, "sleep", "300")
    d.out("run", "-d", "--name", "c2", "--net", "mynet", TEST_IMAGE, "sleep", "300")
    d.out("run", "-d", "--name", "c3", "--net", "container:c1", TEST_IMAGE, "sleep", "300")
    ip1 = d.out("inspect", "-f", "{{.NetworkSettings.Networks.mynet.IPAddress}}", "c1")
    ip2 = d.out("inspect", "-f", "{{.NetworkSettings.Networks.mynet.IPAddress}}", "c2")
    assert _resolves(d, "c1", "c2") == ip2
    assert _resolves(d, "c2", "c1") == ip1
    assert _resolves(d, "c3", "c2") == ip2  # through c1's listener, in the shared namespace
    resolv = d.out("exec", "c1", "cat", "/etc/resolv.conf").splitlines()
    assert [line for line in resolv if line.startswith("nameserver")] == [
        f"nameserver {EMBEDDED_DNS}"
    ]
    assert "ndots:0" in next(line for line in resolv if line.startswith("options"))
    # Only the stand-in holds port 53 on the host: nothing of the daemon listens there.
    listeners = _port_53_listeners()
    assert listeners, "the stand-in resolver should show in ss"
    assert all(f"pid={os.getpid()}," in line for line in listeners), listeners

    d.stop()  # graceful, containers keep running
    d.start()
    assert _resolves(d, "c1", "c2") == ip2
    d.kill9()  # a crash this time
    d.start()
    assert _resolves(d, "c2", "c1") == ip1
    assert _resolves(d, "c3", "c2") == ip2
    assert _jumps_in(d, "c1") == 1  # each restart refilled the rule, never added a second
    assert all(f"pid={os.getpid()}," in line for line in _port_53_listeners())
    d.out("rm", "-f", "c3", "c1", "c2")
    d.out("network", "rm", "mynet")
