"""The embedded DNS: aliases, compose service names, forwarding and resolver failures."""

from __future__ import annotations

import asyncio
import secrets
import socket
from collections.abc import AsyncIterator

import pytest

from native_runtime.network import NetworkManager, dnswire
from native_runtime.network.nsdoor import EMBEDDED_DNS
from tests.native_network.nstools import dns_query
from tests.native_network.sandbox import ip_of, run

STUB_ANSWER = "192.0.2.123"


class StubResolver(asyncio.DatagramProtocol):
    """A host resolver stand-in on loopback: answers every A query with STUB_ANSWER."""

    def __init__(self) -> None:
        self.transport: asyncio.DatagramTransport | None = None
        self.asked: list[str] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str | int, int]) -> None:
        q = dnswire.parse_query(data)
        self.asked.append(q.name)
        assert self.transport is not None
        self.transport.sendto(dnswire.answer(data, q, [STUB_ANSWER]), addr)


@pytest.fixture
async def stub() -> AsyncIterator[tuple[StubResolver, int]]:
    loop = asyncio.get_running_loop()
    transport, proto = await loop.create_datagram_endpoint(
        StubResolver, local_addr=("127.0.0.1", 0)
    )
    try:
        yield proto, transport.get_extra_info("sockname")[1]
    finally:
        transport.close()


async def test_other_names_go_to_the_host_resolver(
    manager: NetworkManager, stub: tuple[StubResolver, int]
) -> None:
    resolver, port = stub
    manager.upstreams.append(("127.0.0.1", port))
    sfx = secrets.token_hex(2)
    net = await manager.create(f"fwd-{sfx}")
    ctr = await run(manager, f"q-{sfx}", net.name)
    assert await dns_query(ctr.netns, EMBEDDED_DNS, "example.test") == (0, [STUB_ANSWER])
    assert resolver.asked == ["example.test"]
    # our own names never leave the host
    assert await dns_query(ctr.netns, EMBEDDED_DNS, ctr.name) == (
        0,
        [ip_of(manager, ctr, net.name)],
    )
    assert resolver.asked == ["example.test"]


async def test_dead_resolver_gives_servfail(manager: NetworkManager) -> None:
    # a loopback port where nothing listens: the ICMP error fails fast
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    manager.upstreams.append(("127.0.0.1", dead_port))
    sfx = secrets.token_hex(2)
    net = await manager.create(f"dead-{sfx}")
    ctr = await run(manager, f"q-{sfx}", net.name)
    assert await dns_query(ctr.netns, EMBEDDED_DNS, "nowhere.test") == (dnswire.RCODE_SERVFAIL, [])


async def test_compose_service_aliases_resolve_per_network(manager: NetworkManager) -> None:
    sfx = secrets.token_hex(2)
    front = await manager.create(f"front-{sfx}")
    back = await manager.create(f"back-{sfx}")
    db = await run(
        manager,
        f"proj_db_1-{sfx}",
        back.name,
        networking={"EndpointsConfig": {back.name: {"Aliases": ["db"]}}},
    )
    api = await run(
        manager,
        f"proj_api_1-{sfx}",
        front.name,
        networking={
            "EndpointsConfig": {front.name: {"Aliases": ["api"]}, back.name: {"Aliases": ["api"]}}
        },
    )
    web = await run(manager, f"proj_web_1-{sfx}", front.name)
    # api is on both networks and finds db by its service name
    assert await dns_query(api.netns, EMBEDDED_DNS, "db") == (0, [ip_of(manager, db, back.name)])
    # web is only on front: "api" resolves, "db" does not
    assert await dns_query(web.netns, EMBEDDED_DNS, "api") == (
        0,
        [ip_of(manager, api, front.name)],
    )
    assert (await dns_query(web.netns, EMBEDDED_DNS, "db"))[1] == []
    # the container's short id resolves too, as on Docker
    assert await dns_query(web.netns, EMBEDDED_DNS, api.id[:12]) == (
        0,
        [ip_of(manager, api, front.name)],
    )


async def test_internal_network_does_not_forward(
    manager: NetworkManager, stub: tuple[StubResolver, int]
) -> None:
    resolver, port = stub
    manager.upstreams.append(("127.0.0.1", port))
    sfx = secrets.token_hex(2)
    net = await manager.create(f"intdns-{sfx}", internal=True)
    a = await run(manager, f"a-{sfx}", net.name)
    b = await run(manager, f"b-{sfx}", net.name)
    assert await dns_query(a.netns, EMBEDDED_DNS, b.name) == (0, [ip_of(manager, b, net.name)])
    assert (await dns_query(a.netns, EMBEDDED_DNS, "example.test"))[0] == dnswire.RCODE_SERVFAIL
    assert resolver.asked == []
