"""Network endpoints: decode Docker's parameters, call the NetworkManager, encode the answer."""

# Wiring (in `make_app`, once the daemon owns a NetworkManager, e.g. `rt.networks`):
#
#     from native_runtime.api import networks
#     networks.add_routes(router, rt.networks, publish=rt.events.publish)
#
# `publish(type, action, id, attributes)` (optional) receives Docker's network events:
# create, destroy, connect and disconnect, with `name`, `type` and `container` attributes.
#
# `router` is anything with `add(method, path, handler)`, such as `api.app.Router`, which
# also serves each path under `/v1.xx`. Errors are NativeError subclasses, so the app's
# `docker_errors` middleware turns them into Docker's `{"message": ...}` bodies.

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol

from aiohttp import web

from native_runtime.api.app import RUNTIME_KEY
from native_runtime.api.params import filters, json_body
from native_runtime.containers.model import ContainerDirs
from native_runtime.errors import BadParameter
from native_runtime.network.manager import NetworkManager
from native_runtime.network.model import BRIDGE, HOST, NULL, Network

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Publish = Callable[[str, str, str, dict[str, str]], None]
BUILTIN = ("bridge", "host", "none")


class RouterLike(Protocol):
    def add(self, method: str, path: str, handler: Handler) -> None: ...


def _matches(net: Network, doc: dict[str, Any], wanted: dict[str, list[str]]) -> bool:
    """`docker network ls --filter`: name and id match by substring, as Docker does."""
    for key, values in wanted.items():
        if key == "name" and not any(v in net.name for v in values):
            return False
        if key == "id" and not any(net.id.startswith(v) or v in net.id for v in values):
            return False
        if key == "driver" and net.driver not in values:
            return False
        if key == "type":
            kind = "builtin" if net.name in BUILTIN else "custom"
            if kind not in values:
                return False
        if key == "label":
            for item in values:
                k, eq, v = item.partition("=")
                if k not in net.labels or (eq and net.labels[k] != v):
                    return False
        if key == "dangling":
            dangling = not doc["Containers"] and net.name not in BUILTIN
            if (values[0].lower() in ("1", "true")) != dangling:
                return False
    return True


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
        wanted = filters(request)
        out = []
        for net in self.manager.networks():
            doc = self.manager.inspect(net.id)
            if _matches(net, doc, wanted):
                out.append(doc)
        return web.json_response(out)

    async def inspect(self, request: web.Request) -> web.Response:
        return web.json_response(self.manager.inspect(request.match_info["id"]))

    async def create(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        if body.get("EnableIPv6"):
            raise BadParameter("IPv6 networks are not supported by the native engine")
        ipam_configs = (body.get("IPAM") or {}).get("Config") or []
        if len(ipam_configs) > 1:
            raise BadParameter("the native engine supports one IPAM config per network")
        cfg: dict[str, Any] = ipam_configs[0] if ipam_configs else {}
        if cfg.get("IPRange"):
            raise BadParameter("--ip-range is not supported by the native engine")
        driver = str(body.get("Driver") or BRIDGE)
        net = await self.manager.create(
            str(body.get("Name") or ""),
            driver=driver,
            subnet=str(cfg.get("Subnet") or ""),
            gateway=str(cfg.get("Gateway") or ""),
            internal=bool(body.get("Internal")),
            labels={str(k): str(v) for k, v in (body.get("Labels") or {}).items()},
            options={str(k): str(v) for k, v in (body.get("Options") or {}).items()},
        )
        self._event("create", net)
        return web.json_response({"Id": net.id, "Warning": ""}, status=201)

    async def remove(self, request: web.Request) -> web.Response:
        net = self.manager.find(request.match_info["id"])
        await self.manager.remove(net.id)
        self._event("destroy", net)
        return web.Response(status=204)

    async def prune(self, request: web.Request) -> web.Response:
        wanted = filters(request)
        before = {n.name: n for n in self.manager.networks()}
        removed = await self.manager.prune(wanted.get("label", []))
        for name in removed:
            self._event("destroy", before[name])
        return web.json_response({"NetworksDeleted": removed})

    async def connect(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        cfg: dict[str, Any] = body.get("EndpointConfig") or {}
        net = self.manager.find(request.match_info["id"])
        if net.driver in (HOST, NULL):
            raise BadParameter(f"container cannot be connected to the {net.name} network")
        container = self.manager.container_ref(str(body.get("Container") or ""))
        await self.manager.connect(
            net.id,
            container,
            aliases=tuple(str(a) for a in cfg.get("Aliases") or ()),
            ipv4=str((cfg.get("IPAMConfig") or {}).get("IPv4Address") or ""),
            links=tuple(str(x) for x in cfg.get("Links") or ()),
            etc_dir=_etc_dir(request, container),
        )
        self._event("connect", net, container)
        return web.Response(status=200)

    async def disconnect(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        net = self.manager.find(request.match_info["id"])
        container = self.manager.container_ref(str(body.get("Container") or ""))
        await self.manager.disconnect(
            net.id, container, bool(body.get("Force")), etc_dir=_etc_dir(request, container)
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
