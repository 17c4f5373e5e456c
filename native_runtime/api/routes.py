"""Every endpoint of the native API, registered on one app."""

from __future__ import annotations

from aiohttp import web

from native_runtime.api import (
    archive,
    attach,
    build,
    containers,
    exec_api,
    images,
    networks,
    registry,
    swarm,
    system,
    volumes,
)
from native_runtime.api.app import Router, application
from native_runtime.runtime import Runtime


def make_app(rt: Runtime) -> web.Application:
    app = application(rt)
    router = Router(app)
    system.register(router)
    registry.add_routes(router)
    images.register(router)
    containers.register(router)
    attach.register(router)
    archive.register(router)
    exec_api.register(router)
    volumes.register(router)
    networks.add_routes(router, rt.networks, publish=rt.events.publish)
    build.add_routes(router, pull=registry.pull_for_build)
    swarm.register(router)
    return app
