"""Exec endpoints: create, start (hijacked stream), inspect, resize."""

from __future__ import annotations

import contextlib

import msgspec
from aiohttp import web

from native_runtime.api import decode
from native_runtime.api.app import Router, runtime
from native_runtime.api.schema import ExecCreateBody, ExecStartBody
from native_runtime.api.streams import frame, hijack
from native_runtime.execs import session as sessions
from native_runtime.execs.start import resize as resize_pty
from native_runtime.execs.start import run


class SizeQuery(msgspec.Struct):
    h: int = 0
    w: int = 0


def registry(request: web.Request) -> sessions.ExecRegistry:
    return runtime(request).execs


async def create(request: web.Request) -> web.Response:
    rt = runtime(request)
    ctr = rt.containers.find(request.match_info["id"])
    body = await decode.body(request, ExecCreateBody)
    session = sessions.create(rt, registry(request), ctr, decode.to_docker(body))
    return web.json_response({"Id": session.id}, status=201)


async def start(request: web.Request) -> web.StreamResponse:
    rt = runtime(request)
    session = registry(request).get(request.match_info["id"])
    ctr = rt.containers.find(session.container_id)
    body = await decode.body(request, ExecStartBody)
    if body.detach:
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
    size = decode.query(request, SizeQuery)
    await resize_pty(session, size.h, size.w)
    return web.Response(status=201)


def register(router: Router) -> None:
    router.add("POST", "/containers/{id}/exec", create)
    router.add("POST", "/exec/{id}/start", start)
    router.add("GET", "/exec/{id}/json", inspect)
    router.add("POST", "/exec/{id}/resize", resize)
