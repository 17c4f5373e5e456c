"""The network engine's records: networks, container plans, live endpoints and names."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

BRIDGE = "bridge"
HOST = "host"
NULL = "null"

# Network modes a container can ask for in HostConfig.NetworkMode.
MODE_NETWORKS = "networks"
MODE_HOST = "host"
MODE_NONE = "none"
MODE_CONTAINER = "container"


@dataclass(frozen=True)
class Naming:
    """Every kernel object we create carries one of these prefixes, so cleanup can find it.

    A test daemon beside a user's real one gets its own `Naming` (see `tagged`), so the two
    never share a bridge name or an iptables chain.
    """

    bridge_prefix: str = "dy-"
    default_bridge: str = "dockyard0"
    veth_prefix: str = "dyv"
    chain_prefix: str = "DOCKYARD"

    @classmethod
    def tagged(cls, tag: str) -> Naming:
        """Names for a throwaway engine: `tag` is 4 lowercase hex characters."""
        return cls(f"dt{tag}-", f"dt{tag}0", f"dt{tag}v", f"DYT{tag.upper()}")

    def bridge_for(self, network_id: str) -> str:
        return (self.bridge_prefix + network_id)[:15]

    def veth_for(self, container_id: str, network_id: str) -> str:
        digest = hashlib.sha256(f"{container_id}/{network_id}".encode()).hexdigest()
        return (self.veth_prefix + digest)[:15]

    def owns_link(self, name: str) -> bool:
        return name == self.default_bridge or name.startswith(
            (self.bridge_prefix, self.veth_prefix)
        )


@dataclass(frozen=True)
class Network:
    """One network as stored; `bridge` is the Linux bridge device ("" for host/null)."""

    id: str
    name: str
    driver: str
    created: str
    subnet: str = ""
    gateway: str = ""
    internal: bool = False
    default: bool = False
    user_subnet: bool = False
    bridge: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)
    ip_range: str = ""
    aux_addresses: dict[str, str] = field(default_factory=dict)
    # EnableIPv6 with its IPAM pool: endpoints get an address of it beside the IPv4 one.
    enable_ipv6: bool = False
    subnet6: str = ""
    gateway6: str = ""
    ip_range6: str = ""

    @property
    def predefined(self) -> bool:
        return self.default or self.driver in (HOST, NULL)

    @property
    def prefixlen(self) -> int:
        return int(self.subnet.split("/")[1]) if self.subnet else 0

    @property
    def prefixlen6(self) -> int:
        return int(self.subnet6.split("/")[1]) if self.subnet6 else 0


@dataclass(frozen=True)
class Pool6:
    """The IPv6 IPAM pool asked for at network create: subnet, gateway, range."""

    subnet: str
    gateway: str = ""
    ip_range: str = ""


@dataclass(frozen=True)
class EndpointRequest:
    """What a container asked for on one network: aliases, a fixed IP, its links there."""

    network_id: str
    aliases: tuple[str, ...] = ()
    ipv4: str = ""
    mac: str = ""  # `--mac-address`; empty: derived from the address, as dockerd does
    # Kept and shown as given, as dockerd's bridge driver does with them.
    link_local_ips: tuple[str, ...] = ()
    driver_opts: dict[str, str] = field(default_factory=dict)
    # (target container name, alias) on a user-defined network: a name only this container
    # resolves, through the embedded DNS, to whatever answers the target's name there.
    links: tuple[tuple[str, str], ...] = ()
    ipv6: str = ""


@dataclass(frozen=True)
class PortRequest:
    """One `-p`: host port range (0, 0 = any free port), container port and protocol."""

    container_port: int
    proto: str = "tcp"
    host_ip: str = "0.0.0.0"
    host_port_lo: int = 0
    host_port_hi: int = 0


@dataclass(frozen=True)
class UserDns:
    """`--dns`, `--dns-search` and `--dns-option`: each, when given, replaces the host's."""

    servers: tuple[str, ...] = ()
    search: tuple[str, ...] = ()
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    """A container's networking as configured at create; it lives until the container goes."""

    container_id: str
    name: str
    hostname: str = ""
    mode: str = MODE_NETWORKS
    peer: str = ""  # container id whose namespace MODE_CONTAINER joins
    networks: tuple[EndpointRequest, ...] = ()
    # Legacy `--link` on the default bridge: (target container name or id, alias).
    links: tuple[tuple[str, str], ...] = ()
    ports: tuple[PortRequest, ...] = ()
    dns: UserDns = UserDns()
    # A build step's sandbox: no container record stands behind it, so a daemon start
    # drops it whatever the list of running containers says.
    transient: bool = False


@dataclass(frozen=True)
class Endpoint:
    """A live attachment: the veth, the address and the interface name inside the sandbox."""

    container_id: str
    network_id: str
    endpoint_id: str
    ip: str
    mac: str
    ifname: str
    veth: str
    order: int
    ip6: str = ""  # on a network with EnableIPv6


@dataclass(frozen=True)
class Publication:
    """A published port that is live: its proxy is bound and its DNAT rule installed."""

    proto: str
    host_ip: str
    host_port: int
    container_port: int
    target_ip: str
    bridge: str


@dataclass(frozen=True)
class Sandbox:
    """A started container's network namespace ("" for the host's) and published ports."""

    container_id: str
    netns: str
    publications: tuple[Publication, ...] = ()


@dataclass(frozen=True)
class SandboxFiles:
    """What the daemon needs to start a container: namespace path and /etc files."""

    netns_path: str | None
    resolv_conf: str
    hosts: str


def to_doc(obj: Any) -> Any:
    """A dataclass tree as JSON-ready data (tuples become lists)."""
    if hasattr(obj, "__dataclass_fields__"):
        return {name: to_doc(getattr(obj, name)) for name in obj.__dataclass_fields__}
    if isinstance(obj, tuple | list):
        return [to_doc(item) for item in obj]
    if isinstance(obj, dict):
        return {key: to_doc(value) for key, value in obj.items()}
    return obj


def network_from(doc: dict[str, Any]) -> Network:
    return Network(**doc)


def plan_from(doc: dict[str, Any]) -> Plan:
    return Plan(
        container_id=doc["container_id"],
        name=doc["name"],
        hostname=doc.get("hostname", ""),
        mode=doc.get("mode", MODE_NETWORKS),
        peer=doc.get("peer", ""),
        networks=tuple(
            EndpointRequest(
                n["network_id"],
                tuple(n.get("aliases", ())),
                n.get("ipv4", ""),
                n.get("mac", ""),
                tuple(n.get("link_local_ips", ())),
                dict(n.get("driver_opts") or {}),
                tuple((str(t), str(a)) for t, a in n.get("links", ())),
                str(n.get("ipv6", "")),
            )
            for n in doc.get("networks", ())
        ),
        links=tuple((str(t), str(a)) for t, a in doc.get("links", ())),
        ports=tuple(PortRequest(**p) for p in doc.get("ports", ())),
        dns=UserDns(**{k: tuple(v) for k, v in (doc.get("dns") or {}).items()}),
        transient=bool(doc.get("transient", False)),
    )


def endpoint_from(doc: dict[str, Any]) -> Endpoint:
    return Endpoint(**doc)


def sandbox_from(doc: dict[str, Any]) -> Sandbox:
    return Sandbox(
        container_id=doc["container_id"],
        netns=doc["netns"],
        publications=tuple(Publication(**p) for p in doc.get("publications", ())),
    )
