"""The swarm endpoints, answered as a dockerd that is not part of a swarm answers them."""

from __future__ import annotations

import msgspec
from aiohttp import web

from native_runtime.api import decode
from native_runtime.api.app import Router
from native_runtime.api.schema import SwarmInitBody, SwarmJoinBody
from native_runtime.errors import BadParameter, NativeError

NOT_MANAGER = (
    'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" '
    "to connect this node to swarm and try again."
)
NOT_IN_SWARM = "This node is not part of a swarm"
NO_SWARM_MODE = "swarm mode is not available on the native engine; use a dockerd for swarm"
MANAGER_ONLY = {
    "/nodes": ("GET",),
    "/nodes/{id}": ("GET", "DELETE"),
    "/nodes/{id}/update": ("POST",),
    "/services": ("GET",),
    "/services/create": ("POST",),
    "/services/{id}": ("GET", "DELETE"),
    "/services/{id}/update": ("POST",),
    "/services/{id}/logs": ("GET",),
    "/tasks": ("GET",),
    "/tasks/{id}": ("GET",),
    "/tasks/{id}/logs": ("GET",),
    "/secrets": ("GET",),
    "/secrets/create": ("POST",),
    "/secrets/{id}": ("GET", "DELETE"),
    "/secrets/{id}/update": ("POST",),
    "/configs": ("GET",),
    "/configs/create": ("POST",),
    "/configs/{id}": ("GET", "DELETE"),
    "/configs/{id}/update": ("POST",),
    "/swarm": ("GET",),
    "/swarm/unlock": ("POST",),
    "/swarm/unlockkey": ("GET",),
}


class Unavailable(NativeError):
    """What a dockerd outside a swarm answers (503)."""

    status = 503


class UpdateQuery(msgspec.Struct):
    version: str = ""


async def not_manager(_request: web.Request) -> web.Response:
    raise Unavailable(NOT_MANAGER)


async def leave(_request: web.Request) -> web.Response:
    raise Unavailable(NOT_IN_SWARM)


def _check_listen(address: str | None) -> None:
    if not address:
        raise BadParameter('invalid ListenAddr "": invalid empty address')


async def init(request: web.Request) -> web.Response:
    _check_listen((await decode.body(request, SwarmInitBody)).listen_addr)
    # A well-formed request would make dockerd start a swarm; the native engine has none.
    raise Unavailable(NO_SWARM_MODE)


async def join(request: web.Request) -> web.Response:
    _check_listen((await decode.body(request, SwarmJoinBody)).listen_addr)
    raise Unavailable(NO_SWARM_MODE)


async def update(request: web.Request) -> web.Response:
    version = decode.query(request, UpdateQuery).version
    if not version.isdigit():
        raise BadParameter(
            f"invalid swarm version '{version}': strconv.ParseUint: "
            f'parsing "{version}": invalid syntax'
        )
    raise Unavailable(NOT_MANAGER)


def register(router: Router) -> None:
    for path, methods in MANAGER_ONLY.items():
        for method in methods:
            router.add(method, path, not_manager)
    router.add("POST", "/swarm/init", init)
    router.add("POST", "/swarm/join", join)
    router.add("POST", "/swarm/leave", leave)
    router.add("POST", "/swarm/update", update)
