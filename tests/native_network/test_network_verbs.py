"""Network create/inspect/rm/prune and IPAM that clashes with nothing on the host."""

from __future__ import annotations

import asyncio
import ipaddress
import secrets

import pytest

from native_runtime.network import NetworkManager, netlink
from native_runtime.network.errors import BadParameter, Conflict, Forbidden, NotFound
from tests.native_network.nstools import free_subnet, link_names
from tests.native_network.sandbox import run


async def test_predefined_networks_exist(manager: NetworkManager) -> None:
    names = {n.name: n for n in manager.networks()}
    assert {"bridge", "host", "none"} <= names.keys()
    assert names["bridge"].bridge == manager.naming.default_bridge
    assert manager.naming.default_bridge in link_names()
    doc = manager.inspect("bridge")
    assert (
        doc["Driver"] == "bridge" and doc["IPAM"]["Config"][0]["Subnet"] == names["bridge"].subnet
    )
    assert manager.inspect("none")["Driver"] == "null"


async def test_default_subnets_avoid_the_host_and_docker(manager: NetworkManager) -> None:
    ours = {n.id for n in manager.networks()}
    host_before = await asyncio.to_thread(netlink.host_networks)
    net = await manager.create(f"pool-{secrets.token_hex(2)}")
    subnet = ipaddress.IPv4Network(net.subnet)
    assert ours  # the default bridge came from the same pool
    assert not subnet.overlaps(ipaddress.IPv4Network("172.17.0.0/16"))
    others = [h for h in host_before if h != subnet]
    assert not any(subnet.overlaps(h) for h in others)
    assert net.gateway == str(subnet.network_address + 1)


async def test_user_subnet_is_validated(manager: NetworkManager) -> None:
    sfx = secrets.token_hex(2)
    subnet = await free_subnet("10.232.0.0/16")
    await manager.create(f"a-{sfx}", subnet=str(subnet))
    with pytest.raises(Conflict, match="overlaps"):
        await manager.create(f"b-{sfx}", subnet=str(next(subnet.subnets(new_prefix=25))))
    with pytest.raises(BadParameter):
        await manager.create(f"c-{sfx}", subnet="10.233.0.0/24", gateway="10.9.9.9")
    with pytest.raises(BadParameter):
        await manager.create(f"d-{sfx}", subnet="not-a-subnet")
    host = await asyncio.to_thread(netlink.host_networks)
    host_route = next(h for h in host if h.prefixlen >= 16)
    with pytest.raises(Conflict):
        await manager.create(f"e-{sfx}", subnet=str(host_route))


async def test_duplicate_name_and_unknown_driver(manager: NetworkManager) -> None:
    name = f"dup-{secrets.token_hex(2)}"
    await manager.create(name)
    with pytest.raises(Conflict, match="already exists"):
        await manager.create(name)
    with pytest.raises(BadParameter):
        await manager.create(f"ov-{name}", driver="overlay")
    with pytest.raises(Forbidden):
        await manager.create(f"h-{name}", driver="host")


async def test_remove_refuses_predefined_and_busy_networks(manager: NetworkManager) -> None:
    sfx = secrets.token_hex(2)
    with pytest.raises(Forbidden, match="pre-defined"):
        await manager.remove("bridge")
    net = await manager.create(f"busy-{sfx}")
    ctr = await run(manager, f"x-{sfx}", f"busy-{sfx}")
    with pytest.raises(Forbidden, match="active endpoints"):
        await manager.remove(net.name)
    await manager.release(ctr.id)
    await manager.remove(net.id[:12])
    assert net.bridge not in link_names()
    with pytest.raises(NotFound):
        manager.find(net.name)


async def test_prune_keeps_used_and_referenced_networks(manager: NetworkManager) -> None:
    sfx = secrets.token_hex(2)
    await manager.create(f"used-{sfx}")
    await manager.create(f"ref-{sfx}")
    await manager.create(f"idle-{sfx}", labels={"team": "a"})
    await manager.create(f"idle2-{sfx}", labels={"team": "b"})
    await run(manager, f"u-{sfx}", f"used-{sfx}")
    manager.prepare(secrets.token_hex(32), f"r-{sfx}", {"NetworkMode": f"ref-{sfx}"})
    assert await manager.prune(lambda net: net.labels.get("team") == "a") == [f"idle-{sfx}"]
    assert await manager.prune() == [f"idle2-{sfx}"]
    assert {f"used-{sfx}", f"ref-{sfx}"} <= {n.name for n in manager.networks()}


async def test_inspect_lists_attached_containers(manager: NetworkManager) -> None:
    sfx = secrets.token_hex(2)
    net = await manager.create(f"insp-{sfx}", labels={"k": "v"})
    ctr = await run(manager, f"i-{sfx}", f"insp-{sfx}")
    doc = manager.inspect(net.name)
    entry = doc["Containers"][ctr.id]
    assert entry["Name"] == f"i-{sfx}"
    assert entry["IPv4Address"].endswith("/24")
    assert doc["Labels"] == {"k": "v"} and doc["Scope"] == "local"
    nets = manager.network_settings(ctr.id)["Networks"]
    assert nets[net.name]["IPAddress"] == entry["IPv4Address"].split("/")[0]
    assert nets[net.name]["Aliases"][-1] == ctr.id[:12]


async def test_restart_restores_proxies_and_drops_dead_sandboxes(manager: NetworkManager) -> None:
    sfx = secrets.token_hex(2)
    alive = await run(manager, f"alive-{sfx}", PortBindings={"80/tcp": [{}]})
    dead = await run(manager, f"dead-{sfx}")
    await manager.close(containers_running=True)  # daemon stops, containers keep running
    assert manager.store.sandbox(alive.id) is not None
    await manager.start(running=[alive.id])
    assert manager.store.sandbox(dead.id) is None
    assert alive.id in manager.proxies and manager.proxies[alive.id][0].host_port > 0
