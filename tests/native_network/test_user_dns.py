"""`--dns` on a user network: the embedded DNS forwards that container's other names there."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator

import pytest

from native_runtime.network import NetworkManager
from native_runtime.network.nsdoor import EMBEDDED_DNS
from tests.conftest import require
from tests.native_network.nstools import dns_query
from tests.native_network.sandbox import run
from tests.native_network.test_dns import STUB_ANSWER, StubResolver

# A --dns server is asked on port 53, so the stand-in needs a loopback address of its own.
USER_RESOLVER = "127.0.0.77"


@pytest.fixture
async def user_resolver() -> AsyncIterator[StubResolver]:
    loop = asyncio.get_running_loop()
    try:
        transport, proto = await loop.create_datagram_endpoint(
            StubResolver, local_addr=(USER_RESOLVER, 53)
        )
    except OSError as exc:
        require(False, f"cannot bind {USER_RESOLVER}:53 for a stand-in resolver: {exc}")
        raise
    try:
        yield proto
    finally:
        transport.close()


async def test_queries_of_a_container_with_dns_go_to_its_servers(
    manager: NetworkManager, user_resolver: StubResolver
) -> None:
    sfx = secrets.token_hex(2)
    net = await manager.create(f"udns-{sfx}")
    mine = await run(manager, f"mine-{sfx}", net.name, Dns=[USER_RESOLVER])
    other = await run(manager, f"other-{sfx}", net.name)
    assert f"nameserver {EMBEDDED_DNS}" in mine.files.resolv_conf.splitlines()
    assert f"nameserver {USER_RESOLVER}" not in mine.files.resolv_conf.splitlines()
    assert await dns_query(mine.netns, EMBEDDED_DNS, "outside.test") == (0, [STUB_ANSWER])
    assert user_resolver.asked == ["outside.test"]
    # Without --dns the host's resolvers are asked (none in this manager): SERVFAIL.
    assert (await dns_query(other.netns, EMBEDDED_DNS, "outside.test"))[0] == 2
    assert user_resolver.asked == ["outside.test"]
    # The network's own names never leave the host, --dns or not.
    assert (await dns_query(mine.netns, EMBEDDED_DNS, other.name))[0] == 0
    assert user_resolver.asked == ["outside.test"]


async def test_dns_search_and_options_replace_the_hosts(manager: NetworkManager) -> None:
    ctr = await run(
        manager,
        f"opts-{secrets.token_hex(2)}",
        Dns=["192.0.2.1"],
        DnsSearch=["corp.test"],
        DnsOptions=["ndots:2"],
    )
    assert ctr.files.resolv_conf.splitlines() == [
        "search corp.test",
        "nameserver 192.0.2.1",
        "options ndots:2",
    ]
