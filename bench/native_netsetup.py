"""Times one container endpoint's network set-up (netns, veth, IP, route); prints figures only."""

# Three ways, 20 rounds each, median and p90:
# - netlink: our pyroute2 calls (what the engine does per endpoint),
# - shell: the same steps spawning `ip` (the baseline the netlink path replaces),
# - attach: the engine's whole `NetworkManager.attach` + `detach`, with IPAM, the SQLite
#   transaction, the iptables sync and, on a user network, the embedded DNS listener
#   opened inside the sandbox with its redirect rules,
# - docker start: `docker start` of a container on a user network through a throwaway
#   native daemon (the whole path a user waits for), beside dockerd's.
# Needs root. Everything is made under a throwaway naming tag and removed afterwards.

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from native_run import DOCKERD, IMAGE, ThrowawayDaemon, docker

from native_runtime.network import Naming, NetworkManager, netlink

ROUNDS = 20
SUBNET_GATEWAY = "10.236.9.1"
PREFIX = 24


def _sh(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True)


Round = Callable[[str, Path, int, str], Callable[[], None]]


def netlink_round(bridge: str, run_dir: Path, i: int, tag: str) -> Callable[[], None]:
    path = str(run_dir / f"nl{i}")
    veth = f"dt{tag}n{i}"
    netlink.create_netns(path)
    netlink.add_veth(veth, bridge, path, "eth0", f"10.236.9.{10 + i}", PREFIX, "02:42:0a:ec:09:0a")
    netlink.set_default_route(path, SUBNET_GATEWAY)

    def undo() -> None:
        netlink.delete_link(veth)
        netlink.remove_netns(path)

    return undo


def shell_round(bridge: str, _run_dir: Path, i: int, tag: str) -> Callable[[], None]:
    name = f"dyt{tag}sh{i}"
    veth = f"dt{tag}s{i}"
    _sh("ip", "netns", "add", name)
    _sh("ip", "-n", name, "link", "set", "lo", "up")
    _sh("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", name)
    _sh("ip", "link", "set", veth, "master", bridge, "up")
    _sh("ip", "-n", name, "addr", "add", f"10.236.9.{100 + i}/{PREFIX}", "dev", "eth0")
    _sh("ip", "-n", name, "link", "set", "eth0", "up")
    _sh("ip", "-n", name, "route", "add", "default", "via", SUBNET_GATEWAY)

    def undo() -> None:
        _sh("ip", "link", "del", veth)
        _sh("ip", "netns", "del", name)

    return undo


def timed(fn: Round, bridge: str, run_dir: Path, tag: str) -> tuple[list[float], list[float]]:
    """(set-up times, tear-down times) in milliseconds."""
    setup, teardown = [], []
    for i in range(ROUNDS):
        t0 = time.perf_counter()
        undo = fn(bridge, run_dir, i, tag)
        t1 = time.perf_counter()
        undo()
        setup.append((t1 - t0) * 1000)
        teardown.append((time.perf_counter() - t1) * 1000)
    return setup, teardown


async def attach_rounds(tag: str, run_dir: Path) -> list[float]:
    state = Path(tempfile.mkdtemp(prefix="dyt-bench-"))
    mgr = NetworkManager(state, run_dir=run_dir / "mgr", naming=Naming.tagged(tag), upstreams=[])
    out = []
    try:
        await mgr.start()
        net = await mgr.create(f"bench-{tag}")
        for i in range(ROUNDS):
            cid = secrets.token_hex(32)
            mgr.prepare(cid, f"b{i}", {"NetworkMode": net.name})
            t0 = time.perf_counter()
            await mgr.attach(cid)
            out.append((time.perf_counter() - t0) * 1000)
            await mgr.release(cid)
    finally:
        await mgr.teardown_all()
        mgr.store.close()
        subprocess.run(["umount", str(run_dir / "mgr" / "netns")], capture_output=True)
        shutil.rmtree(state, ignore_errors=True)
    return out


def start_on_user_network(host: str) -> list[float]:
    """`docker start` of a stopped container on a user network, ROUNDS times (ms)."""
    net = f"dyt-bench-{secrets.token_hex(2)}"
    docker(host, "network", "create", net)
    cid = docker(host, "create", "--network", net, IMAGE, "sleep", "1000").decode().strip()
    out = []
    try:
        for _ in range(ROUNDS):
            begin = time.perf_counter()
            docker(host, "start", cid)
            out.append((time.perf_counter() - begin) * 1000)
            docker(host, "kill", cid)
            docker(host, "wait", cid)
    finally:
        docker(host, "rm", "-f", cid)
        docker(host, "network", "rm", net)
    return out


def daemon_starts() -> None:
    daemon = ThrowawayDaemon()
    try:
        host = f"unix://{daemon.socket}"
        docker(host, "load", input=docker(DOCKERD, "save", IMAGE))
        report("docker start on a user network, native", start_on_user_network(host))
    finally:
        daemon.close()
    report("docker start on a user network, dockerd", start_on_user_network(DOCKERD))


def report(label: str, samples: list[float]) -> None:
    samples = sorted(samples)
    p90 = samples[int(len(samples) * 0.9) - 1]
    print(f"{label:<46} median {statistics.median(samples):7.2f} ms   p90 {p90:7.2f} ms")


def main() -> int:
    if os.geteuid() != 0:
        print("skipped: network namespaces, veths and bridges need root")
        return 0
    tag = secrets.token_hex(2)
    bridge = f"dt{tag}-bench"
    run_dir = Path(f"/run/dyt-bench-{tag}")
    netlink.ensure_bridge(bridge, SUBNET_GATEWAY, PREFIX)
    try:
        print(f"one endpoint: netns + veth + IP + default route, {ROUNDS} rounds each")
        nl_setup, nl_teardown = timed(netlink_round, bridge, run_dir, tag)
        sh_setup, sh_teardown = timed(shell_round, bridge, run_dir, tag)
        report("set-up, netlink (pyroute2, ours)", nl_setup)
        report("set-up, shell baseline (ip netns/ip link)", sh_setup)
        report("tear-down, netlink (pyroute2, ours)", nl_teardown)
        report("tear-down, shell baseline", sh_teardown)
        report(
            "NetworkManager.attach (IPAM+netns+veth+rules)",
            asyncio.run(attach_rounds(tag, run_dir)),
        )
        daemon_starts()
    finally:
        netlink.delete_link(bridge)
        subprocess.run(["umount", str(run_dir)], capture_output=True)
        shutil.rmtree(run_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
