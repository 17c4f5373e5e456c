"""`docker network connect` and `disconnect`, live on a running container."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from native_runtime.network import files, ipam, netlink
from native_runtime.network.core import NetworkCore, parse_link
from native_runtime.network.errors import Forbidden
from native_runtime.network.model import (
    MODE_NETWORKS,
    Endpoint,
    EndpointRequest,
    Network,
    Plan,
    Publication,
    Sandbox,
)
from native_runtime.network.proxy import PortProxy
from native_runtime.network.undo import Undo

log = logging.getLogger("native_runtime.network")


class ConnectVerbs(NetworkCore):
    """Mixed into NetworkManager; both verbs hold `self.lock`."""

    async def connect(
        self,
        network_ref: str,
        container_ref: str,
        aliases: tuple[str, ...] = (),
        ipv4: str = "",
        ipv6: str = "",
        links: tuple[str, ...] = (),
        etc_dir: Path | None = None,
        mac: str = "",
    ) -> None:
        """`docker network connect`: stored for a stopped container, made live for a running one.

        `etc_dir` holds the running container's bind-mounted resolv.conf and hosts, which
        follow the change (None: nothing to rewrite).
        """
        async with self.lock:
            net = self.find(network_ref)
            plan = self._plan(self.container_ref(container_ref))
            if plan.mode != MODE_NETWORKS:
                raise Forbidden(
                    "container sharing a network namespace with the host or another "
                    "container cannot be connected to any other network"
                )
            if any(r.network_id == net.id for r in plan.networks):
                raise Forbidden(
                    f"endpoint with name {plan.name} already exists in network {net.name}"
                )
            self._check_request(net, aliases, ipv4, ipv6)
            parsed = tuple(dict.fromkeys(parse_link(x) for x in links))
            # On the default bridge they are legacy links; elsewhere the endpoint's own.
            legacy, own = (parsed, ()) if net.default else ((), parsed)
            new_plan = replace(
                plan,
                networks=(
                    *plan.networks,
                    EndpointRequest(
                        net.id, aliases, ipv4, ipam.check_mac(mac), links=own, ipv6=ipv6
                    ),
                ),
                links=tuple(dict.fromkeys([*plan.links, *legacy])),
            )
            sandbox = self.store.sandbox(plan.container_id)
            if sandbox is None:
                with self.store.transaction() as tx:
                    self.store.put_plan(tx, new_plan)
                return
            ep = await self._connect_live(new_plan, sandbox, net, ipv4, ipam.check_mac(mac), ipv6)
            await self._dns_after_change(plan.container_id)
            if etc_dir is not None:
                cid = new_plan.container_id
                names = new_plan.hostname or cid[:12]
                self._refresh_etc(cid, etc_dir, lambda t: files.hosts_with(t, ep.ip, names))

    async def _connect_live(
        self, plan: Plan, sandbox: Sandbox, net: Network, ipv4: str, mac: str = "", ipv6: str = ""
    ) -> Endpoint:
        cid = plan.container_id
        current = self.store.endpoints_of(cid)
        taken = set(await asyncio.to_thread(netlink.sandbox_ifnames, sandbox.netns))
        ifname = next(f"eth{i}" for i in range(64) if f"eth{i}" not in taken)
        used = [e.ip for e in self.store.endpoints(net.id)]
        ip = ipam.allocate(
            net.subnet, net.gateway, used, ipv4, net.ip_range, net.aux_addresses.values()
        )
        order = max((e.order for e in current), default=-1) + 1
        ep = Endpoint(
            cid,
            net.id,
            secrets.token_hex(32),
            ip,
            mac or ipam.mac_for(ip),
            ifname,
            self.naming.veth_for(cid, net.id),
            order,
            self._address6(net, ipv6),
        )
        undo = Undo()
        try:
            undo.push(lambda: asyncio.to_thread(netlink.delete_link, ep.veth))
            await asyncio.to_thread(
                netlink.add_veth,
                ep.veth,
                net.bridge,
                sandbox.netns,
                ifname,
                ip,
                net.prefixlen,
                ep.mac,
            )
            if ep.ip6:
                await asyncio.to_thread(
                    netlink.ensure_address6, sandbox.netns, ifname, ep.ip6, net.prefixlen6
                )
            has_gateway = any(not self.find(e.network_id).internal for e in current)
            if not has_gateway and not net.internal:
                await asyncio.to_thread(netlink.set_default_route, sandbox.netns, net.gateway)
            has_gateway6 = any(e.ip6 and not self.find(e.network_id).internal for e in current)
            if ep.ip6 and not has_gateway6 and not net.internal:
                await asyncio.to_thread(netlink.set_default_route6, sandbox.netns, net.gateway6)
            with self.store.transaction() as tx:
                self.store.put_plan(tx, plan)
                self.store.put_endpoint(tx, ep)
            await self.sync_rules()
        except BaseException:
            await undo.run()
            raise
        return ep

    async def disconnect(
        self,
        network_ref: str,
        container_ref: str,
        force: bool = False,
        etc_dir: Path | None = None,
    ) -> None:
        """`docker network disconnect`: the interface leaves a running container at once."""
        del force  # nothing of ours can be half-attached, so force changes nothing
        async with self.lock:
            net = self.find(network_ref)
            plan = self._plan(self.container_ref(container_ref))
            if not any(r.network_id == net.id for r in plan.networks):
                raise Forbidden(
                    f"container {plan.container_id[:12]} is not connected to network {net.name}"
                )
            cid = plan.container_id
            new_plan = replace(
                plan, networks=tuple(r for r in plan.networks if r.network_id != net.id)
            )
            ep = next((e for e in self.store.endpoints_of(cid) if e.network_id == net.id), None)
            sandbox = self.store.sandbox(cid)
            if ep is not None:
                await asyncio.to_thread(netlink.delete_link, ep.veth)
            kept: list[Publication] = []
            if sandbox is not None:
                proxies = self.proxies.get(cid, [])
                live: list[PortProxy | None] = [*proxies]
                live += [None] * (len(sandbox.publications) - len(live))
                for pub, proxy in zip(sandbox.publications, live, strict=False):
                    if ep is not None and pub.target_ip == ep.ip and pub.bridge == net.bridge:
                        if proxy is not None:
                            await proxy.stop()
                            proxies.remove(proxy)
                    else:
                        kept.append(pub)
            with self.store.transaction() as tx:
                self.store.put_plan(tx, new_plan)
                self.store.delete_endpoint(tx, cid, net.id)
                if sandbox is not None:
                    self.store.put_sandbox(tx, replace(sandbox, publications=tuple(kept)))
            if sandbox is not None and ep is not None:
                rest = [self.find(e.network_id) for e in self.store.endpoints_of(cid)]
                gateway = next((n.gateway for n in rest if not n.internal), None)
                await asyncio.to_thread(netlink.set_default_route, sandbox.netns, gateway)
            await self.sync_rules()
            if sandbox is not None:
                await self._dns_after_change(cid)
            if sandbox is not None and ep is not None and etc_dir is not None:
                gone = ep.ip
                self._refresh_etc(cid, etc_dir, lambda t: files.hosts_without(t, gone))

    async def _dns_after_change(self, container_id: str) -> None:
        """A first user network opens the sandbox's DNS listener, leaving the last closes it.

        The connect or disconnect itself is done by then; a listener that cannot be
        opened leaves the container without names, and the daemon's log says why.
        """
        try:
            await self._sync_dns(container_id)
        except Exception as exc:  # the network change stands: reported only
            log.warning("embedded DNS of %s: %s", container_id[:12], exc)

    def _refresh_etc(self, container_id: str, etc_dir: Path, edit: Callable[[str], str]) -> None:
        """resolv.conf is written anew; hosts is edited, so ExtraHosts and links stay.

        The change itself is done by then: a container whose files cannot be written
        keeps its new network and the daemon's log says why.
        """
        try:
            files.rewrite_in_place(etc_dir / "resolv.conf", self.resolv_conf_for(container_id))
            hosts = etc_dir / "hosts"
            files.rewrite_in_place(hosts, edit(files.read_host(hosts)))
        except OSError as exc:
            log.warning("cannot update /etc files of %s: %s", container_id[:12], exc)
