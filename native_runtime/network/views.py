"""Docker's JSON shapes: network inspect/list entries and a container's NetworkSettings."""

from __future__ import annotations

from typing import Any

from native_runtime.network.model import (
    BRIDGE,
    MODE_HOST,
    MODE_NONE,
    EndpointRequest,
    Network,
)
from native_runtime.network.ports import ports_view
from native_runtime.network.store import NetworkStore


def _options(net: Network) -> dict[str, str]:
    if not net.default:
        return dict(net.options)
    # The keys Docker reports for its default bridge, with our bridge's name.
    return {
        "com.docker.network.bridge.default_bridge": "true",
        "com.docker.network.bridge.enable_icc": "true",
        "com.docker.network.bridge.enable_ip_masquerade": "true",
        "com.docker.network.bridge.host_binding_ipv4": "0.0.0.0",
        "com.docker.network.bridge.name": net.bridge,
        "com.docker.network.driver.mtu": "1500",
    }


def network_doc(net: Network, store: NetworkStore) -> dict[str, Any]:
    """One entry of GET /networks, and the body of GET /networks/{id}."""
    plans = {p.container_id: p for p in store.plans()}
    containers: dict[str, Any] = {}
    if net.driver == BRIDGE:
        for ep in store.endpoints(net.id):
            plan = plans.get(ep.container_id)
            containers[ep.container_id] = {
                "Name": plan.name if plan else "",
                "EndpointID": ep.endpoint_id,
                "MacAddress": ep.mac,
                "IPv4Address": f"{ep.ip}/{net.prefixlen}",
                "IPv6Address": f"{ep.ip6}/{net.prefixlen6}" if ep.ip6 else "",
            }
    else:
        mode = MODE_HOST if net.driver == "host" else MODE_NONE
        for sandbox in store.sandboxes():
            plan = plans.get(sandbox.container_id)
            if plan is not None and plan.mode == mode:
                containers[plan.container_id] = {
                    "Name": plan.name,
                    "EndpointID": "",
                    "MacAddress": "",
                    "IPv4Address": "",
                    "IPv6Address": "",
                }
    config: list[dict[str, Any]] = []
    if net.subnet:
        config.append({"Subnet": net.subnet, "Gateway": net.gateway})
        if net.ip_range:
            config[0]["IPRange"] = net.ip_range
        if net.aux_addresses:
            config[0]["AuxiliaryAddresses"] = dict(net.aux_addresses)
    if net.subnet6:
        pool6 = {"Subnet": net.subnet6, "Gateway": net.gateway6}
        config.append({**pool6, "IPRange": net.ip_range6} if net.ip_range6 else pool6)
    return {
        "Name": net.name,
        "Id": net.id,
        "Created": net.created,
        "Scope": "local",
        "Driver": net.driver,
        "EnableIPv6": net.enable_ipv6,
        "IPAM": {"Driver": "default", "Options": None, "Config": config},
        "Internal": net.internal,
        "Attachable": False,
        "Ingress": False,
        "ConfigFrom": {"Network": ""},
        "ConfigOnly": False,
        "Containers": containers,
        "Options": _options(net),
        "Labels": dict(net.labels),
    }


def _ipam_config(req: EndpointRequest) -> dict[str, Any] | None:
    config: dict[str, Any] = {}
    if req.ipv4:
        config["IPv4Address"] = req.ipv4
    if req.ipv6:
        config["IPv6Address"] = req.ipv6
    if req.link_local_ips:
        config["LinkLocalIPs"] = list(req.link_local_ips)
    return config or None


def _endpoint_settings(net: Network, **values: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "IPAMConfig": None,
        "Links": None,
        "Aliases": None,
        "NetworkID": net.id,
        "EndpointID": "",
        "Gateway": "",
        "IPAddress": "",
        "IPPrefixLen": 0,
        "IPv6Gateway": "",
        "GlobalIPv6Address": "",
        "GlobalIPv6PrefixLen": 0,
        "MacAddress": "",
        "DriverOpts": None,
    }
    out.update(values)
    return out


def network_settings(
    container_id: str, store: NetworkStore, networks: dict[str, Network]
) -> dict[str, Any]:
    """A container's NetworkSettings for inspect; addresses only while it runs."""
    plan = store.plan(container_id)
    sandbox = store.sandbox(container_id)
    eps = {e.network_id: e for e in store.endpoints_of(container_id)}
    by_name: dict[str, Any] = {}
    if plan is not None and plan.mode in (MODE_HOST, MODE_NONE):
        net = next((n for n in networks.values() if n.name == plan.mode), None)
        if net is not None:
            by_name[net.name] = _endpoint_settings(net)
    for req in plan.networks if plan is not None else ():
        net = networks.get(req.network_id)
        if net is None:
            continue
        ep = eps.get(net.id)
        # dockerd lists the requested aliases first, then, while it runs, the short id.
        aliases: list[str] | None = None
        if not net.default:
            aliases = [*req.aliases, container_id[:12]] if ep else list(req.aliases) or None
        pairs = req.links if not net.default else plan.links if plan is not None else ()
        links = [f"{t}:{a}" for t, a in pairs] or None
        live: dict[str, Any] = {"MacAddress": req.mac}
        if ep is not None:
            live = {
                "EndpointID": ep.endpoint_id,
                "Gateway": net.gateway,
                "IPAddress": ep.ip,
                "IPPrefixLen": net.prefixlen,
                "MacAddress": ep.mac,
            }
            if ep.ip6:
                live |= {
                    "IPv6Gateway": net.gateway6,
                    "GlobalIPv6Address": ep.ip6,
                    "GlobalIPv6PrefixLen": net.prefixlen6,
                }
        by_name[net.name] = _endpoint_settings(
            net,
            IPAMConfig=_ipam_config(req),
            DriverOpts=dict(req.driver_opts) or None,
            Links=links,
            Aliases=aliases,
            **live,
        )
    default = next(
        (by_name[n.name] for n in networks.values() if n.default and n.name in by_name), None
    )
    top = {
        key: (default or {}).get(key, empty)
        for key, empty in (
            ("EndpointID", ""),
            ("Gateway", ""),
            ("IPAddress", ""),
            ("IPPrefixLen", 0),
            ("MacAddress", ""),
        )
    }
    return {
        "Bridge": "",
        "SandboxID": "",
        "HairpinMode": False,
        "LinkLocalIPv6Address": "",
        "LinkLocalIPv6PrefixLen": 0,
        "Ports": ports_view(sandbox.publications if sandbox else (), plan.ports if plan else ()),
        "SandboxKey": sandbox.netns if sandbox else "",
        "SecondaryIPAddresses": None,
        "SecondaryIPv6Addresses": None,
        "GlobalIPv6Address": "",
        "GlobalIPv6PrefixLen": 0,
        "IPv6Gateway": "",
        **top,
        "Networks": by_name,
    }
