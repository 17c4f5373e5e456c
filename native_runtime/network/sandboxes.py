"""Container-side verbs: plan at create, attach at start, detach at stop, files to mount."""

from __future__ import annotations

import asyncio
import functools
import secrets
from dataclasses import replace
from typing import Any

from native_runtime.network import files, ipam, netlink
from native_runtime.network.core import NetworkCore, parse_link
from native_runtime.network.errors import Conflict, NotFound, PortAllocated
from native_runtime.network.model import (
    MODE_CONTAINER,
    MODE_HOST,
    MODE_NETWORKS,
    MODE_NONE,
    Endpoint,
    EndpointRequest,
    Network,
    Plan,
    Publication,
    Sandbox,
    SandboxFiles,
    UserDns,
)
from native_runtime.network.nsdoor import EMBEDDED_DNS
from native_runtime.network.ports import requests_from
from native_runtime.network.proxy import PortProxy
from native_runtime.network.undo import Undo


class SandboxVerbs(NetworkCore):
    """Mixed into NetworkManager; every verb that changes the host holds `self.lock`."""

    # ----- create / remove -------------------------------------------------------------

    def prepare(
        self,
        container_id: str,
        name: str,
        host_config: dict[str, Any],
        networking_config: dict[str, Any] | None = None,
        exposed_ports: dict[str, Any] | None = None,
        hostname: str = "",
        transient: bool = False,
        mac_address: str = "",
    ) -> Plan:
        """At container create: decode NetworkMode, EndpointsConfig, links and ports; store.

        `transient` marks a build step's sandbox, which no container record stands behind.
        """
        mode_text = str(host_config.get("NetworkMode") or "default")
        endpoints_config: dict[str, Any] = (networking_config or {}).get("EndpointsConfig") or {}
        links = [parse_link(str(e)) for e in host_config.get("Links") or []]
        ports = requests_from(
            host_config.get("PortBindings"), bool(host_config.get("PublishAllPorts")), exposed_ports
        )
        plan = Plan(container_id, name.lstrip("/"), hostname, transient=transient)
        if mode_text == MODE_HOST:
            plan = replace(plan, mode=MODE_HOST)
        elif mode_text == MODE_NONE:
            plan = replace(plan, mode=MODE_NONE)
        elif mode_text.startswith("container:"):
            plan = replace(plan, mode=MODE_CONTAINER, peer=self.container_ref(mode_text[10:]))
        else:
            # The CLI may key the implicit network as "default"; it means the bridge.
            by_key = {k: self._network_for(k) for k in endpoints_config}
            primary = self._network_for(mode_text)
            if not primary.default:
                # dockerd registers HostConfig.Links only on the default bridge; on a
                # user-defined network a link is the endpoint's (EndpointsConfig.Links).
                links = []
            names = [primary.id] + [n.id for n in by_key.values()]
            requests: list[EndpointRequest] = []
            for net_id in dict.fromkeys(names):
                net = self.find(net_id)
                cfg = next(
                    (endpoints_config[k] or {} for k, n in by_key.items() if n.id == net_id), {}
                )
                aliases = tuple(str(a) for a in cfg.get("Aliases") or ())
                ipv4 = str((cfg.get("IPAMConfig") or {}).get("IPv4Address") or "")
                ipv6 = str((cfg.get("IPAMConfig") or {}).get("IPv6Address") or "")
                ep_links = tuple(dict.fromkeys(parse_link(str(e)) for e in cfg.get("Links") or []))
                if net.default:
                    links += ep_links
                    ep_links = ()
                self._check_request(net, aliases, ipv4, ipv6)
                # Config.MacAddress (API 1.41) is the primary network's; later APIs put it
                # in each endpoint.
                mac = str(cfg.get("MacAddress") or ("" if requests else mac_address))
                ipam_config = cfg.get("IPAMConfig") or {}
                requests.append(
                    EndpointRequest(
                        net_id,
                        aliases,
                        ipv4,
                        ipam.check_mac(mac),
                        tuple(str(ip) for ip in ipam_config.get("LinkLocalIPs") or ()),
                        {str(k): str(v) for k, v in (cfg.get("DriverOpts") or {}).items()},
                        ep_links,
                        ipv6,
                    )
                )
            plan = replace(plan, networks=tuple(requests), ports=ports)
        plan = replace(plan, links=tuple(dict.fromkeys(links)), dns=_user_dns(host_config))
        with self.store.transaction() as tx:
            self.store.put_plan(tx, plan)
        return plan

    def _network_for(self, ref: str) -> Network:
        return self.default_network() if ref in ("default", "bridge") else self.find(ref)

    async def release(self, container_id: str, *, for_good: bool = False) -> None:
        """At container remove: tear down anything left and forget the plan."""
        await self.detach(container_id, for_good=for_good)
        with self.store.transaction() as tx:
            self.store.delete_plan(tx, container_id)

    def remove_link(self, container_id: str, alias: str) -> None:
        """`docker rm --link`: the container keeps running, the alias goes from its plan."""
        plan = self._plan(container_id)
        kept = tuple(link for link in plan.links if link[1] != alias)
        if kept == plan.links:
            raise NotFound(f"Could not find link {alias} of container {plan.name}")
        with self.store.transaction() as tx:
            self.store.put_plan(tx, replace(plan, links=kept))

    def rename(self, container_id: str, new_name: str) -> None:
        plan = self._plan(container_id)
        with self.store.transaction() as tx:
            self.store.put_plan(tx, replace(plan, name=new_name.lstrip("/")))

    # ----- start / stop ----------------------------------------------------------------

    async def attach(self, container_id: str) -> SandboxFiles:
        """The whole sandbox at once: `reserve`, then `wire`."""
        files = await self.reserve(container_id)
        await self.wire(container_id)
        return files

    async def reserve(self, container_id: str) -> SandboxFiles:
        """At container start, before the runtime creates it: the namespace, addresses
        and ports, all that `runc create` and the /etc files need; `wire` finishes it.

        Returns the namespace path for the OCI config (None: the host's) and the
        resolv.conf and hosts text. Any failure rolls back every step already made.
        """
        async with self.lock:
            plan = self._plan(container_id)
            if self.store.sandbox(container_id) is None:
                await self._build(plan)
        return self.files(container_id)

    async def wire(self, container_id: str) -> None:
        """Veths, routes, rules and the embedded DNS of a reserved sandbox. It may run
        while the runtime creates the container, whose process starts only after it.

        A failure rolls the whole sandbox back. Nothing to do once it is wired, or torn
        down (`detach`) before this ran.
        """
        async with self.lock:
            unwired = self._unwired.pop(container_id, None)
            if unwired is not None:
                await self._wire(container_id, *unwired)

    async def _build(self, plan: Plan) -> None:
        cid = plan.container_id
        if plan.mode == MODE_HOST:
            netns = ""
        elif plan.mode == MODE_CONTAINER:
            peer = self.store.sandbox(plan.peer)
            if peer is None:
                raise Conflict(f"cannot join network of a non running container: {plan.peer[:12]}")
            netns = peer.netns
        else:
            netns = str(self.netns_dir / cid)
        if plan.mode != MODE_NETWORKS:
            if plan.mode == MODE_NONE:
                await asyncio.to_thread(netlink.create_netns, netns)
            with self.store.transaction() as tx:
                self.store.put_sandbox(tx, Sandbox(cid, netns))
            return
        nets = [self.find(r.network_id) for r in plan.networks]
        for target, alias in plan.links:
            if not self.store.endpoints_of(self.container_ref(target)):
                raise Conflict(f"Cannot link to a non running container: /{target} AS /{alias}")
        pending: list[Endpoint] = []
        for order, (req, net) in enumerate(zip(plan.networks, nets, strict=True)):
            used = [e.ip for e in self.store.endpoints(net.id)]
            ip = ipam.allocate(
                net.subnet, net.gateway, used, req.ipv4, net.ip_range, net.aux_addresses.values()
            )
            pending.append(
                Endpoint(
                    cid,
                    net.id,
                    secrets.token_hex(32),
                    ip,
                    req.mac or ipam.mac_for(ip),
                    f"eth{order}",
                    self.naming.veth_for(cid, net.id),
                    order,
                    self._address6(net, req.ipv6),
                )
            )
        undo = Undo()
        try:
            pubs: tuple[Publication, ...] = ()
            # Published ports go to the first network that reaches the outside, as in
            # dockerd: Compose may list an internal network first.
            outward = next((i for i, net in enumerate(nets) if not net.internal), None)
            if outward is not None:
                pubs = await self._bind_ports(plan, pending[outward].ip, nets[outward].bridge, undo)
            undo.push(lambda: asyncio.to_thread(netlink.remove_netns, netns))
            # Loopback comes up with the first veth, off the path to `runc create`.
            await asyncio.to_thread(functools.partial(netlink.create_netns, netns, loopback=False))
            with self.store.transaction() as tx:
                for ep in pending:
                    self.store.put_endpoint(tx, ep)
                self.store.put_sandbox(tx, Sandbox(cid, netns, pubs))
            undo.push(lambda: self._forget_sandbox(cid))
        except BaseException:
            self.proxies.pop(cid, None)
            await undo.run()
            raise
        self._unwired[cid] = (netns, tuple(pending), tuple(nets), undo)

    async def _wire(
        self,
        cid: str,
        netns: str,
        pending: tuple[Endpoint, ...],
        nets: tuple[Network, ...],
        undo: Undo,
    ) -> None:
        try:
            for ep, net in zip(pending, nets, strict=True):
                undo.push(functools.partial(asyncio.to_thread, netlink.delete_link, ep.veth))
                await asyncio.to_thread(
                    functools.partial(
                        netlink.add_veth,
                        ep.veth,
                        net.bridge,
                        netns,
                        ep.ifname,
                        ep.ip,
                        net.prefixlen,
                        ep.mac,
                        loopback=ep.order == 0,
                    )
                )
                if ep.ip6:
                    await asyncio.to_thread(
                        netlink.ensure_address6, netns, ep.ifname, ep.ip6, net.prefixlen6
                    )
            gateway = next((n.gateway for n in nets if not n.internal), None)
            if gateway:
                await asyncio.to_thread(netlink.set_default_route, netns, gateway)
            gateway6 = next((n.gateway6 for n in nets if n.enable_ipv6 and not n.internal), "")
            if gateway6:
                await asyncio.to_thread(netlink.set_default_route6, netns, gateway6)
            await self.sync_rules()
            undo.push(lambda: self._close_dns(cid))
            await self._sync_dns(cid, fresh=True)
        except BaseException:
            self.proxies.pop(cid, None)
            await undo.run()
            raise

    async def _forget_sandbox(self, container_id: str) -> None:
        with self.store.transaction() as tx:
            tx.execute("DELETE FROM net_endpoints WHERE container_id = ?", (container_id,))
            self.store.delete_sandbox(tx, container_id)

    async def _bind_ports(
        self, plan: Plan, target_ip: str, bridge: str, undo: Undo
    ) -> tuple[Publication, ...]:
        """Bind every published port first: a taken port fails before anything is made."""
        pubs: list[Publication] = []
        proxies: list[PortProxy] = []
        for req in plan.ports:
            candidates = range(req.host_port_lo, req.host_port_hi + 1) if req.host_port_lo else [0]
            for i, port in enumerate(candidates):
                proxy = PortProxy(req.proto, req.host_ip, port, target_ip, req.container_port)
                try:
                    bound = await proxy.start()
                except PortAllocated as exc:
                    if i + 1 < len(candidates):
                        continue
                    raise PortAllocated(
                        f"driver failed programming external connectivity on endpoint "
                        f"{plan.name}: {exc.message}"
                    ) from exc
                undo.push(proxy.stop)
                proxies.append(proxy)
                pubs.append(
                    Publication(
                        req.proto, req.host_ip, bound, req.container_port, target_ip, bridge
                    )
                )
                break
        self.proxies[plan.container_id] = proxies
        return tuple(pubs)

    async def restart_proxies(self, container_id: str) -> None:
        """After a daemon restart: bind the proxies of a sandbox that outlived it."""
        sandbox = self.store.sandbox(container_id)
        if sandbox is None or container_id in self.proxies:
            return
        proxies = []
        for pub in sandbox.publications:
            proxy = PortProxy(
                pub.proto, pub.host_ip, pub.host_port, pub.target_ip, pub.container_port
            )
            await proxy.start()
            proxies.append(proxy)
        self.proxies[container_id] = proxies

    async def detach(self, container_id: str, *, for_good: bool = False) -> None:
        """At container stop (or failed start): remove veths, proxies, rules, namespace.

        Addresses return to the pool here, as Docker releases them when a container stops.
        `for_good` (a removal, its processes gone): the veths are not deleted one by one,
        which waits out an RCU grace period each; they end with the namespace, in the
        kernel's time. Their names are never used again, and an address taken up at once
        comes with the same MAC on a container that cannot run for a while yet.
        """
        async with self.lock:
            self._unwired.pop(container_id, None)  # what it would wire goes below
            sandbox = self.store.sandbox(container_id)
            if sandbox is None:
                return
            await self._close_dns(container_id)
            for proxy in self.proxies.pop(container_id, []):
                await proxy.stop()
            own_netns = sandbox.netns == str(self.netns_dir / container_id)
            if not (for_good and own_netns):
                for ep in self.store.endpoints_of(container_id):
                    await asyncio.to_thread(netlink.delete_link, ep.veth)
            if own_netns:
                await asyncio.to_thread(netlink.remove_netns, sandbox.netns)
            await self._forget_sandbox(container_id)
            await self.sync_rules()

    # ----- what the daemon writes into the container -----------------------------------

    def netns_path(self, container_id: str) -> str | None:
        sandbox = self.store.sandbox(container_id)
        return sandbox.netns or None if sandbox is not None else None

    def files(self, container_id: str) -> SandboxFiles:
        return SandboxFiles(
            self.netns_path(container_id),
            self.resolv_conf_for(container_id),
            self.hosts_file_for(container_id),
        )

    def resolv_conf_for(self, container_id: str) -> str:
        """On any user-defined network, the embedded DNS; else the host's resolvers.

        As dockerd points every container on a user-defined network at 127.0.0.11 in its
        own namespace, even one that started on the default bridge and joined one later;
        that listener answers for all of its networks.
        """
        plan = self._plan(container_id)
        host_text = files.read_host(self.resolv_conf)
        if plan.mode == MODE_HOST:
            return host_text
        if plan.mode == MODE_CONTAINER:
            return self.resolv_conf_for(plan.peer)
        on_user_net = any(not self.find(r.network_id).default for r in plan.networks)
        return files.resolv_conf(host_text, EMBEDDED_DNS if on_user_net else None, plan.dns)

    def hosts_file_for(self, container_id: str) -> str:
        """/etc/hosts: localhost, the container's own address, then its --link entries."""
        plan = self._plan(container_id)
        if plan.mode == MODE_HOST:
            return files.read_host(self.hosts_file)
        if plan.mode == MODE_CONTAINER:
            return self.hosts_file_for(plan.peer)
        eps = self.store.endpoints_of(container_id)
        own = [(e.ip, plan.hostname or container_id[:12]) for e in eps]
        mine = {e.network_id for e in eps}
        links: list[tuple[str, list[str]]] = []
        for target, alias in plan.links:
            try:
                tid = self.container_ref(target)
            except NotFound:
                continue
            teps = self.store.endpoints_of(tid)
            if not teps:
                continue
            shared = next((e for e in teps if e.network_id in mine), teps[0])
            tname = self._plan(tid).name
            links.append((shared.ip, list(dict.fromkeys([alias, tid[:12], tname]))))
        return files.hosts(own, links)


def _user_dns(host_config: dict[str, Any]) -> UserDns:
    def strings(key: str) -> tuple[str, ...]:
        return tuple(str(v) for v in host_config.get(key) or ())

    return UserDns(strings("Dns"), strings("DnsSearch"), strings("DnsOptions"))
