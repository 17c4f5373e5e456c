"""Address management: subnets that clash with nothing on the host, addresses within them."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from native_runtime.network.errors import BadParameter, Conflict

# Podman keeps 10.88/16 for its default network; we take 10.89/16 onwards in /24 steps.
DEFAULT_POOLS = ("10.89.0.0/16", "10.90.0.0/16", "10.91.0.0/16")
POOL_PREFIX = 24
# The default network is a /22: a Linux bridge takes at most 1,024 ports, and a /24 would
# stop `docker run` at the 254th container (dockerd's docker0 is a /16).
DEFAULT_NETWORK_PREFIX = 22
# Docker's default bridge, reserved even when dockerd is not running right now.
RESERVED = ("172.17.0.0/16",)

Net = ipaddress.IPv4Network
AnyNet = ipaddress.IPv4Network | ipaddress.IPv6Network
AnyIP = ipaddress.IPv4Address | ipaddress.IPv6Address
# Room for a gateway and a container: a /30 in IPv4, a /126 in IPv6.
LONGEST_PREFIX = {4: 30, 6: 126}


def parse_any_subnet(text: str, version: int) -> AnyNet:
    """A subnet of the given IP version (4 or 6) with room for a gateway and a container."""
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError as exc:
        raise BadParameter(f"invalid subnet {text!r}: {exc}") from exc
    if net.version != version:
        raise BadParameter(f"{text} is not an IPv{version} subnet")
    if net.prefixlen > LONGEST_PREFIX[version]:
        raise BadParameter(f"subnet {text} is too small for a gateway and a container")
    # An IPv6 gateway goes on the bridge without a check against the host's routes: never
    # the host's loopback, its link-local addresses, a multicast or reserved range (::/8
    # holds ::1) or all of them.
    odd = (
        net.prefixlen == 0
        or net.is_loopback
        or net.is_link_local
        or net.is_multicast
        or net.is_reserved
    )
    if version == 6 and odd:
        raise BadParameter(f"subnet {text} cannot be given to a network")
    return net


def parse_subnet(text: str) -> Net:
    net = parse_any_subnet(text, 4)
    assert isinstance(net, Net)
    return net


def parse_subnet6(text: str) -> ipaddress.IPv6Network:
    net = parse_any_subnet(text, 6)
    assert isinstance(net, ipaddress.IPv6Network)
    return net


def parse_any_ip(text: str, what: str, version: int) -> AnyIP:
    try:
        ip = ipaddress.ip_address(text)
    except ValueError as exc:
        raise BadParameter(f"invalid {what} {text!r}") from exc
    if ip.version != version:
        raise BadParameter(f"{what} {text} is not an IPv{version} address")
    return ip


def parse_ip(text: str, what: str) -> ipaddress.IPv4Address:
    ip = parse_any_ip(text, what, 4)
    assert isinstance(ip, ipaddress.IPv4Address)
    return ip


def pick_subnet(
    taken: Iterable[Net], pools: Iterable[str] = DEFAULT_POOLS, prefix: int = POOL_PREFIX
) -> Net:
    """The first subnet of that size in the pools that overlaps none of `taken` (host routes,
    our networks)."""
    busy = [*taken, *(ipaddress.IPv4Network(r) for r in RESERVED)]
    for pool in pools:
        for candidate in ipaddress.IPv4Network(pool).subnets(new_prefix=prefix):
            if not any(candidate.overlaps(other) for other in busy):
                return candidate
    raise Conflict("could not find an available, non-overlapping IPv4 address pool")


def check_user_subnet(subnet: Net, ours: Iterable[Net], host: Iterable[Net]) -> None:
    """A requested subnet may not overlap our networks, nor a route on the host."""
    for other in ours:
        if subnet.overlaps(other):
            raise Conflict(f"Pool overlaps with other one on this address space ({other})")
    for other in host:
        if subnet.overlaps(other):
            raise Conflict(f"subnet {subnet} overlaps the host route {other}")


def gateway_for(subnet: AnyNet, requested: str = "") -> str:
    if not requested:
        return str(subnet.network_address + 1)
    ip = parse_any_ip(requested, "gateway", subnet.version)
    if ip not in subnet or ip in (subnet.network_address, subnet.broadcast_address):
        raise BadParameter(f"gateway {requested} is not a host address of subnet {subnet}")
    return str(ip)


def allocate(
    subnet: str,
    gateway: str,
    used: Iterable[str],
    requested: str = "",
    ip_range: str = "",
    reserved: Iterable[str] = (),
    version: int = 4,
) -> str:
    """The requested address if valid and free, else the lowest free one in the range.

    `ip_range` (`--ip-range`) narrows where addresses are handed out, not what may be
    asked for; `reserved` (`--aux-address`) are never handed out.
    """
    net = parse_any_subnet(subnet, version)
    busy = {*used, *reserved, gateway}
    if requested:
        ip = parse_any_ip(requested, "IP address", version)
        if ip not in net or ip in (net.network_address, net.broadcast_address):
            raise BadParameter(f"no configured subnet contains IP address {requested}")
        if str(ip) in busy:
            raise Conflict(f"Address already in use: {requested}")
        return str(ip)
    # dockerd hands out a range's first address too, when it is not the subnet's own.
    pool = parse_any_subnet(ip_range, version) if ip_range else net
    edges = (net.network_address, net.broadcast_address)
    for host in pool:
        if host in net and host not in edges and str(host) not in busy:
            return str(host)
    raise Conflict(f"no available IPv{version} addresses on network with subnet {subnet}")


def mac_for(ip: str) -> str:
    """Docker's convention: 02:42 then the four bytes of the IPv4 address."""
    octets = ipaddress.IPv4Address(ip).packed
    return "02:42:" + ":".join(f"{b:02x}" for b in octets)


MAC_RE = re.compile(r"^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$")


def check_mac(mac: str) -> str:
    """A `--mac-address` as dockerd accepts it: six colon-separated hex bytes ("" passes)."""
    if mac and not MAC_RE.match(mac):
        raise BadParameter(f"{mac} is not a valid mac address")
    return mac.lower()


def check_pool(
    subnet: str, gateway: str, ip_range: str, aux: dict[str, str], version: int = 4
) -> None:
    """`--ip-range` and `--aux-address` must lie in the subnet, as dockerd requires."""
    net = parse_any_subnet(subnet, version)
    if ip_range and not _within(parse_any_subnet(ip_range, version), net):
        raise BadParameter(f"Invalid ip range {ip_range}: not within subnet {subnet}")
    for name, address in aux.items():
        if parse_any_ip(address, "auxiliary address", version) not in net:
            raise BadParameter(f"Invalid auxiliary address {name}={address}: not in {subnet}")
    if gateway and parse_any_ip(gateway, "gateway", version) not in net:
        raise BadParameter(f"Invalid gateway {gateway}: not within subnet {subnet}")


def _within(inner: AnyNet, outer: AnyNet) -> bool:
    return (
        inner.network_address in outer
        and inner.broadcast_address in outer
        and inner.prefixlen >= outer.prefixlen
    )
