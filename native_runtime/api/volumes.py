"""Volume endpoints: list, create, inspect, remove, prune."""

from __future__ import annotations

from aiohttp import web

from native_runtime.api.app import Router, runtime
from native_runtime.api.params import filters, json_body
from native_runtime.runtime import Runtime
from native_runtime.volumes.store import Volume


def _matches(rt: Runtime, volume: Volume, wanted: dict[str, list[str]]) -> bool:
    if "name" in wanted and not any(n in volume.name for n in wanted["name"]):
        return False
    if "dangling" in wanted:
        dangling = wanted["dangling"][0] in ("true", "1")
        if dangling == bool(rt.volume_users(volume.name)):
            return False
    if "driver" in wanted and "local" not in wanted["driver"]:
        return False
    for want in wanted.get("label", []):
        key, eq, value = want.partition("=")
        if key not in volume.labels or (eq and volume.labels[key] != value):
            return False
    return True


async def list_volumes(request: web.Request) -> web.Response:
    rt = runtime(request)
    wanted = filters(request)
    found = [v.to_docker() for v in rt.volumes.all() if _matches(rt, v, wanted)]
    return web.json_response({"Volumes": found, "Warnings": []})


async def create(request: web.Request) -> web.Response:
    rt = runtime(request)
    body = await json_body(request)
    volume, new = rt.volumes.create(body.get("Name") or None, body.get("Labels") or {})
    if new:
        rt.events.publish("volume", "create", volume.name, {"driver": "local"})
    return web.json_response(volume.to_docker(), status=201)


async def inspect(request: web.Request) -> web.Response:
    volume = runtime(request).volumes.get(request.match_info["name"])
    return web.json_response(volume.to_docker())


async def delete(request: web.Request) -> web.Response:
    rt = runtime(request)
    name = request.match_info["name"]
    rt.volumes.remove(name, rt.volume_users(name))
    rt.events.publish("volume", "destroy", name, {"driver": "local"})
    return web.Response(status=204)


async def prune(request: web.Request) -> web.Response:
    rt = runtime(request)
    wanted = filters(request)
    deleted, reclaimed = [], 0
    for volume in rt.volumes.all():
        if rt.volume_users(volume.name) or not _matches(rt, volume, wanted):
            continue
        reclaimed += rt.volumes.size(volume.name)
        rt.volumes.remove(volume.name, [])
        deleted.append(volume.name)
    return web.json_response({"VolumesDeleted": deleted, "SpaceReclaimed": reclaimed})


def register(router: Router) -> None:
    router.add("GET", "/volumes", list_volumes)
    router.add("POST", "/volumes/create", create)
    router.add("POST", "/volumes/prune", prune)
    router.add("GET", "/volumes/{name}", inspect)
    router.add("DELETE", "/volumes/{name}", delete)
