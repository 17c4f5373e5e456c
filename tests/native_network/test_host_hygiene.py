"""Living beside dockerd, and leaving the host as we found it."""

from __future__ import annotations

import asyncio
import secrets
import time
from pathlib import Path

import docker

from native_runtime.network import NetworkManager
from tests.native_network.conftest import leftovers
from tests.native_network.nstools import iptables_lines, link_names
from tests.native_network.sandbox import run

DOCKER_CHAINS = (
    ("filter", "DOCKER"),
    ("filter", "DOCKER-USER"),
    ("filter", "DOCKER-ISOLATION-STAGE-1"),
    ("filter", "DOCKER-ISOLATION-STAGE-2"),
    ("nat", "DOCKER"),
)


def docker_rules() -> dict[str, list[str]]:
    out = {}
    for table, chain in DOCKER_CHAINS:
        out[f"{table}/{chain}"] = iptables_lines("-t", table, "-S", chain)
    return out


def docker_jumps() -> list[str]:
    return [line for line in iptables_lines("-S", "FORWARD") if "-j DOCKER" in line]


def dockerd_was_busy(since: float, until: float) -> bool:
    """Did dockerd change containers or networks itself (other suites run beside us)?"""
    try:
        client = docker.DockerClient(base_url="unix:///var/run/docker.sock", version="1.41")
    except docker.errors.DockerException:
        return False
    try:
        events = client.events(since=int(since), until=int(until) + 1, decode=True)
        return any(e.get("Type") in ("container", "network") for e in events)
    finally:
        client.close()


async def _scenario(manager: NetworkManager) -> None:
    sfx = secrets.token_hex(2)
    await manager.create(f"co-{sfx}")
    ctr = await run(manager, f"co-{sfx}", f"co-{sfx}", PortBindings={"80/tcp": [{}]})
    await manager.create(f"co2-{sfx}")
    await manager.connect(f"co2-{sfx}", ctr.name)
    await manager.disconnect(f"co2-{sfx}", ctr.name)
    await manager.release(ctr.id)
    await manager.teardown_all()
    await manager.start()


async def test_dockerd_rules_and_policy_are_untouched(manager: NetworkManager) -> None:
    """dockerd's chains, its jumps and the FORWARD policy survive a whole session of ours.

    The exact comparison needs a window in which dockerd itself changed nothing; on a
    busy shared host we try a few windows and always check the parts that are ours to
    break: no rule of dockerd's names anything of ours, its jumps and policy stay.
    """
    exact = False
    for _ in range(3):
        t0 = time.time()
        before, jumps_before = docker_rules(), docker_jumps()
        policy_before = iptables_lines("-S", "FORWARD")[0]
        await _scenario(manager)
        after, jumps_after = docker_rules(), docker_jumps()
        assert iptables_lines("-S", "FORWARD")[0] == policy_before
        for rules in after.values():
            assert not any(manager.naming.chain_prefix in r for r in rules)
            assert not any(manager.naming.bridge_prefix in r for r in rules)
        if not await asyncio.to_thread(dockerd_was_busy, t0, time.time()):
            assert after == before
            assert jumps_after == jumps_before
            exact = True
            break
    if not exact:
        for jump in jumps_before:
            assert jump in jumps_after or "br-" in jump


async def test_teardown_leaves_nothing_and_start_rebuilds(manager: NetworkManager) -> None:
    sfx = secrets.token_hex(2)
    net = await manager.create(f"td-{sfx}")
    a = await run(manager, f"a-{sfx}", net.name, PortBindings={"80/tcp": [{}]})
    await run(manager, f"b-{sfx}", "none")
    run_dir = Path(manager.netns_dir).parent
    assert leftovers(manager.naming, run_dir)
    await manager.teardown_all()
    assert leftovers(manager.naming, run_dir) == []
    assert Path("/proc/sys/net/ipv4/ip_forward").read_text().strip() == "1"
    # stored configuration survives: the next daemon start brings the networks back
    await manager.start()
    assert net.bridge in link_names()
    assert manager.find(net.name).subnet == net.subnet
    files = await manager.attach(a.id)
    assert files.netns_path is not None
