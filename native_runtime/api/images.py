"""Image endpoints: import, list, inspect, tag, remove, history, save, load, prune."""

from __future__ import annotations

import asyncio
import os
import tarfile
import tempfile
from pathlib import Path

import msgspec
from aiohttp import web

from native_runtime.api import decode, registry
from native_runtime.api import filters as match
from native_runtime.api.app import Router, runtime
from native_runtime.api.filters import Facts, Filters
from native_runtime.api.streams import json_lines
from native_runtime.errors import BadParameter
from native_runtime.images import archive, importer, remove, views
from native_runtime.images.store import ImageRecord
from native_runtime.images.tarsafe import UnsafeArchive
from native_runtime.runtime import Runtime

LIST_FILTERS = ("before", "dangling", "label", "reference", "since")
PRUNE_FILTERS = ("dangling", "label", "label!", "until")


class CreateQuery(msgspec.Struct):
    from_image: str = msgspec.field(default="", name="fromImage")
    from_src: str = msgspec.field(default="", name="fromSrc")
    repo: str = ""
    tag: str = ""
    message: str = ""
    platform: str = ""
    changes: list[str] = msgspec.field(default_factory=list)


class ListQuery(msgspec.Struct):
    all: bool = False
    digests: bool = False
    filters: Filters = msgspec.field(default_factory=Filters)


class FiltersQuery(msgspec.Struct):
    filters: Filters = msgspec.field(default_factory=Filters)


class DeleteQuery(msgspec.Struct):
    force: bool = False
    noprune: bool = False


class TagQuery(msgspec.Struct):
    repo: str = ""
    tag: str = ""


class SaveQuery(msgspec.Struct):
    names: list[str] = msgspec.field(default_factory=list)


class LoadQuery(msgspec.Struct):
    quiet: bool = False


async def spool_body(request: web.Request, rt: Runtime) -> Path:
    """Bodies can be large; they land in a temp file before any parsing."""
    fd, name = tempfile.mkstemp(dir=rt.paths.tmp, suffix=".upload")
    with os.fdopen(fd, "wb") as out:
        async for chunk in request.content.iter_chunked(1 << 20):
            out.write(chunk)
    return Path(name)


async def create(request: web.Request) -> web.StreamResponse:
    """`fromImage` pulls from a registry; `fromSrc=-` imports the body as a rootfs."""
    rt = runtime(request)
    query = decode.query(request, CreateQuery)
    if query.from_image:
        return await registry.pull_image(request, query.from_image, query.tag, query.platform)
    if query.from_src != "-":
        raise BadParameter("only fromSrc=- (the request body) is supported")
    ref = f"{query.repo}:{query.tag}" if query.repo and query.tag else query.repo or None
    body = await spool_body(request, rt)
    try:
        with open(body, "rb") as src:
            image_id = await asyncio.to_thread(
                importer.import_tarball,
                rt.images,
                src,
                query.changes,
                ref,
                query.message,
            )
    except UnsafeArchive as exc:
        raise BadParameter(str(exc)) from exc
    finally:
        body.unlink(missing_ok=True)
    rt.events.publish("image", "import", image_id, {"name": ref or image_id})
    return await json_lines(request, [{"status": image_id}])


def facts(rt: Runtime, record: ImageRecord) -> Facts:
    def created_relative(ref: str, after: bool) -> bool:
        other = rt.images.lookup(ref)
        mine, theirs = str(record.config.get("created", "")), str(other.config.get("created", ""))
        return mine > theirs if after else mine < theirs

    return {
        "dangling": match.boolean(not record.tags),
        "reference": match.reference(record.tags),
        "label": match.label((record.config.get("config") or {}).get("Labels") or {}),
        "before": lambda ref: created_relative(ref, after=False),
        "since": lambda ref: created_relative(ref, after=True),
    }


def _usage(rt: Runtime) -> dict[str, int]:
    counts: dict[str, int] = {}
    for ctr in rt.containers.all():
        counts[ctr.image_id] = counts.get(ctr.image_id, 0) + 1
    return counts


async def list_images(request: web.Request) -> web.Response:
    rt = runtime(request)
    wanted = decode.query(request, ListQuery).filters.validate(LIST_FILTERS)
    counts = _usage(rt)
    out = []
    for record in wanted.select(rt.images.all(), lambda r: facts(rt, r)):
        matching = record.tags
        if "reference" in wanted:
            # Like Docker, a reference filter also narrows the tags shown.
            patterns = wanted.get("reference")
            matching = [t for t in record.tags if any(match.reference([t])(p) for p in patterns)]
        out.append(views.summary(record, counts.get(record.id, 0)) | {"RepoTags": matching})
    return web.json_response(out)


async def inspect(request: web.Request) -> web.Response:
    record = runtime(request).images.lookup(request.match_info["name"])
    return web.json_response(views.inspect(record))


async def history(request: web.Request) -> web.Response:
    record = runtime(request).images.lookup(request.match_info["name"])
    return web.json_response(views.history(record))


async def tag(request: web.Request) -> web.Response:
    rt = runtime(request)
    image_id = rt.images.resolve(request.match_info["name"])
    query = decode.query(request, TagQuery)
    if not query.repo:
        raise BadParameter("repository name must have at least one component")
    ref = f"{query.repo}:{query.tag or 'latest'}"
    rt.images.tag(image_id, ref)
    rt.events.publish("image", "tag", image_id, {"name": ref})
    return web.Response(status=201)


async def delete(request: web.Request) -> web.Response:
    rt = runtime(request)
    name = request.match_info["name"]
    image_id = rt.images.resolve(name)
    query = decode.query(request, DeleteQuery)
    report = remove.remove(rt.images, name, query.force, rt.containers.using_image(image_id))
    for item in report:
        for action, value in item.items():
            rt.events.publish("image", action.lower().replace("deleted", "delete"), value, {})
    return web.json_response(report)


async def prune(request: web.Request) -> web.Response:
    rt = runtime(request)
    wanted = decode.query(request, FiltersQuery).filters.validate(PRUNE_FILTERS)
    dangling_only = bool(wanted.flag("dangling", default=True))
    used = {c.image_id for c in rt.containers.all()}
    return web.json_response(remove.prune(rt.images, used, dangling_only))


async def _send_archive(request: web.Request, names: list[str]) -> web.StreamResponse:
    rt = runtime(request)
    for name in names:
        rt.images.resolve(name)  # 404 before any byte of the archive is sent
    fd, path = tempfile.mkstemp(dir=rt.paths.tmp, suffix=".tar")
    try:
        with os.fdopen(fd, "wb") as out:
            await asyncio.to_thread(archive.save, rt.images, names, out)
        resp = web.StreamResponse(headers={"Content-Type": "application/x-tar"})
        await resp.prepare(request)
        for chunk in archive.iter_file(Path(path)):
            await resp.write(chunk)
        await resp.write_eof()
        return resp
    finally:
        os.unlink(path)


async def save_one(request: web.Request) -> web.StreamResponse:
    return await _send_archive(request, [request.match_info["name"]])


async def save_many(request: web.Request) -> web.StreamResponse:
    names = decode.query(request, SaveQuery).names
    if not names:
        raise BadParameter("no image names given")
    return await _send_archive(request, names)


async def load(request: web.Request) -> web.StreamResponse:
    rt = runtime(request)
    decode.query(request, LoadQuery)
    body = await spool_body(request, rt)
    try:
        with open(body, "rb") as src:
            lines = await asyncio.to_thread(archive.load, rt.images, src)
    except UnsafeArchive as exc:
        raise BadParameter(str(exc)) from exc
    except tarfile.TarError as exc:
        # Not a tar at all: dockerd answers 200 and puts the error in the stream.
        failure = {"errorDetail": {"message": str(exc)}, "error": str(exc)}
        return await json_lines(request, [failure])
    finally:
        body.unlink(missing_ok=True)
    for line in lines:
        rt.events.publish("image", "load", line.split(": ", 1)[-1], {})
    # Streamed in chunks as dockerd does: docker-py reads a chunked answer line by line.
    return await json_lines(request, [{"stream": line + "\n"} for line in lines])


def register(router: Router) -> None:
    router.add("POST", "/images/create", create)
    router.add("GET", "/images/json", list_images)
    router.add("GET", "/images/get", save_many)
    router.add("POST", "/images/load", load)
    router.add("POST", "/images/prune", prune)
    router.add("GET", "/images/{name:.+}/json", inspect)
    router.add("GET", "/images/{name:.+}/history", history)
    router.add("GET", "/images/{name:.+}/get", save_one)
    router.add("POST", "/images/{name:.+}/tag", tag)
    router.add("DELETE", "/images/{name:.+}", delete)
