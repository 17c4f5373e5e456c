"""The embedded DNS listens inside each sandbox on 127.0.0.11: when it opens and closes."""

from __future__ import annotations

import secrets

from native_runtime.network import NetworkManager
from native_runtime.network.nsdoor import CHAIN, EMBEDDED_DNS
from tests.native_network.nstools import dns_query, ns_run
from tests.native_network.sandbox import ip_of, run


async def _listeners(netns: str) -> list[str]:
    """The sandbox's own UDP and TCP listeners on 127.0.0.11 (`ss` run inside it)."""
    code, out = await ns_run(netns, "ss", "-lunt", "-H", "src", EMBEDDED_DNS)
    assert code == 0, out
    return [line.split()[0] for line in out.splitlines() if line.strip()]


async def _jumps(netns: str) -> int:
    code, out = await ns_run(netns, "iptables", "-w", "-t", "nat", "-S", "OUTPUT")
    assert code == 0, out
    return sum(1 for line in out.splitlines() if line.endswith(f"-j {CHAIN}"))


async def test_each_sandbox_on_a_user_network_gets_its_own_listener(
    manager: NetworkManager,
) -> None:
    sfx = secrets.token_hex(2)
    net = await manager.create(f"lis-{sfx}")
    a = await run(manager, f"a-{sfx}", net.name)
    b = await run(manager, f"b-{sfx}", net.name)
    plain = await run(manager, f"plain-{sfx}")  # default bridge only: no name service
    assert sorted(await _listeners(a.netns)) == ["tcp", "udp"]
    assert await _listeners(plain.netns) == []
    assert set(manager.dns) == {a.id, b.id}
    assert await dns_query(a.netns, EMBEDDED_DNS, b.name) == (0, [ip_of(manager, b, net.name)])
    assert await dns_query(b.netns, EMBEDDED_DNS, a.name, "tcp") == (
        0,
        [ip_of(manager, a, net.name)],
    )
    await manager.detach(a.id)  # the container stops
    assert a.id not in manager.dns
    await manager.release(b.id)  # the container is removed
    assert manager.dns == {}
    await manager.release(plain.id)


async def test_a_shared_namespace_uses_the_owners_listener(manager: NetworkManager) -> None:
    sfx = secrets.token_hex(2)
    net = await manager.create(f"shr-{sfx}")
    owner = await run(manager, f"owner-{sfx}", net.name)
    peer = await run(manager, f"peer-{sfx}", net.name)
    guest = await run(manager, f"guest-{sfx}", f"container:{owner.name}")
    assert guest.netns == owner.netns
    assert f"nameserver {EMBEDDED_DNS}" in guest.files.resolv_conf.splitlines()
    assert set(manager.dns) == {owner.id, peer.id}
    assert await dns_query(guest.netns, EMBEDDED_DNS, peer.name) == (
        0,
        [ip_of(manager, peer, net.name)],
    )


async def test_live_connect_opens_and_last_disconnect_closes(manager: NetworkManager) -> None:
    sfx = secrets.token_hex(2)
    one = await manager.create(f"one-{sfx}")
    two = await manager.create(f"two-{sfx}")
    target = await run(manager, f"t-{sfx}", two.name)
    me = await run(manager, f"me-{sfx}")
    assert me.id not in manager.dns
    await manager.connect(one.name, me.id)
    await manager.connect(two.name, me.id)
    assert me.id in manager.dns
    assert await dns_query(me.netns, EMBEDDED_DNS, target.name) == (
        0,
        [ip_of(manager, target, two.name)],
    )
    await manager.disconnect(two.name, me.id)
    assert me.id in manager.dns  # still on `one`
    assert (await dns_query(me.netns, EMBEDDED_DNS, target.name))[1] == []
    await manager.disconnect(one.name, me.id)
    assert me.id not in manager.dns and await _listeners(me.netns) == []
    await manager.connect(one.name, me.id)  # back again: a new listener, one jump
    assert sorted(await _listeners(me.netns)) == ["tcp", "udp"]
    assert await _jumps(me.netns) == 1


async def test_a_daemon_restart_reopens_listeners_of_live_sandboxes(
    manager: NetworkManager,
) -> None:
    sfx = secrets.token_hex(2)
    net = await manager.create(f"rst-{sfx}")
    a = await run(manager, f"a-{sfx}", net.name)
    b = await run(manager, f"b-{sfx}", net.name)
    await manager.close(containers_running=True)  # daemon stops, containers keep running
    assert manager.dns == {} and await _listeners(a.netns) == []
    await manager.start(running=[a.id, b.id])
    assert set(manager.dns) == {a.id, b.id}
    assert await _jumps(a.netns) == 1  # the rule was refilled, not added twice
    assert await dns_query(a.netns, EMBEDDED_DNS, b.name) == (0, [ip_of(manager, b, net.name)])
    assert await dns_query(a.netns, EMBEDDED_DNS, b.name, "tcp") == (
        0,
        [ip_of(manager, b, net.name)],
    )
