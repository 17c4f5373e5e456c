"""Published ports: DNAT from other namespaces, the proxy for the host, clean failures."""

from __future__ import annotations

import os
import secrets
import socket

import pytest

from native_runtime.network import NetworkManager
from native_runtime.network.errors import PortAllocated
from tests.native_network.nstools import (
    TCP_SERVER,
    UDP_SERVER,
    NsServer,
    free_port,
    host_ip,
    iptables_lines,
    link_names,
    ns_run,
    tcp_fetch,
    tcp_fetch_from,
    udp_exchange,
    udp_exchange_from,
)
from tests.native_network.sandbox import ip_of, run


async def test_tcp_port_reachable_from_host_loopback_and_other_namespaces(
    manager: NetworkManager,
) -> None:
    sfx = secrets.token_hex(2)
    await manager.create(f"web-{sfx}")
    await manager.create(f"other-{sfx}")
    hp = free_port()
    web = await run(
        manager, f"web-{sfx}", f"web-{sfx}", PortBindings={"8080/tcp": [{"HostPort": str(hp)}]}
    )
    client = await run(manager, f"client-{sfx}", f"other-{sfx}")
    server = await NsServer(web.netns, TCP_SERVER, "8080", "web").start()
    try:
        # from the host itself, through the userland proxy
        assert (await tcp_fetch("127.0.0.1", hp)).startswith("hello from web")
        # from the host to its own non-loopback address: OUTPUT DNAT
        assert (await tcp_fetch(host_ip(), hp)).startswith("hello from web")
        # from a namespace on another network, to the host's address: PREROUTING DNAT
        reply = await tcp_fetch_from(client.netns, host_ip(), hp)
        assert reply.startswith("hello from web"), reply
        # ...while the container itself stays unreachable from that network
        code, _ = await ns_run(
            client.netns, "busybox", "ping", "-c1", "-W1", ip_of(manager, web, f"web-{sfx}")
        )
        assert code != 0
    finally:
        server.stop()
    ports = manager.network_settings(web.id)["Ports"]
    assert ports == {"8080/tcp": [{"HostIp": "0.0.0.0", "HostPort": str(hp)}]}
    assert manager.port_list(web.id) == [
        {"IP": "0.0.0.0", "PrivatePort": 8080, "PublicPort": hp, "Type": "tcp"}
    ]


async def test_udp_port_published(manager: NetworkManager) -> None:
    sfx = secrets.token_hex(2)
    await manager.create(f"udp-{sfx}")
    await manager.create(f"udpo-{sfx}")
    hp = free_port(socket.SOCK_DGRAM)
    ctr = await run(
        manager, f"u-{sfx}", f"udp-{sfx}", PortBindings={"20000/udp": [{"HostPort": str(hp)}]}
    )
    other = await run(manager, f"uo-{sfx}", f"udpo-{sfx}")
    server = await NsServer(ctr.netns, UDP_SERVER, "20000").start()
    try:
        assert await udp_exchange("127.0.0.1", hp, b"ping") == b"pong:ping"
        assert await udp_exchange_from(other.netns, host_ip(), hp, "hi") == "pong:hi"
    finally:
        server.stop()


async def test_taken_port_fails_clearly_and_leaves_nothing(manager: NetworkManager) -> None:
    sfx = secrets.token_hex(2)
    await manager.create(f"busy-{sfx}")
    with socket.socket() as squatter:
        squatter.bind(("0.0.0.0", 0))
        squatter.listen(1)
        hp = squatter.getsockname()[1]
        cid = secrets.token_hex(32)
        manager.prepare(
            cid,
            f"busy-{sfx}",
            {
                "NetworkMode": f"busy-{sfx}",
                "PortBindings": {
                    "81/tcp": [{"HostPort": str(free_port())}],
                    "80/tcp": [{"HostPort": str(hp)}],
                },
            },
        )
        links_before = set(link_names())
        with pytest.raises(PortAllocated, match="port is already allocated") as failed:
            await manager.attach(cid)
        assert f"Bind for 0.0.0.0:{hp} failed" in failed.value.message
        assert manager.store.sandbox(cid) is None
        assert manager.store.endpoints_of(cid) == []
        assert cid not in manager.proxies
        assert not os.path.exists(manager.netns_dir / cid)
        assert manager.naming.veth_for(cid, manager.find(f"busy-{sfx}").id) not in link_names()
        assert set(link_names()) <= links_before
        assert not any(str(hp) in line for line in iptables_lines("-t", "nat", "-S"))
    # once the port is free again the same container starts
    files = await manager.attach(cid)
    assert files.netns_path is not None


async def test_host_port_range_takes_the_first_free_port(manager: NetworkManager) -> None:
    with socket.socket() as squatter:
        squatter.bind(("0.0.0.0", 0))
        squatter.listen(1)
        lo = squatter.getsockname()[1]
        ctr = await run(
            manager,
            f"rng-{secrets.token_hex(2)}",
            PortBindings={"80/tcp": [{"HostPort": f"{lo}-{lo + 5}"}]},
        )
    bound = manager.network_settings(ctr.id)["Ports"]["80/tcp"][0]["HostPort"]
    assert lo < int(bound) <= lo + 5


async def test_publish_all_binds_exposed_ports_to_free_host_ports(manager: NetworkManager) -> None:
    ctr = await run(
        manager,
        f"pall-{secrets.token_hex(2)}",
        exposed={"80/tcp": {}, "53/udp": {}},
        PublishAllPorts=True,
    )
    ports = manager.network_settings(ctr.id)["Ports"]
    assert set(ports) == {"80/tcp", "53/udp"}
    assert all(int(b[0]["HostPort"]) > 0 for b in ports.values())
    await manager.detach(ctr.id)
    assert manager.store.sandbox(ctr.id) is None
    assert not any(
        f"--dport {ports['80/tcp'][0]['HostPort']} " in line
        for line in iptables_lines("-t", "nat", "-S")
    )
