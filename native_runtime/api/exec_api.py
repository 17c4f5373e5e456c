"""Exec endpoints: create, start (hijacked stream), inspect, resize."""

from __future__ import annotations

import contextlib

from aiohttp import web

from native_runtime.api.app import Router, runtime
from native_runtime.api.params import integer, json_body
from native_runtime.api.streams import frame, hijack
from native_runtime.execs import session as sessions
from native_runtime.execs.start import resize as resize_pty
from native_runtime.execs.start import run


def registry(request: web.Request) -> sessions.ExecRegistry:
    return runtime(request).execs


async def create(request: web.Request) -> web.Response:
    rt = runtime(request)
    ctr = rt.containers.find(request.match_info["id"])
    session = sessions.create(rt, registry(request), ctr, await json_body(request))
    return web.json_response({"Id": session.id}, status=201)


async def start(request: web.Request) -> web.StreamResponse:
    rt = runtime(request)
    session = registry(request).get(request.match_info["id"])
    ctr = rt.containers.find(session.container_id)
    body = await json_body(request)
    if body.get("Detach"):
        rt.spawn(run(rt, ctr, session, None, None))
        return web.Response(status=200)
    conn = await hijack(request)

    async def write(stream: str, data: bytes) -> None:
        await conn.write(data if session.tty else frame(stream, data))

    with contextlib.suppress(ConnectionError):
        await run(rt, ctr, session, write, conn.read)
    await conn.close()
    return conn.resp


async def inspect(request: web.Request) -> web.Response:
    return web.json_response(sessions.inspect(registry(request).get(request.match_info["id"])))


async def resize(request: web.Request) -> web.Response:
    session = registry(request).get(request.match_info["id"])
    height, width = integer(request, "h") or 0, integer(request, "w") or 0
    await resize_pty(session, height, width)
    return web.Response(status=201)


def register(router: Router) -> None:
    router.add("POST", "/containers/{id}/exec", create)
    router.add("POST", "/exec/{id}/start", start)
    router.add("GET", "/exec/{id}/json", inspect)
    router.add("POST", "/exec/{id}/resize", resize)
