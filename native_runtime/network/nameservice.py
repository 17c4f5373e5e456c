"""The embedded DNS per sandbox: who gets a listener, what it answers, where it forwards."""

# A container on at least one user-defined network gets a `SandboxDns` on 127.0.0.11
# inside its namespace (see `nsdoor`); containers sharing that namespace (`--net
# container:X`) reach X's. Listeners are opened at attach, a live connect to a first
# user network, or a daemon start that re-adopts the sandbox, and closed at detach, a
# disconnect from the last user network, or a daemon stop.

from __future__ import annotations

import asyncio
import logging

from native_runtime.network import nsdoor
from native_runtime.network.core import NetworkCore
from native_runtime.network.dns import DNS_PORT, SandboxDns
from native_runtime.network.model import Network, Plan

log = logging.getLogger("native_runtime.network")


class NameService(NetworkCore):
    """Mixed into NetworkManager; callers hold `self.lock` (or run before serving)."""

    dns: dict[str, SandboxDns]
    upstreams: list[tuple[str, int]]

    def _user_networks(self, container_id: str) -> list[Network]:
        """The user-defined networks the container has a live endpoint on, in join order."""
        nets = {n.id: n for n in self.store.networks()}
        eps = sorted(self.store.endpoints_of(container_id), key=lambda e: e.order)
        found = [nets.get(e.network_id) for e in eps]
        return [n for n in found if n is not None and not n.default]

    async def _sync_dns(self, container_id: str, *, fresh: bool = False) -> None:
        """Open the sandbox's listener if it is now on a user network, close it if not."""
        sandbox = self.store.sandbox(container_id)
        wanted = sandbox is not None and bool(self._user_networks(container_id))
        if not wanted:
            await self._close_dns(container_id)
            return
        if container_id in self.dns or sandbox is None:
            return
        udp, tcp = await asyncio.to_thread(nsdoor.open_door, sandbox.netns, fresh=fresh)
        server = SandboxDns(
            lambda name: self.lookup(container_id, name),
            lambda: self.upstreams_for(container_id),
        )
        await server.start(udp, tcp)
        self.dns[container_id] = server

    async def _close_dns(self, container_id: str) -> None:
        server = self.dns.pop(container_id, None)
        if server is not None:
            await server.stop()

    async def _close_all_dns(self) -> None:
        for container_id in list(self.dns):
            await self._close_dns(container_id)

    async def _restore_dns(self, container_id: str) -> None:
        """A sandbox that outlived the daemon gets a listener again (new ports, new rule).

        One sandbox that cannot get one must not stop the daemon from starting.
        """
        try:
            await self._sync_dns(container_id)
        except Exception as exc:  # the other sandboxes still count
            log.warning("no embedded DNS for %s after restart: %s", container_id[:12], exc)

    def lookup(self, container_id: str, name: str) -> list[str] | None:
        """Addresses for `name` on the querier's user networks; None sends it upstream.

        As on Docker, a container sees the names of every user-defined network it is
        attached to and of no other (the default bridge has no name service). Its own
        links on a network come first: each alias stands for its target's name there,
        for this container alone, whether or not the target exists yet.
        """
        own = self.store.plan(container_id)
        scope = [n.id for n in self._user_networks(container_id)]
        plans = {p.container_id: p for p in self.store.plans()}
        ips: list[str] = []
        for net_id in scope:
            req = next((r for r in own.networks if r.network_id == net_id), None) if own else None
            target = next((t for t, a in req.links if a.lower() == name), None) if req else None
            # An alias whose target is not there falls back to the name itself, as dockerd's.
            found = self._addresses(net_id, target.lower(), plans) if target else []
            for ip in found or self._addresses(net_id, name, plans):
                if ip not in ips:
                    ips.append(ip)
        return ips or None

    def _addresses(self, net_id: str, name: str, plans: dict[str, Plan]) -> list[str]:
        """The addresses (IPv4, then IPv6 if any) of who answers `name` on one network."""
        ips: list[str] = []
        for ep in self.store.endpoints(net_id):
            plan = plans.get(ep.container_id)
            if plan is None:
                continue
            names = {plan.name.lower(), ep.container_id[:12].lower()}
            if plan.hostname:
                names.add(plan.hostname.lower())
            for req in plan.networks:
                if req.network_id == net_id:
                    names.update(a.lower() for a in req.aliases)
            if name in names:
                ips += [ep.ip, ep.ip6] if ep.ip6 else [ep.ip]
        return ips

    def upstreams_for(self, container_id: str) -> list[tuple[str, int]]:
        """Where the querier's other names go: its `--dns` servers, else the host's.

        None for a container whose networks are all internal: nothing leaves them.
        """
        nets = {n.id: n for n in self.store.networks()}
        eps = self.store.endpoints_of(container_id)
        if not any((n := nets.get(e.network_id)) is not None and not n.internal for e in eps):
            return []
        plan = self.store.plan(container_id)
        if plan is not None and plan.dns.servers:
            return [(s, DNS_PORT) for s in plan.dns.servers if ":" not in s]
        return self.upstreams
