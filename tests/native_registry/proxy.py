"""A tiny HTTP proxy on 127.0.0.1 in front of a real registry, able to corrupt or cut replies."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import aiohttp
from aiohttp import web

from native_runtime.registry.auth import basic_header
from native_runtime.registry.credentials import Credential
from tests.native_registry.rig import free_port

HOP_HEADERS = {"transfer-encoding", "connection", "keep-alive", "content-length", "host"}
# A hook may answer a request itself (return a response) or let it through (return None).
Hook = Callable[[web.Request], Awaitable[web.StreamResponse | None]]


class Proxy:
    """Forwards everything to `upstream`, rewriting upload Locations to point back at itself."""

    def __init__(self, upstream: str, hook: Hook | None = None) -> None:
        self.upstream = upstream
        self.hook = hook
        self.port = free_port()
        self.session: aiohttp.ClientSession | None = None

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def forward(self, request: web.Request) -> web.StreamResponse:
        if self.hook is not None and (answer := await self.hook(request)) is not None:
            return answer
        assert self.session is not None
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
        body = await request.read()
        async with self.session.request(
            request.method, f"http://{self.upstream}{request.path_qs}", headers=headers,
            data=body or None, allow_redirects=False,
        ) as up:  # fmt: skip
            data = await up.read()
            out = {k: v for k, v in up.headers.items() if k.lower() not in HOP_HEADERS}
            if "Location" in out:
                out["Location"] = out["Location"].replace(self.upstream, self.host)
            return web.Response(status=up.status, body=data, headers=out)


@asynccontextmanager
async def running(proxy: Proxy) -> AsyncIterator[Proxy]:
    app = web.Application(client_max_size=0)
    app.router.add_route("*", "/{tail:.*}", proxy.forward)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", proxy.port)
    await site.start()
    proxy.session = aiohttp.ClientSession(auto_decompress=False)
    try:
        yield proxy
    finally:
        await proxy.session.close()
        await runner.cleanup()


async def cut_after(request: web.Request, body: bytes, keep: int) -> web.StreamResponse:
    """Announce the whole body, send `keep` bytes, then drop the connection."""
    resp = web.StreamResponse(headers={"Content-Length": str(len(body))})
    await resp.prepare(request)
    await resp.write(body[:keep])
    assert request.transport is not None
    request.transport.close()
    return resp


class TokenServer:
    """Bearer-token auth in front of a registry: the flow Docker Hub uses, on loopback."""

    def __init__(self, user: str, password: str) -> None:
        self.user = user
        self.password = password
        self.issued: dict[str, list[str]] = {}
        self.port = 0

    def challenge(self, scope: str) -> web.Response:
        realm = f"http://127.0.0.1:{self.port}/token"
        header = f'Bearer realm="{realm}",service="dockyard-test",scope="{scope}"'
        return web.json_response(
            {"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]},
            status=401, headers={"WWW-Authenticate": header},
        )  # fmt: skip

    async def hook(self, request: web.Request) -> web.StreamResponse | None:
        if request.path == "/token":
            return self.token(request)
        given = request.headers.get("Authorization", "")
        if given.startswith("Bearer ") and given[7:] in self.issued:
            return None
        parts = request.path.split("/")
        scope = f"repository:{'/'.join(parts[2:-2])}:pull" if len(parts) > 4 else ""
        return self.challenge(scope)

    def token(self, request: web.Request) -> web.Response:
        expected = basic_header(Credential(self.user, self.password))
        if request.headers.get("Authorization") != expected:
            return web.json_response({"details": "bad credentials"}, status=401)
        token = secrets.token_hex(16)
        self.issued[token] = request.query.getall("scope", [])
        return web.json_response({"token": token, "expires_in": 300})
