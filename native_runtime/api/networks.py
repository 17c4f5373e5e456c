"""Network endpoints: decode Docker's parameters, call the NetworkManager, encode the answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Protocol

import msgspec
from aiohttp import web

from native_runtime.api import decode
from native_runtime.api import filters as match
from native_runtime.api.app import RUNTIME_KEY
from native_runtime.api.filters import Facts, Filters
from native_runtime.api.schema import (
    EndpointSettings,
    IPAMConfigItem,
    NetworkConnectBody,
    NetworkCreateBody,
    NetworkDisconnectBody,
)
from native_runtime.containers.model import ContainerDirs
from native_runtime.errors import BadParameter
from native_runtime.network.manager import NetworkManager
from native_runtime.network.model import BRIDGE, HOST, NULL, Network, Pool6

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Publish = Callable[[str, str, str, dict[str, str]], None]
BUILTIN = ("bridge", "host", "none")


class RouterLike(Protocol):
    def add(self, method: str, path: str, handler: Handler) -> None: ...


LIST_FILTERS = ("dangling", "driver", "id", "label", "name", "scope", "type")
PRUNE_FILTERS = ("label", "label!", "until")


class FiltersQuery(msgspec.Struct):
    filters: Filters = msgspec.field(default_factory=Filters)


def facts(net: Network, in_use: bool) -> Facts:
    """`docker network ls --filter`: ids match by substring too, as dockerd does."""
    labels = match.label(net.labels)
    return {
        "name": match.name(net.name),
        "id": lambda want: bool(want) and want in net.id,
        "driver": match.one_of(net.driver),
        "type": match.one_of("builtin" if net.name in BUILTIN else "custom"),
        "scope": match.one_of("local"),
        "label": labels,
        "label!": lambda want: not labels(want),
        "dangling": match.boolean(not in_use and net.name not in BUILTIN),
    }


class NetworkApi:
    """One handler per verb; each only translates between HTTP and the manager."""

    def __init__(self, manager: NetworkManager, publish: Publish | None = None) -> None:
        self.manager = manager
        self.publish = publish

    def _event(self, action: str, net: Network, container: str = "") -> None:
        if self.publish is None:
            return
        attributes = {"name": net.name, "type": net.driver}
        if container:
            attributes["container"] = container
        self.publish("network", action, net.id, attributes)

    async def list(self, request: web.Request) -> web.Response:
        wanted = decode.query(request, FiltersQuery).filters.validate(LIST_FILTERS)
        out = []
        for net in self.manager.networks():
            doc = self.manager.inspect(net.id)
            if wanted.matches(facts(net, bool(doc["Containers"]))):
                out.append(doc)
        return web.json_response(out)

    async def inspect(self, request: web.Request) -> web.Response:
        return web.json_response(self.manager.inspect(request.match_info["id"]))

    async def create(self, request: web.Request) -> web.Response:
        body = await decode.body(request, NetworkCreateBody)
        ipam_configs = (body.ipam.config if body.ipam else None) or []
        v6 = [c for c in ipam_configs if ":" in (c.subnet or "")]
        v4 = [c for c in ipam_configs if c not in v6]
        if len(v4) > 1 or len(v6) > 1:
            raise BadParameter("the native engine supports one IPAM config per IP version")
        cfg = v4[0] if v4 else IPAMConfigItem()
        pool6 = Pool6(v6[0].subnet or "", v6[0].gateway or "", v6[0].ip_range or "") if v6 else None
        net = await self.manager.create(
            body.name or "",
            driver=body.driver or BRIDGE,
            subnet=cfg.subnet or "",
            gateway=cfg.gateway or "",
            internal=bool(body.internal),
            labels=body.labels or {},
            options=body.options or {},
            ip_range=cfg.ip_range or "",
            aux_addresses=cfg.auxiliary_addresses or {},
            ipv6=pool6,
            enable_ipv6=bool(body.enable_i_pv6),
        )
        self._event("create", net)
        return web.json_response({"Id": net.id, "Warning": ""}, status=201)

    async def remove(self, request: web.Request) -> web.Response:
        net = self.manager.find(request.match_info["id"])
        await self.manager.remove(net.id)
        self._event("destroy", net)
        return web.Response(status=204)

    async def prune(self, request: web.Request) -> web.Response:
        wanted = decode.query(request, FiltersQuery).filters.validate(PRUNE_FILTERS)
        before = {n.name: n for n in self.manager.networks()}
        removed = await self.manager.prune(lambda net: wanted.matches(facts(net, False)))
        for name in removed:
            self._event("destroy", before[name])
        return web.json_response({"NetworksDeleted": removed})

    async def connect(self, request: web.Request) -> web.Response:
        body = await decode.body(request, NetworkConnectBody)
        cfg = body.endpoint_config or EndpointSettings()
        net = self.manager.find(request.match_info["id"])
        if net.driver in (HOST, NULL):
            raise BadParameter(f"container cannot be connected to the {net.name} network")
        container = self.manager.container_ref(body.container or "")
        await self.manager.connect(
            net.id,
            container,
            aliases=tuple(cfg.aliases or ()),
            ipv4=(cfg.ipam_config.i_pv4_address if cfg.ipam_config else None) or "",
            ipv6=(cfg.ipam_config.i_pv6_address if cfg.ipam_config else None) or "",
            links=tuple(cfg.links or ()),
            etc_dir=_etc_dir(request, container),
            mac=cfg.mac_address or "",
        )
        self._event("connect", net, container)
        return web.Response(status=200)

    async def disconnect(self, request: web.Request) -> web.Response:
        body = await decode.body(request, NetworkDisconnectBody)
        net = self.manager.find(request.match_info["id"])
        container = self.manager.container_ref(body.container or "")
        await self.manager.disconnect(
            net.id, container, bool(body.force), etc_dir=_etc_dir(request, container)
        )
        self._event("disconnect", net, container)
        return web.Response(status=200)


def _etc_dir(request: web.Request, container_id: str) -> Path | None:
    """Where the daemon keeps the container's bind-mounted /etc files (None: a bare app)."""
    rt = request.app.get(RUNTIME_KEY)
    return None if rt is None else ContainerDirs(rt.paths.containers / container_id).etc


def add_routes(router: RouterLike, manager: NetworkManager, publish: Publish | None = None) -> None:
    """Register the seven network endpoints of Docker API 1.41."""
    api = NetworkApi(manager, publish)
    router.add("GET", "/networks", api.list)
    router.add("POST", "/networks/create", api.create)
    router.add("POST", "/networks/prune", api.prune)
    router.add("GET", "/networks/{id}", api.inspect)
    router.add("DELETE", "/networks/{id}", api.remove)
    router.add("POST", "/networks/{id}/connect", api.connect)
    router.add("POST", "/networks/{id}/disconnect", api.disconnect)
