"""Network options docker-py's suite sets: IPAM pools, endpoint settings; dockerd and native."""

from __future__ import annotations

import ipaddress

import docker
import pytest
from docker.types import EndpointConfig, IPAMConfig, IPAMPool

from tests.fixtures.both_engines import docker_client, docker_url
from tests.fixtures.docker import TEST_IMAGE, Resources
from tests.native.conftest import NativeDaemon

pytestmark = pytest.mark.native

# one body, two engines
__all__ = ["docker_client", "docker_url"]

SUBNET = "10.247.0.0/16"


def test_an_ipam_pool_with_range_gateway_and_aux_addresses(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    api = docker_client.api
    pool = IPAMPool(
        subnet=SUBNET, iprange="10.247.5.0/24", gateway="10.247.5.254",
        aux_addresses={"router": "10.247.5.1"},
    )  # fmt: skip
    net = res.network()
    api.create_network(net, ipam=IPAMConfig(pool_configs=[pool]))
    assert api.inspect_network(net)["IPAM"]["Config"] == [
        {
            "Subnet": SUBNET,
            "IPRange": "10.247.5.0/24",
            "Gateway": "10.247.5.254",
            "AuxiliaryAddresses": {"router": "10.247.5.1"},
        }
    ]
    ctr = docker_client.containers.run(
        TEST_IMAGE, "sleep 30", name=res.container(), network=net, detach=True
    )
    ctr.reload()
    address = ipaddress.ip_address(ctr.attrs["NetworkSettings"]["Networks"][net]["IPAddress"])
    assert address in ipaddress.ip_network("10.247.5.0/24")
    assert str(address) not in ("10.247.5.1", "10.247.5.254")


def test_a_range_outside_the_subnet_is_refused(native: NativeDaemon) -> None:
    # Native only: dockerd 20.10 accepts such a pool and then has no address to hand out.
    api = docker.APIClient(base_url=native.docker_host, version="1.41")
    pool = IPAMPool(subnet=SUBNET, iprange="10.248.0.0/24")
    with pytest.raises(docker.errors.APIError) as caught:
        api.create_network("dyt-outside-range", ipam=IPAMConfig(pool_configs=[pool]))
    assert "not within subnet" in str(caught.value.explanation)


def test_endpoint_settings_before_and_after_start(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    api = docker_client.api
    net = res.network()
    api.create_network(net)
    endpoint = EndpointConfig(
        "1.41", aliases=["hello"], driver_opt={"k": "v"}, link_local_ips=["169.254.8.8"]
    )
    ctr = api.create_container(
        TEST_IMAGE, "sleep 30", name=res.container(),
        host_config=api.create_host_config(network_mode=net),
        networking_config=api.create_networking_config({net: endpoint}),
    )  # fmt: skip
    settings = api.inspect_container(ctr)["NetworkSettings"]["Networks"][net]
    assert settings["Aliases"] == ["hello"]
    assert settings["DriverOpts"] == {"k": "v"}
    assert settings["IPAMConfig"] == {"LinkLocalIPs": ["169.254.8.8"]}
    api.start(ctr)
    settings = api.inspect_container(ctr)["NetworkSettings"]["Networks"][net]
    assert settings["Aliases"] == ["hello", ctr["Id"][:12]]


def test_connect_with_a_mac_address(docker_client: docker.DockerClient, res: Resources) -> None:
    api = docker_client.api
    net = res.network()
    api.create_network(net)
    ctr = api.create_container(TEST_IMAGE, "sleep 30", name=res.container())
    api.connect_container_to_network(ctr, net, mac_address="02:42:ac:11:00:02")
    # shown as asked; dockerd 20.10 then gives the running endpoint an address-based one
    settings = api.inspect_container(ctr)["NetworkSettings"]["Networks"][net]
    assert settings["MacAddress"] == "02:42:ac:11:00:02"


def test_a_second_network_of_the_same_name_is_refused_when_checked(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    net = res.network()
    docker_client.api.create_network(net)
    with pytest.raises(docker.errors.APIError):
        docker_client.api.create_network(net, check_duplicate=True)
