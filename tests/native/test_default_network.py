"""The default bridge network holds about as many containers as a Linux bridge takes."""

from __future__ import annotations

import ipaddress

import pytest

from tests.native.conftest import NativeDaemon

pytestmark = pytest.mark.native

# A bridge takes 1,023 ports; the scale benchmarks run 1,000 containers.
CONTAINERS = 1000


def test_the_default_network_has_addresses_for_a_thousand_containers(native: NativeDaemon) -> None:
    subnet = native.out(
        "network", "inspect", "bridge", "--format", "{{(index .IPAM.Config 0).Subnet}}"
    )
    room = ipaddress.ip_network(subnet).num_addresses - 3  # network, gateway and broadcast
    assert room >= CONTAINERS, f"{subnet} leaves room for {room} containers"
