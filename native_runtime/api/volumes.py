"""Volume endpoints: list, create, inspect, remove, prune."""

from __future__ import annotations

import msgspec
from aiohttp import web

from native_runtime.api import decode
from native_runtime.api import filters as match
from native_runtime.api.app import Router, runtime
from native_runtime.api.filters import Facts, Filters
from native_runtime.api.schema import VolumeCreateBody
from native_runtime.errors import NotFound
from native_runtime.runtime import Runtime
from native_runtime.volumes.store import Volume

LIST_FILTERS = ("dangling", "driver", "label", "name")
PRUNE_FILTERS = ("label", "label!")


class FiltersQuery(msgspec.Struct):
    filters: Filters = msgspec.field(default_factory=Filters)


def facts(rt: Runtime, volume: Volume) -> Facts:
    labels = match.label(volume.labels)
    return {
        "name": match.name(volume.name),
        "dangling": match.boolean(not rt.volume_users(volume.name)),
        "driver": match.one_of("local"),
        "label": labels,
        "label!": lambda want: not labels(want),
    }


async def list_volumes(request: web.Request) -> web.Response:
    rt = runtime(request)
    wanted = decode.query(request, FiltersQuery).filters.validate(LIST_FILTERS)
    found = [v.to_docker() for v in wanted.select(rt.volumes.all(), lambda v: facts(rt, v))]
    return web.json_response({"Volumes": found, "Warnings": []})


async def create(request: web.Request) -> web.Response:
    rt = runtime(request)
    body = await decode.body(request, VolumeCreateBody)
    if body.driver not in (None, "", "local"):
        raise NotFound(
            f"create {body.name or ''}: error looking up volume plugin {body.driver}: "
            f'plugin "{body.driver}" not found'
        )
    volume, new = rt.volumes.create(body.name or None, body.labels or {})
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
    wanted = decode.query(request, FiltersQuery).filters.validate(PRUNE_FILTERS)
    deleted, reclaimed = [], 0
    for volume in rt.volumes.all():
        if rt.volume_users(volume.name) or not wanted.matches(facts(rt, volume)):
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
