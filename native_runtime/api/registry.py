"""Registry endpoints: pull (`POST /images/create?fromImage=`), push and `POST /auth` (login).

The registry service is built on the first request and closed on app cleanup.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable

import aiohttp
import msgspec
from aiohttp import web

from native_runtime.api import decode
from native_runtime.api.app import RUNTIME_KEY, Router, runtime
from native_runtime.api.schema import AuthConfig
from native_runtime.errors import BadParameter, NativeError, NotFound
from native_runtime.registry import credentials
from native_runtime.registry.credentials import Credential
from native_runtime.registry.errors import RegistryError, Unauthorized
from native_runtime.registry.manifest import parse_platform
from native_runtime.registry.progress import Emit, Message, Sink, error, status
from native_runtime.registry.reference import InvalidReference, Reference, parse
from native_runtime.registry.service import RegistryService
from native_runtime.runtime import Runtime

# The app is frozen once it serves, so the lazily built service lives in a mutable slot.
_HOLDER = web.AppKey("registry_service_holder", dict)


def _service(request: web.Request) -> RegistryService:
    holder: dict[str, RegistryService] = request.app[_HOLDER]
    if "service" not in holder:
        rt = request.app[RUNTIME_KEY]
        holder["service"] = RegistryService.for_data_root(
            rt.layers, rt.images, rt.paths.data_root, rt.paths.db, rt.paths.tmp
        )
    return holder["service"]


def _as_native(exc: RegistryError, status: int | None = None) -> NativeError:
    err = NativeError(exc.message)
    err.status = status or exc.status
    return err


def _reference(text: str, tag: str | None) -> Reference:
    try:
        return parse(text, tag)
    except InvalidReference as exc:
        raise BadParameter(str(exc)) from exc


def _given(request: web.Request) -> Credential | None:
    return credentials.from_header(request.headers.get("X-Registry-Auth"))


def _line(msg: Message) -> bytes:
    return json.dumps(msg).encode() + b"\n"


async def _stream(
    request: web.Request, first: list[Message], work: Callable[[Emit], Awaitable[object]]
) -> tuple[web.StreamResponse, bool]:
    """Send `first`, then every message `work(emit)` emits; an error ends the stream in-band."""
    resp = web.StreamResponse(headers={"Content-Type": "application/json"})
    await resp.prepare(request)
    sink = Sink()
    task = asyncio.ensure_future(work(sink.emit))
    task.add_done_callback(lambda _t: sink.close())
    try:
        for msg in first:
            await resp.write(_line(msg))
        while (item := await sink.queue.get()) is not None:
            await resp.write(_line(item))
    except (ConnectionError, asyncio.CancelledError):
        # The client went away: stop the transfer (no half image is ever recorded).
        task.cancel()
        with contextlib.suppress(BaseException):
            await task
        raise
    failure = task.exception()
    if failure is not None:
        text = failure.message if isinstance(failure, RegistryError | NativeError) else str(failure)
        await resp.write(_line(error(text or failure.__class__.__name__)))
    with contextlib.suppress(ConnectionError):
        await resp.write_eof()
    return resp, failure is None


class PushQuery(msgspec.Struct):
    tag: str = ""


async def pull_image(
    request: web.Request, image: str, tag: str, platform: str
) -> web.StreamResponse:
    """Resolution errors (unknown tag, refused login) are HTTP errors; later ones are in-band."""
    rt = runtime(request)
    service = _service(request)
    ref = _reference(image, tag or None)
    wanted = None
    if platform:
        try:
            wanted = parse_platform(platform)
        except RegistryError as exc:
            raise BadParameter(exc.message) from exc
    client = service.client(ref, _given(request), "pull")
    async with client:
        try:
            plan = await service.resolve(client, wanted)
        except Unauthorized as exc:
            raise _as_native(exc, 404) from exc
        except RegistryError as exc:
            raise _as_native(exc) from exc
        except aiohttp.ClientError as exc:
            raise NativeError(f"cannot reach {ref.domain}: {exc}") from exc
        resp, ok = await _stream(request, [], lambda emit: service.fetch(client, plan, emit))
    if ok:
        rt.events.publish("image", "pull", str(ref), {"name": str(ref)})
    return resp


async def push_image(request: web.Request) -> web.StreamResponse:
    rt = runtime(request)
    service = _service(request)
    name = request.match_info["name"]
    tag = decode.query(request, PushQuery).tag or None
    repo = _reference(name, None)
    if tag:
        wanted = [_reference(name, tag)]
    else:
        # Docker pushes every local tag of the repository when none is given.
        prefix = repo.familiar + ":"
        wanted = [
            _reference(name, t.removeprefix(prefix))
            for record in rt.images.all()
            for t in record.tags
            if t.startswith(prefix)
        ]
    if not wanted:
        raise NotFound(f"An image does not exist locally with the tag: {repo.familiar}")
    records = [rt.images.lookup(ref.tagged) for ref in wanted]
    given = _given(request)

    async def work(emit: Emit) -> None:
        for ref, record in zip(wanted, records, strict=True):
            await service.push(record, ref, emit, given)
            rt.events.publish("image", "push", ref.tagged, {"name": ref.tagged})

    intro = status(f"The push refers to repository [{repo.familiar}]")
    resp, _ok = await _stream(request, [intro], work)
    return resp


async def login(request: web.Request) -> web.Response:
    body = await decode.body(request, AuthConfig, required=True)
    cred = Credential(body.username or "", body.password or "", body.identitytoken or "")
    server = body.serveraddress or "https://index.docker.io/v1/"
    try:
        await _service(request).login(server, cred)
    except RegistryError as exc:
        raise _as_native(exc) from exc
    except aiohttp.ClientError as exc:
        raise NativeError(f"cannot reach {server}: {exc}") from exc
    return web.json_response({"Status": "Login Succeeded", "IdentityToken": ""})


async def _close_service(app: web.Application) -> None:
    holder: dict[str, RegistryService] = app[_HOLDER]
    if "service" in holder:
        holder.pop("service").close()


def add_routes(router: Router) -> None:
    """Push and login; pulls come through the images' `POST /images/create`."""
    router.app[_HOLDER] = {}
    router.app.on_cleanup.append(_close_service)
    router.add("POST", "/images/{name:.+}/push", push_image)
    router.add("POST", "/auth", login)


async def pull_for_build(rt: Runtime, ref: str, emit: Callable[[Message], Awaitable[None]]) -> None:
    """The builder's hook for a FROM image not yet in the store: pull it, then report."""
    service = RegistryService.for_data_root(
        rt.layers, rt.images, rt.paths.data_root, rt.paths.db, rt.paths.tmp
    )
    messages: list[Message] = []  # the client may emit from worker threads; append is safe
    try:
        await service.pull(ref, messages.append)
    except RegistryError as exc:
        raise _as_native(exc) from exc
    finally:
        service.close()
    for message in messages:
        await emit(message)
