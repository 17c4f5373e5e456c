"""State and lookups shared by the NetworkManager's verb groups (networks, sandboxes, connect)."""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path

from native_runtime.network import ipam, iptables
from native_runtime.network.errors import BadParameter, NotFound
from native_runtime.network.model import BRIDGE, Endpoint, Naming, Network, Plan
from native_runtime.network.proxy import PortProxy
from native_runtime.network.store import NetworkStore
from native_runtime.network.undo import Undo


def parse_link(entry: str) -> tuple[str, str]:
    """`name:alias`, or the daemon's own `/name:/container/alias` form."""
    name, _, alias = entry.partition(":")
    name = name.strip("/")
    alias = alias.rsplit("/", 1)[-1] if alias else name
    if not name:
        raise BadParameter(f"invalid link {entry!r}")
    return name, alias


class NetworkCore:
    """What every verb group reads: the store, the names, the live proxies; set in __init__."""

    store: NetworkStore
    naming: Naming
    netns_dir: Path
    lock: asyncio.Lock
    proxies: dict[str, list[PortProxy]]
    # Reserved sandboxes `wire` has yet to finish: namespace, endpoints, networks, rollback.
    _unwired: dict[str, tuple[str, tuple[Endpoint, ...], tuple[Network, ...], Undo]]
    resolv_conf: Path
    hosts_file: Path
    _jumps_in_place: bool
    # The rule inputs last loaded; None (after a start or teardown) forces a reload.
    _rules_in_place: tuple[tuple[iptables.BridgeRule, ...], tuple[iptables.DnatRule, ...]] | None

    def networks(self) -> list[Network]:
        return self.store.networks()

    def bridge_networks(self) -> list[Network]:
        return [n for n in self.store.networks() if n.driver == BRIDGE]

    def find(self, ref: str) -> Network:
        """By full id, then name, then unique id prefix, as Docker resolves network names."""
        nets = self.store.networks()
        found = [n for n in nets if n.id == ref] or [n for n in nets if n.name == ref]
        if found:
            return found[0]
        found = [n for n in nets if ref and n.id.startswith(ref)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise NotFound(f"network {ref} is ambiguous ({len(found)} matches found)")
        raise NotFound(f"network {ref} not found")

    def default_network(self) -> Network:
        for net in self.store.networks():
            if net.default:
                return net
        raise NotFound("the default bridge network does not exist (start() not called?)")

    def container_ref(self, ref: str) -> str:
        """A container id from a name, an id or a unique id prefix the engine knows."""
        plans = self.store.plans()
        name = ref.lstrip("/")
        found = [p for p in plans if p.container_id == ref] or [p for p in plans if p.name == name]
        if found:
            return found[0].container_id
        found = [p for p in plans if ref and p.container_id.startswith(ref)]
        if len(found) == 1:
            return found[0].container_id
        raise NotFound(f"No such container: {ref}")

    def _plan(self, container_id: str) -> Plan:
        plan = self.store.plan(container_id)
        if plan is None:
            raise NotFound(f"No such container: {container_id}")
        return plan

    def resolv_conf_for(self, container_id: str) -> str:
        """The container's /etc/resolv.conf text; `SandboxVerbs` writes it."""
        raise NotImplementedError

    async def _sync_dns(self, container_id: str, *, fresh: bool = False) -> None:
        """Open or close the sandbox's embedded DNS listener; `NameService` does it."""
        raise NotImplementedError

    async def _close_dns(self, container_id: str) -> None:
        raise NotImplementedError

    def _address6(self, net: Network, requested: str) -> str:
        """An endpoint's IPv6 address on a network with EnableIPv6 ("" on any other)."""
        if not net.enable_ipv6:
            return ""
        used = [e.ip6 for e in self.store.endpoints(net.id) if e.ip6]
        return ipam.allocate(net.subnet6, net.gateway6, used, requested, net.ip_range6, version=6)

    def _check_request(
        self, net: Network, aliases: tuple[str, ...], ipv4: str, ipv6: str = ""
    ) -> None:
        if net.driver != BRIDGE:
            raise BadParameter(f"container cannot be connected to the {net.name} network this way")
        if net.default and aliases:
            raise BadParameter(
                "network-scoped alias is supported only for containers in user defined networks"
            )
        if net.default and ipv4:
            raise BadParameter(
                "user specified IP address is supported on user defined networks only"
            )
        if ipv4:
            ipam.parse_ip(ipv4, "IP address")
        # As dockerd: an IPv6 pool must be there; without EnableIPv6 the ask is kept unused.
        if ipv6 and not net.subnet6:
            raise BadParameter(
                "user specified IP address is supported only when connecting to networks "
                "with user configured subnets"
            )
        if ipv6:
            ipam.parse_any_ip(ipv6, "IPv6 address", 6)

    async def sync_rules(self) -> None:
        """Rewrite our iptables chains from the stored state (atomic per table)."""
        nets = {n.id: n for n in self.bridge_networks()}
        bridges = [iptables.BridgeRule(n.bridge, n.subnet, n.internal) for n in nets.values()]
        dnats = [
            iptables.DnatRule(
                p.proto, p.host_ip, p.host_port, p.target_ip, p.container_port, p.bridge
            )
            for s in self.store.sandboxes()
            for p in s.publications
        ]
        wanted = (tuple(bridges), tuple(dnats))
        # Most starts and stops publish no port: the chains would be rewritten to what
        # they already say, at the cost of two iptables-restore processes each time.
        if self._jumps_in_place and wanted == self._rules_in_place:
            return
        self._rules_in_place = None
        await asyncio.to_thread(
            functools.partial(
                iptables.apply, self.naming, bridges, dnats, jumps=not self._jumps_in_place
            )
        )
        self._jumps_in_place = True
        self._rules_in_place = wanted
