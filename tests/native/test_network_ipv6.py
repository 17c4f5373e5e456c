"""IPv6 on a user-defined bridge: its pool, fixed and handed-out addresses, routes; both engines."""

from __future__ import annotations

import ipaddress
import secrets

import docker
import pytest
from docker.models.containers import Container
from docker.types import IPAMConfig, IPAMPool

from tests.fixtures.both_engines import docker_client, docker_url
from tests.fixtures.docker import TEST_IMAGE, Resources

pytestmark = pytest.mark.native

# one body, two engines
__all__ = ["docker_client", "docker_url"]


def _pool() -> tuple[str, str, str]:
    """A unique-local /64 of this test's own (others share the dockerd), its gateway and range."""
    raw = f"fd{secrets.token_hex(1)}:{secrets.token_hex(2)}:{secrets.token_hex(2)}::/64"
    prefix = str(ipaddress.ip_network(raw).network_address).removesuffix("::")
    return f"{prefix}::/64", f"{prefix}::ffff", f"{prefix}::/96"


def _ipv6_network(client: docker.DockerClient, res: Resources) -> tuple[str, str, str, str]:
    subnet, gateway, iprange = _pool()
    net = res.network()
    pool = IPAMPool(subnet=subnet, gateway=gateway, iprange=iprange)
    client.api.create_network(net, enable_ipv6=True, ipam=IPAMConfig(pool_configs=[pool]))
    return net, subnet, gateway, iprange


def _settings(ctr: Container, net: str) -> dict[str, object]:
    ctr.reload()
    settings: dict[str, object] = ctr.attrs["NetworkSettings"]["Networks"][net]
    return settings


def _run(ctr: Container, *command: str) -> tuple[int, str]:
    code, out = ctr.exec_run(list(command))
    assert isinstance(out, bytes)
    return code if code is not None else -1, out.decode()


def _addresses6(ctr: Container) -> str:
    return _run(ctr, "ip", "-6", "-o", "addr", "show", "scope", "global")[1]


def test_the_pool_is_shown_and_addresses_come_from_its_range(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    net, subnet, gateway, iprange = _ipv6_network(docker_client, res)
    doc = docker_client.api.inspect_network(net)
    assert doc["EnableIPv6"] is True
    pools = [c for c in doc["IPAM"]["Config"] if ":" in c["Subnet"]]
    assert [(p["Subnet"], p["Gateway"], p["IPRange"]) for p in pools] == [
        (subnet, gateway, iprange)
    ]
    ctr = docker_client.containers.run(
        TEST_IMAGE, "sleep 60", name=res.container(), network=net, detach=True
    )
    settings = _settings(ctr, net)
    address = ipaddress.ip_address(str(settings["GlobalIPv6Address"]))
    assert address in ipaddress.ip_network(iprange)
    assert (settings["GlobalIPv6PrefixLen"], settings["IPv6Gateway"]) == (64, gateway)
    assert f"{address}/64" in _addresses6(ctr)
    # The gateway answers from inside: the address and the default route are live.
    assert _run(ctr, "ping", "-c1", "-W5", gateway)[0] == 0
    assert f"default via {gateway}" in _run(ctr, "ip", "-6", "route")[1]
    member = docker_client.api.inspect_network(net)["Containers"][ctr.id]
    assert member["IPv6Address"] == f"{address}/64"


def test_a_fixed_address_at_create_and_at_connect(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    api = docker_client.api
    net, subnet, _, _ = _ipv6_network(docker_client, res)
    base = subnet.removesuffix("::/64")
    fixed = f"{base}::f00d"
    created = api.create_container(
        TEST_IMAGE, "sleep 60", name=res.container(),
        host_config=api.create_host_config(network_mode=net),
        networking_config=api.create_networking_config(
            {net: api.create_endpoint_config(ipv6_address=fixed)}
        ),
    )  # fmt: skip
    api.start(created)
    first = docker_client.containers.get(created["Id"])
    settings = _settings(first, net)
    assert settings["IPAMConfig"] == {"IPv6Address": fixed}
    assert settings["GlobalIPv6Address"] == fixed

    second = docker_client.containers.run(
        TEST_IMAGE, "sleep 60", name=res.container(), network=net, detach=True
    )
    api.disconnect_container_from_network(str(second.id), net)
    api.connect_container_to_network(str(second.id), net, ipv6_address=f"{base}::beef")
    assert _settings(second, net)["GlobalIPv6Address"] == f"{base}::beef"
    assert f"{base}::beef/64" in _addresses6(second)
    assert _run(second, "ping", "-c1", "-W5", fixed)[0] == 0
    # The embedded DNS answers AAAA with it beside the A record.
    assert f"Address: {fixed}" in _run(second, "nslookup", "-type=AAAA", str(first.name))[1]


def test_ipv6_needs_its_pool_and_a_network_that_has_one(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    api = docker_client.api
    with pytest.raises(docker.errors.APIError, match="IPv6 address pool"):
        api.create_network(res.network(), enable_ipv6=True)
    # A pool without EnableIPv6 is kept and shown.
    pooled = res.network()
    subnet, _, _ = _pool()
    api.create_network(pooled, ipam=IPAMConfig(pool_configs=[IPAMPool(subnet=subnet)]))
    doc = api.inspect_network(pooled)
    assert doc["EnableIPv6"] is False
    assert subnet in [c["Subnet"] for c in doc["IPAM"]["Config"]]
    plain = res.network()
    api.create_network(plain)
    # dockerd refuses at start, the native engine already at create: `run` meets either.
    with pytest.raises(docker.errors.APIError, match="user configured subnets"):
        created = api.create_container(
            TEST_IMAGE, "true", name=res.container(),
            host_config=api.create_host_config(network_mode=plain),
            networking_config=api.create_networking_config(
                {plain: api.create_endpoint_config(ipv6_address="fd00:1::5")}
            ),
        )  # fmt: skip
        api.start(created)
