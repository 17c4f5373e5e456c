"""--net host, none, container:NAME, the default bridge, --link, --internal and --ip."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess

import pytest
from pyroute2 import IPRoute

from native_runtime.network import NetworkManager, netlink
from native_runtime.network.errors import BadParameter, Conflict
from tests.native_network.nstools import free_subnet, iptables_lines, ns_run, ping
from tests.native_network.sandbox import ip_of, run


async def test_host_mode_has_no_namespace_and_the_hosts_files(manager: NetworkManager) -> None:
    ctr = await run(manager, f"h-{secrets.token_hex(2)}", "host")
    assert ctr.files.netns_path is None
    assert ctr.files.resolv_conf == manager.resolv_conf.read_text()
    assert ctr.files.hosts == manager.hosts_file.read_text()
    assert ctr.id in manager.inspect("host")["Containers"]


async def test_none_mode_has_only_loopback(manager: NetworkManager) -> None:
    ctr = await run(manager, f"n-{secrets.token_hex(2)}", "none")
    _, out = await ns_run(ctr.netns, "ip", "-o", "link")
    assert [line.split(":")[1].strip() for line in out.splitlines()] == ["lo"]
    assert await ping(ctr.netns, "127.0.0.1")
    assert manager.network_settings(ctr.id)["Networks"].keys() == {"none"}


async def test_container_mode_shares_the_namespace(manager: NetworkManager) -> None:
    sfx = secrets.token_hex(2)
    cont1 = await run(manager, f"cont1-{sfx}")
    cont2 = await run(manager, f"cont2-{sfx}", f"container:cont1-{sfx}")
    assert cont2.files.netns_path == cont1.files.netns_path
    assert cont2.files.hosts == cont1.files.hosts
    await manager.detach(cont2.id)  # leaving must not tear down cont1's namespace
    assert await ping(cont1.netns, "127.0.0.1")
    _, out = await ns_run(cont1.netns, "ip", "-br", "addr", "show", "eth0")
    assert ip_of(manager, cont1, "bridge") in out


async def test_container_mode_needs_a_running_peer(manager: NetworkManager) -> None:
    sfx = secrets.token_hex(2)
    peer = secrets.token_hex(32)
    manager.prepare(peer, f"p-{sfx}", {"NetworkMode": "default"})
    joiner = secrets.token_hex(32)
    manager.prepare(joiner, f"j-{sfx}", {"NetworkMode": f"container:p-{sfx}"})
    with pytest.raises(Conflict, match="non running container"):
        await manager.attach(joiner)


async def test_default_bridge_uses_host_resolvers_and_reaches_neighbours(
    manager: NetworkManager,
) -> None:
    sfx = secrets.token_hex(2)
    a = await run(manager, f"a-{sfx}", networking={"EndpointsConfig": {"default": {}}})
    b = await run(manager, f"b-{sfx}", "bridge")
    plan = manager.store.plan(a.id)
    assert plan is not None
    assert [r.network_id for r in plan.networks] == [manager.find("bridge").id]
    assert await ping(a.netns, ip_of(manager, b, "bridge"))
    assert manager.find("bridge").gateway not in a.files.resolv_conf
    assert "nameserver" in a.files.resolv_conf
    settings = manager.network_settings(a.id)
    assert settings["IPAddress"] == ip_of(manager, a, "bridge")
    assert settings["Gateway"] == manager.find("bridge").gateway


async def test_link_becomes_a_hosts_entry(manager: NetworkManager) -> None:
    sfx = secrets.token_hex(2)
    database = await run(manager, f"database-{sfx}")
    tomcat = await run(manager, f"tomcat-{sfx}", Links=[f"database-{sfx}:db"])
    line = next(x for x in tomcat.files.hosts.splitlines() if x.split()[1:2] == ["db"])
    assert line.split()[0] == ip_of(manager, database, "bridge")
    assert f"database-{sfx}" in line.split()
    assert manager.hosts_file_for(tomcat.id) == tomcat.files.hosts


async def test_link_to_a_stopped_container_is_refused(manager: NetworkManager) -> None:
    sfx = secrets.token_hex(2)
    manager.prepare(secrets.token_hex(32), f"db-{sfx}", {"NetworkMode": "default"})
    cid = secrets.token_hex(32)
    manager.prepare(cid, f"web-{sfx}", {"NetworkMode": "default", "Links": [f"db-{sfx}:db"]})
    with pytest.raises(Conflict, match="non running container"):
        await manager.attach(cid)
    assert manager.store.sandbox(cid) is None


async def test_internal_network_has_no_nat_and_no_default_route(manager: NetworkManager) -> None:
    sfx = secrets.token_hex(2)
    net = await manager.create(f"int-{sfx}", internal=True)
    ctr = await run(manager, f"i-{sfx}", f"int-{sfx}")
    nat = iptables_lines("-t", "nat", "-S")
    assert not any(net.subnet in line for line in nat)
    forward = iptables_lines("-S", f"{manager.naming.chain_prefix}-FORWARD")
    assert (
        f"-A {manager.naming.chain_prefix}-FORWARD -i {net.bridge} ! -o {net.bridge} -j DROP"
        in forward
    )
    _, routes = await ns_run(ctr.netns, "ip", "route")
    assert "default" not in routes
    assert await ping(ctr.netns, net.gateway)


async def test_static_ip_and_aliases(manager: NetworkManager) -> None:
    sfx = secrets.token_hex(2)
    subnet = await free_subnet("10.231.0.0/16")
    gateway, fixed = str(subnet.network_address + 254), str(subnet.network_address + 77)
    await manager.create(f"st-{sfx}", subnet=str(subnet), gateway=gateway)
    ctr = await run(
        manager,
        f"s-{sfx}",
        f"st-{sfx}",
        networking={
            "EndpointsConfig": {
                f"st-{sfx}": {"IPAMConfig": {"IPv4Address": fixed}, "Aliases": ["web"]}
            }
        },
    )
    assert ip_of(manager, ctr, f"st-{sfx}") == fixed
    assert manager.lookup(ctr.id, "web") == [fixed]
    _, routes = await ns_run(ctr.netns, "ip", "route", "show", "default")
    assert gateway in routes
    with pytest.raises(Conflict, match="already in use"):
        await run(
            manager,
            f"s2-{sfx}",
            f"st-{sfx}",
            networking={"EndpointsConfig": {f"st-{sfx}": {"IPAMConfig": {"IPv4Address": fixed}}}},
        )


async def test_aliases_and_static_ips_are_refused_on_the_default_bridge(
    manager: NetworkManager,
) -> None:
    with pytest.raises(BadParameter, match="user defined networks"):
        manager.prepare(
            secrets.token_hex(32),
            "x",
            {"NetworkMode": "bridge"},
            {"EndpointsConfig": {"bridge": {"Aliases": ["a"]}}},
        )


async def test_addresses_are_released_when_a_container_stops(manager: NetworkManager) -> None:
    sfx = secrets.token_hex(2)
    await manager.create(f"rel-{sfx}")
    first = await run(manager, f"r1-{sfx}", f"rel-{sfx}")
    ip = ip_of(manager, first, f"rel-{sfx}")
    await manager.detach(first.id)
    assert manager.store.endpoints(manager.find(f"rel-{sfx}").id) == []
    second = await run(manager, f"r2-{sfx}", f"rel-{sfx}")
    assert ip_of(manager, second, f"rel-{sfx}") == ip


OUTSIDE_HOST, OUTSIDE_PEER = "10.237.0.1", "10.237.0.2"


def _make_outside(host_veth: str, path: str) -> None:
    """A stand-in for the world beyond the host: a namespace behind a plain veth pair.

    It has no route back to any container subnet, so a reply reaches a container only if
    its traffic was masqueraded to the host's address on this link.
    """
    netlink.create_netns(path)
    fd = os.open(path, os.O_RDONLY)
    try:
        with IPRoute() as ipr:
            ipr.link(
                "add",
                ifname=host_veth,
                kind="veth",
                state="up",
                peer={"ifname": "eth0", "net_ns_fd": fd},
            )
            idx = ipr.link_lookup(ifname=host_veth)[0]
            ipr.addr("add", index=idx, address=OUTSIDE_HOST, prefixlen=30)
    finally:
        os.close(fd)
    for cmd in (
        ["ip", "addr", "add", f"{OUTSIDE_PEER}/30", "dev", "eth0"],
        ["ip", "link", "set", "eth0", "up"],
    ):
        subprocess.run(["nsenter", f"--net={path}", *cmd], check=True)


async def test_bridge_traffic_is_masqueraded_to_the_outside_but_not_internal(
    manager: NetworkManager,
) -> None:
    sfx = secrets.token_hex(2)
    host_veth = f"{manager.naming.veth_prefix}out"
    path = str(manager.netns_dir / "outside")
    try:
        await asyncio.to_thread(_make_outside, host_veth, path)
        user = await run(manager, f"nat-{sfx}", (await manager.create(f"nat-{sfx}")).name)
        default = await run(manager, f"natd-{sfx}")
        internal_net = await manager.create(f"natint-{sfx}", internal=True)
        internal = await run(manager, f"nati-{sfx}", internal_net.name)
        assert await ping(user.netns, OUTSIDE_PEER)
        assert await ping(default.netns, OUTSIDE_PEER)
        assert not await ping(internal.netns, OUTSIDE_PEER)
    finally:
        await asyncio.to_thread(netlink.delete_link, host_veth)
        await asyncio.to_thread(netlink.remove_netns, path)
