"""The lecture's mynet/mynet2 example: reachability, isolation, live connect and DNS."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import pytest

from native_runtime.network import NetworkManager
from native_runtime.network.dnswire import RCODE_NOERROR
from native_runtime.network.nsdoor import EMBEDDED_DNS
from tests.native_network.nstools import dns_query, ns_run, ping
from tests.native_network.sandbox import FakeContainer, ip_of, run


@dataclass(frozen=True)
class Lecture:
    c1: FakeContainer
    c2: FakeContainer
    c3: FakeContainer
    mynet: str
    mynet2: str


@pytest.fixture
async def lecture(manager: NetworkManager) -> Lecture:
    """network create mynet, mynet2; c1, c2 on mynet; c3 on mynet2; connect mynet2 c2."""
    sfx = secrets.token_hex(2)
    mynet, mynet2 = f"mynet-{sfx}", f"mynet2-{sfx}"
    await manager.create(mynet)
    await manager.create(mynet2)
    c1 = await run(manager, f"c1-{sfx}", mynet)
    c2 = await run(manager, f"c2-{sfx}", mynet)
    c3 = await run(manager, f"c3-{sfx}", mynet2)
    await manager.connect(mynet2, c2.name)
    return Lecture(c1, c2, c3, mynet, mynet2)


async def test_containers_on_one_network_reach_each_other(
    manager: NetworkManager, lecture: Lecture
) -> None:
    c1, c2, net = lecture.c1, lecture.c2, lecture.mynet
    assert await ping(c1.netns, ip_of(manager, c2, net))
    assert await ping(c2.netns, ip_of(manager, c1, net))


async def test_container_on_both_networks_reaches_both(
    manager: NetworkManager, lecture: Lecture
) -> None:
    c1, c2, c3 = lecture.c1, lecture.c2, lecture.c3
    assert await ping(c2.netns, ip_of(manager, c3, lecture.mynet2))
    assert await ping(c3.netns, ip_of(manager, c2, lecture.mynet2))
    assert await ping(c2.netns, ip_of(manager, c1, lecture.mynet))


async def test_networks_are_isolated_both_ways(manager: NetworkManager, lecture: Lecture) -> None:
    c1, c2, c3 = lecture.c1, lecture.c2, lecture.c3
    assert not await ping(c1.netns, ip_of(manager, c3, lecture.mynet2))
    assert not await ping(c3.netns, ip_of(manager, c1, lecture.mynet))
    # c3 cannot use c2's other leg as a way into mynet either
    assert not await ping(c3.netns, ip_of(manager, c2, lecture.mynet))


async def test_live_connect_adds_eth1_and_disconnect_removes_it(
    manager: NetworkManager, lecture: Lecture
) -> None:
    c2, c3 = lecture.c2, lecture.c3
    _, links = await ns_run(c2.netns, "ip", "-br", "link")
    assert "eth0" in links and "eth1" in links
    _, routes = await ns_run(c2.netns, "ip", "route", "show", "default")
    assert manager.find(lecture.mynet).gateway in routes  # first network keeps the route
    await manager.disconnect(lecture.mynet2, c2.name)
    _, links = await ns_run(c2.netns, "ip", "-br", "link")
    assert "eth1" not in links
    assert not await ping(c2.netns, ip_of(manager, c3, lecture.mynet2))
    assert await ping(c2.netns, manager.find(lecture.mynet).gateway)


async def test_dns_resolves_names_on_shared_networks_only(
    manager: NetworkManager, lecture: Lecture
) -> None:
    c1, c2, c3 = lecture.c1, lecture.c2, lecture.c3
    # each container asks 127.0.0.11 in its own namespace, as on Docker
    assert f"nameserver {EMBEDDED_DNS}" in c1.files.resolv_conf.splitlines()
    rcode, ips = await dns_query(c1.netns, EMBEDDED_DNS, c2.name)
    assert (rcode, ips) == (RCODE_NOERROR, [ip_of(manager, c2, lecture.mynet)])
    # c3 shares no network with c1: its name must not resolve (no upstream here: SERVFAIL)
    rcode, ips = await dns_query(c1.netns, EMBEDDED_DNS, c3.name)
    assert rcode != RCODE_NOERROR and ips == []
    # c2 is on both networks and sees both neighbours
    assert (await dns_query(c2.netns, EMBEDDED_DNS, c3.name))[1] == [
        ip_of(manager, c3, lecture.mynet2)
    ]
    assert (await dns_query(c2.netns, EMBEDDED_DNS, c1.name))[1] == [
        ip_of(manager, c1, lecture.mynet)
    ]
    assert (await dns_query(c3.netns, EMBEDDED_DNS, c2.name))[1] == [
        ip_of(manager, c2, lecture.mynet2)
    ]
    # and over TCP too
    assert (await dns_query(c1.netns, EMBEDDED_DNS, c2.name, "tcp"))[1] == [
        ip_of(manager, c2, lecture.mynet)
    ]
