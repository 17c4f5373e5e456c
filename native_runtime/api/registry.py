"""Registry endpoints: pull (`POST /images/create?fromImage=`), push and `POST /auth` (login).

Wiring, one line in `make_app` *before* `images.register(router)` (so this
`/images/create` is matched first; it hands `fromSrc` imports to part 1's handler):

    registry.add_routes(router)

`add_routes` also accepts a bare `web.Application`. It needs nothing else: the
Runtime comes from the app (`RUNTIME_KEY`); the registry service is built on the
first request and closed on app cleanup.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable

import aiohttp
from aiohttp import web

from native_runtime.api.app import RUNTIME_KEY, Router, runtime
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


async def pull_image(request: web.Request) -> web.StreamResponse:
    """Resolution errors (unknown tag, refused login) are HTTP errors; later ones are in-band."""
    rt = runtime(request)
    service = _service(request)
    ref = _reference(request.query["fromImage"], request.query.get("tag") or None)
    wanted = None
    if request.query.get("platform"):
        try:
            wanted = parse_platform(request.query["platform"])
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


async def create(request: web.Request) -> web.StreamResponse:
    """`fromImage` is a pull; anything else (an import) is part 1's business."""
    if request.query.get("fromImage"):
        return await pull_image(request)
    from native_runtime.api import images

    return await images.create(request)


async def push_image(request: web.Request) -> web.StreamResponse:
    rt = runtime(request)
    service = _service(request)
    name = request.match_info["name"]
    tag = request.query.get("tag") or None
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
    body = await request.json()
    if not isinstance(body, dict):
        raise BadParameter("expected a JSON object")
    cred = Credential(
        str(body.get("username") or ""),
        str(body.get("password") or ""),
        str(body.get("identitytoken") or ""),
    )
    server = str(body.get("serveraddress") or "https://index.docker.io/v1/")
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


def add_routes(target: Router | web.Application) -> None:
    """Register pull, push and login on part 1's Router (or a bare aiohttp app)."""
    app = target.app if isinstance(target, Router) else target
    app[_HOLDER] = {}
    app.on_cleanup.append(_close_service)
    routes = (
        ("POST", "/images/create", create),
        ("POST", "/images/{name:.+}/push", push_image),
        ("POST", "/auth", login),
    )
    for method, path, handler in routes:
        if isinstance(target, Router):
            target.add(method, path, handler)
        else:
            target.router.add_route(method, path, handler)
            target.router.add_route(method, "/v{api_version:[0-9.]+}" + path, handler)


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
