"""`POST /build` (the classic builder's wire shape) and `POST /commit`."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import msgspec
from aiohttp import web

from native_runtime.api import decode
from native_runtime.api.app import Handler, Router, runtime
from native_runtime.api.schema import ContainerConfig
from native_runtime.build import runnet, workspace
from native_runtime.build.builder import Builder, BuildError, BuildOptions, PullHook
from native_runtime.build.commit import CommitOptions, commit
from native_runtime.build.context import BuildContext, ContextError
from native_runtime.build.parser import DockerfileError, parse
from native_runtime.errors import BadParameter
from native_runtime.images.store import normalize_ref
from native_runtime.runtime import Runtime

HANGUP_CHECK = 0.5  # seconds between looks at the client's connection during a build


class BuildQuery(msgspec.Struct):
    t: list[str] = msgspec.field(default_factory=list)
    dockerfile: str = ""
    remote: str = ""
    buildargs: str = ""
    labels: str = ""
    nocache: bool = False
    q: bool = False
    target: str = ""
    networkmode: str = ""
    extrahosts: list[str] = msgspec.field(default_factory=list)
    cachefrom: str = ""


class CommitQuery(msgspec.Struct):
    container: str = ""
    repo: str = ""
    tag: str = ""
    comment: str = ""
    author: str = ""
    pause: bool = True
    changes: list[str] = msgspec.field(default_factory=list)


def _json_map(name: str, raw: str, nullable: bool) -> dict[str, str | None]:
    """`buildargs` and `labels` are JSON objects of strings (a build arg may be null)."""
    kind = dict[str, str | None] if nullable else dict[str, str]
    try:
        value: dict[str, str | None] = msgspec.json.decode(raw or "{}", type=kind)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError) as exc:
        raise BadParameter(f"invalid {name}: {exc}") from exc
    return value


def build_options(request: web.Request) -> BuildOptions:
    """Decode the query; tags are checked before a byte of the context is read."""
    query = decode.query(request, BuildQuery)
    if query.remote:
        raise BadParameter("remote build contexts are not supported by the native engine")
    tags = query.t
    for tag in tags:
        try:
            normalize_ref(tag)
        except BadParameter as exc:
            raise BadParameter(f"invalid reference format: {tag}") from exc
        repo = tag.rsplit(":", 1)[0] if ":" in tag.rsplit("/", 1)[-1] else tag
        if repo != repo.lower():
            raise BadParameter(
                f"invalid reference format: repository name must be lowercase: {tag}"
            )
    labels = _json_map("labels", query.labels, nullable=False)
    return BuildOptions(
        tags=tags,
        dockerfile=query.dockerfile or "Dockerfile",
        build_args=_json_map("buildargs", query.buildargs, nullable=True),
        labels={k: v or "" for k, v in labels.items()},
        nocache=query.nocache,
        quiet=query.q,
        target=query.target,
        network=query.networkmode,
        # the CLI sends one comma-separated value, docker-py one parameter per host
        extra_hosts=tuple(h for raw in query.extrahosts for h in raw.split(",") if h),
        cache_from=_cache_from(query.cachefrom),
    )


def _cache_from(raw: str) -> tuple[str, ...]:
    """`cachefrom` is a JSON array of image references."""
    try:
        refs = msgspec.json.decode(raw or "[]", type=list[str])
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError) as exc:
        raise BadParameter(f"invalid cachefrom: {exc}") from exc
    return tuple(refs)


async def _spool(request: web.Request, rt: Runtime) -> Path:
    fd, name = tempfile.mkstemp(dir=rt.paths.tmp, suffix=".context")
    with os.fdopen(fd, "wb") as out:
        async for chunk in request.content.iter_chunked(1 << 20):
            out.write(chunk)
    return Path(name)


def _unpack(body: Path, target: Path) -> BuildContext:
    with open(body, "rb") as src:
        return BuildContext.unpack(src, target)


async def _unless_gone(request: web.Request, build: Coroutine[Any, Any, str]) -> str | None:
    """Run the build; cancel it as soon as the client hangs up (None: it did).

    aiohttp does not cancel a handler whose client left; a silent RUN would otherwise go
    on, holding its container and its network, until it next writes.
    """
    task = asyncio.ensure_future(build)
    try:
        while not task.done():
            transport = request.transport
            if transport is None or transport.is_closing():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
                return None
            await asyncio.wait({task}, timeout=HANGUP_CHECK)
    finally:
        if not task.done():  # the handler itself was cancelled (daemon shutdown)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    return task.result()


def make_build_handler(pull: PullHook | None) -> Handler:
    async def build(request: web.Request) -> web.StreamResponse:
        rt = runtime(request)
        options = build_options(request)
        runnet.check_mode(rt, options.network)
        body = await _spool(request, rt)
        ctx_dir = workspace.build_root(rt) / f"ctx-{secrets.token_hex(8)}"
        try:
            # A context that is no tar, or a Dockerfile missing or unparsable, is an HTTP
            # error before the stream starts, as dockerd answers it (clients raise at once).
            ctx = await asyncio.to_thread(_unpack, body, ctx_dir)
            parse(*ctx.read_dockerfile(options.dockerfile))
        except BaseException as exc:
            await asyncio.to_thread(shutil.rmtree, ctx_dir, True)
            if isinstance(exc, ContextError | DockerfileError):
                raise BadParameter(str(exc)) from exc
            raise
        finally:
            body.unlink(missing_ok=True)
        resp = web.StreamResponse(headers={"Content-Type": "application/json"})
        await resp.prepare(request)

        async def emit(message: dict[str, Any]) -> None:
            await resp.write(json.dumps(message).encode() + b"\r\n")

        error = ""
        code: int | None = None
        try:
            image_id = await _unless_gone(request, Builder(rt, ctx, options, emit, pull).run())
            if image_id is None:
                return resp  # nobody is left to read an answer
            rt.events.publish("image", "build", image_id, {"name": ",".join(options.tags)})
        except (BuildError, ContextError) as exc:
            error = str(exc)
            code = exc.code if isinstance(exc, BuildError) else None
        finally:
            body.unlink(missing_ok=True)
            await asyncio.to_thread(shutil.rmtree, ctx_dir, True)
        # Cleaned up before the last message, so a client that sees the end sees no leftovers.
        if error:
            detail: dict[str, Any] = {"message": error}
            if code is not None:
                detail["code"] = code
            await emit({"errorDetail": detail, "error": error})
        await resp.write_eof()
        return resp

    return build


async def commit_handler(request: web.Request) -> web.Response:
    rt = runtime(request)
    query = decode.query(request, CommitQuery)
    ctr = rt.containers.find(query.container)
    config = await decode.body(request, ContainerConfig)
    options = CommitOptions(
        repo=query.repo,
        tag=query.tag,
        comment=query.comment,
        author=query.author,
        changes=[line for raw in query.changes for line in raw.splitlines()],
        config=decode.to_docker(config),
        pause=query.pause,
    )
    if options.ref:
        normalize_ref(options.ref)
    image_id = await commit(rt, ctr, options)
    return web.json_response({"Id": image_id}, status=201)


def add_routes(router: Router, pull: PullHook | None = None) -> None:
    router.add("POST", "/build", make_build_handler(pull))
    router.add("POST", "/commit", commit_handler)
