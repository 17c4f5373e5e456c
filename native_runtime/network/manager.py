"""NetworkManager: the network engine's one door for the daemon (networks and lifecycle)."""

# Container-side verbs live in `sandboxes.py` (prepare, attach, detach, release, files)
# and `connect.py` (connect, disconnect), the embedded DNS in `nameservice.py`; shared
# lookups in `core.py`. This module holds the daemon lifecycle and the network verbs.

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import secrets
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from native_runtime.network import ipam, iptables, netlink, views
from native_runtime.network.connect import ConnectVerbs
from native_runtime.network.dns import SandboxDns, host_resolvers
from native_runtime.network.errors import BadParameter, Conflict, Forbidden
from native_runtime.network.model import BRIDGE, HOST, NULL, Naming, Network, Pool6
from native_runtime.network.nameservice import NameService
from native_runtime.network.proxy import PortProxy
from native_runtime.network.sandboxes import SandboxVerbs
from native_runtime.network.store import NetworkStore
from native_runtime.network.undo import Undo

DEFAULT_NETWORK = "bridge"


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat().replace("+00:00", "Z")


class NetworkManager(SandboxVerbs, ConnectVerbs, NameService):
    """Networks, sandboxes and everything they need on the host.

    `db` is the daemon's database path (we open our own connection and our own `net_*`
    tables) or an open connection; it defaults to `state_dir/network.db`.
    """

    def __init__(
        self,
        state_dir: Path,
        db: Path | str | sqlite3.Connection | None = None,
        *,
        run_dir: Path = Path("/run/dockyard"),
        naming: Naming | None = None,
        resolv_conf: Path = Path("/etc/resolv.conf"),
        hosts_file: Path = Path("/etc/hosts"),
        upstreams: list[tuple[str, int]] | None = None,
    ) -> None:
        state_dir.mkdir(parents=True, exist_ok=True)
        self.state_dir = state_dir
        self.store = NetworkStore(db if db is not None else state_dir / "network.db")
        self.netns_dir = run_dir / "netns"
        self.naming = naming or Naming()
        self.resolv_conf = resolv_conf
        self.hosts_file = hosts_file
        self.upstreams = upstreams if upstreams is not None else host_resolvers(resolv_conf)
        self.lock = asyncio.Lock()
        self.dns: dict[str, SandboxDns] = {}  # by the container owning the namespace
        self.proxies: dict[str, list[PortProxy]] = {}
        self._unwired = {}
        self._jumps_in_place = False
        self._rules_in_place = None

    # ----- lifecycle -------------------------------------------------------------------

    async def start(self, running: Iterable[str] | None = None) -> None:
        """Daemon start: predefined networks, bridges, rules; re-adopt live sandboxes.

        `running` lists the containers still running (live restore); sandboxes of any
        other container are torn down. None keeps every recorded sandbox.
        """
        async with self.lock:
            self._jumps_in_place = False
            self._rules_in_place = None
            self._ensure_predefined(await asyncio.to_thread(netlink.host_networks))
            await asyncio.to_thread(netlink.enable_ip_forward)
            for net in self.bridge_networks():
                await self._ensure_bridge(net)
            await self.sync_rules()
            await self._sweep_orphans()
        for plan in self.store.plans():
            if plan.transient:  # a build step the last daemon never finished
                await self.release(plan.container_id)
        keep = None if running is None else set(running)
        for sandbox in self.store.sandboxes():
            if keep is not None and sandbox.container_id not in keep:
                await self.detach(sandbox.container_id)
            else:
                await self.restart_proxies(sandbox.container_id)
                async with self.lock:
                    await self._restore_dns(sandbox.container_id)

    async def close(self, *, containers_running: bool) -> None:
        """Daemon stop: servers always stop; the host is cleaned when nothing runs."""
        if not containers_running:
            await self.teardown_all()
            return
        async with self.lock:
            await self._stop_servers()

    async def teardown_all(self) -> None:
        """Remove every veth, namespace, bridge and chain of ours; configs stay stored."""
        async with self.lock:
            await self._stop_servers()
            for sandbox in self.store.sandboxes():
                for ep in self.store.endpoints_of(sandbox.container_id):
                    await asyncio.to_thread(netlink.delete_link, ep.veth)
                if sandbox.netns.startswith(str(self.netns_dir)):
                    await asyncio.to_thread(netlink.remove_netns, sandbox.netns)
            with self.store.transaction() as tx:
                tx.execute("DELETE FROM net_endpoints")
                tx.execute("DELETE FROM net_sandboxes")
            await self._sweep_orphans()
            for name in await asyncio.to_thread(netlink.link_names):
                if self.naming.owns_link(name):
                    await asyncio.to_thread(netlink.delete_link, name)
            await asyncio.to_thread(iptables.teardown, self.naming)
            await asyncio.to_thread(netlink.release_shared_dir, self.netns_dir)
            self._jumps_in_place = False
            self._rules_in_place = None

    async def _sweep_orphans(self) -> None:
        """A crash between a kernel step and its commit leaves objects no record names."""
        veths = {e.veth for e in self.store.endpoints()}
        for name in await asyncio.to_thread(netlink.link_names):
            if name.startswith(self.naming.veth_prefix) and name not in veths:
                await asyncio.to_thread(netlink.delete_link, name)
        known = {s.netns for s in self.store.sandboxes()}
        if self.netns_dir.is_dir():
            for path in self.netns_dir.iterdir():
                if str(path) not in known:
                    await asyncio.to_thread(netlink.remove_netns, str(path))

    async def _stop_servers(self) -> None:
        await self._close_all_dns()
        for proxies in self.proxies.values():
            for proxy in proxies:
                await proxy.stop()
        self.proxies.clear()

    def _ensure_predefined(self, host: list[ipaddress.IPv4Network]) -> None:
        have = {n.name for n in self.store.networks()}
        missing = [name for name in (DEFAULT_NETWORK, HOST, "none") if name not in have]
        if not missing:
            return
        taken = [ipaddress.IPv4Network(n.subnet) for n in self.store.networks() if n.subnet]
        with self.store.transaction() as tx:
            for name in missing:
                net_id = secrets.token_hex(32)
                if name == DEFAULT_NETWORK:
                    subnet = ipam.pick_subnet([*taken, *host], prefix=ipam.DEFAULT_NETWORK_PREFIX)
                    net = Network(
                        net_id,
                        name,
                        BRIDGE,
                        _now(),
                        subnet=str(subnet),
                        gateway=ipam.gateway_for(subnet),
                        default=True,
                        bridge=self.naming.default_bridge,
                    )
                else:
                    net = Network(net_id, name, HOST if name == HOST else NULL, _now())
                self.store.put_network(tx, net)

    # ----- network verbs ---------------------------------------------------------------

    async def create(
        self,
        name: str,
        *,
        driver: str = BRIDGE,
        subnet: str = "",
        gateway: str = "",
        internal: bool = False,
        labels: dict[str, str] | None = None,
        options: dict[str, str] | None = None,
        ip_range: str = "",
        aux_addresses: dict[str, str] | None = None,
        ipv6: Pool6 | None = None,
        enable_ipv6: bool = False,
    ) -> Network:
        """`docker network create`: validate, make the bridge and its rules; store it.

        `ipv6` is the IPv6 pool, used for addresses only with `enable_ipv6` (dockerd keeps
        and shows a pool given without it); there is no default IPv6 pool to take from.
        """
        driver = driver or BRIDGE
        if not name:
            raise BadParameter("a network needs a name")
        if driver in (HOST, NULL):
            raise Forbidden(f'only one instance of "{driver}" network is allowed')
        if driver != BRIDGE:
            raise BadParameter(f"network driver {driver!r} is not supported by the native engine")
        async with self.lock:
            if any(n.name == name for n in self.store.networks()):
                raise Conflict(f"network with name {name} already exists")
            ours = [ipaddress.IPv4Network(n.subnet) for n in self.store.networks() if n.subnet]
            host = [
                h
                for h in await asyncio.to_thread(netlink.host_networks)
                if not any(h == o for o in ours)
            ]
            if subnet:
                chosen = ipam.parse_subnet(subnet)
                ipam.check_user_subnet(chosen, ours, host)
                ipam.check_pool(subnet, gateway, ip_range, aux_addresses or {})
            else:
                if gateway or ip_range or aux_addresses:
                    raise BadParameter("a gateway needs a --subnet it belongs to")
                chosen = ipam.pick_subnet([*ours, *host])
            if ipv6 is not None:
                self._check_pool6(ipv6)
            elif enable_ipv6:
                # dockerd's words; it has no default IPv6 pools either
                raise BadParameter(
                    "could not find an available, non-overlapping IPv6 address pool among "
                    "the defaults to assign to the network"
                )
            net_id = secrets.token_hex(32)
            net = Network(
                net_id,
                name,
                BRIDGE,
                _now(),
                subnet=str(chosen),
                gateway=ipam.gateway_for(chosen, gateway),
                internal=internal,
                user_subnet=bool(subnet),
                bridge=self.naming.bridge_for(net_id),
                labels=dict(labels or {}),
                options=dict(options or {}),
                ip_range=ip_range,
                aux_addresses=dict(aux_addresses or {}),
            )
            if ipv6 is not None:
                net = replace(
                    net,
                    enable_ipv6=enable_ipv6,
                    subnet6=str(ipam.parse_subnet6(ipv6.subnet)),
                    gateway6=ipam.gateway_for(ipam.parse_subnet6(ipv6.subnet), ipv6.gateway),
                    ip_range6=ipv6.ip_range,
                )
            undo = Undo()
            try:
                undo.push(lambda: asyncio.to_thread(netlink.delete_link, net.bridge))
                await self._ensure_bridge(net)
                with self.store.transaction() as tx:
                    self.store.put_network(tx, net)
                undo.push(lambda: self._forget_network(net.id))
                await self.sync_rules()
            except BaseException:
                await undo.run()
                raise
            return net

    async def _ensure_bridge(self, net: Network) -> None:
        await asyncio.to_thread(netlink.ensure_bridge, net.bridge, net.gateway, net.prefixlen)
        if net.enable_ipv6:
            await asyncio.to_thread(
                netlink.ensure_address6, None, net.bridge, net.gateway6, net.prefixlen6
            )

    def _check_pool6(self, pool: Pool6) -> None:
        subnet = ipam.parse_subnet6(pool.subnet)
        ipam.check_pool(pool.subnet, pool.gateway, pool.ip_range, {}, version=6)
        for other in self.store.networks():
            if other.subnet6 and subnet.overlaps(ipam.parse_subnet6(other.subnet6)):
                raise Conflict(
                    f"Pool overlaps with other one on this address space ({other.subnet6})"
                )

    async def _forget_network(self, network_id: str) -> None:
        with self.store.transaction() as tx:
            self.store.delete_network(tx, network_id)

    async def remove(self, ref: str) -> None:
        """`docker network rm`: refused for predefined networks and ones in use."""
        async with self.lock:
            net = self.find(ref)
            if net.predefined:
                raise Forbidden(f"{net.name} is a pre-defined network and cannot be removed")
            if self.store.endpoints(net.id):
                raise Forbidden(
                    f"error while removing network: network {net.name} id {net.id} "
                    "has active endpoints"
                )
            with self.store.transaction() as tx:
                self.store.delete_network(tx, net.id)
            await self.sync_rules()
            await asyncio.to_thread(netlink.delete_link, net.bridge)

    async def prune(self, wanted: Callable[[Network], bool] | None = None) -> list[str]:
        """Remove user networks no container uses or references (and `wanted` picks)."""
        referenced = {r.network_id for p in self.store.plans() for r in p.networks}
        removed: list[str] = []
        for net in self.store.networks():
            if net.predefined or net.id in referenced or self.store.endpoints(net.id):
                continue
            if wanted is not None and not wanted(net):
                continue
            await self.remove(net.id)
            removed.append(net.name)
        return removed

    # ----- views -----------------------------------------------------------------------

    def inspect(self, ref: str) -> dict[str, Any]:
        """GET /networks/{id} body."""
        return views.network_doc(self.find(ref), self.store)

    def port_list(self, container_id: str) -> list[dict[str, Any]]:
        """The `Ports` of a GET /containers/json entry (what `docker ps` shows)."""
        sandbox = self.store.sandbox(container_id)
        return [
            {
                "IP": p.host_ip,
                "PrivatePort": p.container_port,
                "PublicPort": p.host_port,
                "Type": p.proto,
            }
            for p in (sandbox.publications if sandbox else ())
        ]

    def network_settings(self, container_id: str) -> dict[str, Any]:
        """NetworkSettings for a container's inspect (Docker's shape)."""
        nets = {n.id: n for n in self.store.networks()}
        return views.network_settings(container_id, self.store, nets)
