"""Exec endpoints: create, start (hijacked stream), inspect, resize."""

from __future__ import annotations

import asyncio
import contextlib

import msgspec
from aiohttp import web

from native_runtime.api import decode
from native_runtime.api.app import Router, runtime
from native_runtime.api.attach import DEFAULT_DETACH_KEYS, DetachWatch, parse_detach_keys
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
    # docker-py sends `detachKeys`; dockerd's JSON decoding ignores the case of keys.
    keys = str(session.config.get("DetachKeys") or session.config.get("detachKeys") or "")
    watch = DetachWatch(parse_detach_keys(keys or DEFAULT_DETACH_KEYS) if session.tty else b"")
    # dockerd frames the output unless the start request (not the exec) asks for a tty.
    framed = not body.tty
    conn = await hijack(request)
    detached = asyncio.Event()

    async def write(stream: str, data: bytes) -> None:
        if not detached.is_set():
            await conn.write(frame(stream, data) if framed else data)

    async def read() -> bytes:
        chunk = await watch.next(conn.read)
        if watch.seen and not detached.is_set():
            # As dockerd: the client hears why, the command's stdin closes, it runs on.
            await conn.write(b"exec attach failed: error on attach stdin: read escape sequence\r\n")
            detached.set()
        return chunk

    execution = asyncio.ensure_future(run(rt, ctr, session, write, read))
    rt.spawn(execution)
    letting_go = asyncio.ensure_future(detached.wait())
    try:
        await asyncio.wait([execution, letting_go], return_when=asyncio.FIRST_COMPLETED)
        if execution.done():
            with contextlib.suppress(ConnectionError):
                execution.result()
    finally:
        letting_go.cancel()
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
