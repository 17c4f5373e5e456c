"""Image endpoints: import, list, inspect, tag, remove, history, save, load, prune."""

from __future__ import annotations

import asyncio
import fnmatch
import json
import os
import tempfile
from pathlib import Path

from aiohttp import web

from native_runtime.api.app import Router, runtime
from native_runtime.api.params import filters, flag
from native_runtime.errors import BadParameter, NotFound
from native_runtime.images import archive, importer, remove, views
from native_runtime.images.tarsafe import UnsafeArchive
from native_runtime.runtime import Runtime


async def spool_body(request: web.Request, rt: Runtime) -> Path:
    """Bodies can be large; they land in a temp file before any parsing."""
    fd, name = tempfile.mkstemp(dir=rt.paths.tmp, suffix=".upload")
    with os.fdopen(fd, "wb") as out:
        async for chunk in request.content.iter_chunked(1 << 20):
            out.write(chunk)
    return Path(name)


async def create(request: web.Request) -> web.StreamResponse:
    rt = runtime(request)
    if request.query.get("fromImage"):
        raise NotFound(
            f"pull access denied for {request.query['fromImage']}: the native engine has no "
            "registry support yet (load or import the image instead)"
        )
    if request.query.get("fromSrc") != "-":
        raise BadParameter("only fromSrc=- (the request body) is supported")
    repo = request.query.get("repo", "")
    tag = request.query.get("tag", "")
    ref = f"{repo}:{tag}" if repo and tag else repo or None
    changes = request.query.getall("changes", [])
    body = await spool_body(request, rt)
    try:
        with open(body, "rb") as src:
            image_id = await asyncio.to_thread(
                importer.import_tarball,
                rt.images,
                src,
                changes,
                ref,
                request.query.get("message", ""),
            )
    except UnsafeArchive as exc:
        raise BadParameter(str(exc)) from exc
    finally:
        body.unlink(missing_ok=True)
    rt.events.publish("image", "import", image_id, {"name": ref or image_id})
    return web.Response(
        body=json.dumps({"status": image_id}).encode() + b"\n", content_type="application/json"
    )


def _reference_matches(tag: str, pattern: str) -> bool:
    """Docker matches `repo` patterns against the repository, `repo:tag` ones against both."""
    repo = tag.rpartition(":")[0]
    if ":" in pattern.rsplit("/", 1)[-1]:
        return fnmatch.fnmatchcase(tag, pattern)
    return fnmatch.fnmatchcase(repo, pattern)


def _usage(rt: Runtime) -> dict[str, int]:
    counts: dict[str, int] = {}
    for ctr in rt.containers.all():
        counts[ctr.image_id] = counts.get(ctr.image_id, 0) + 1
    return counts


async def list_images(request: web.Request) -> web.Response:
    rt = runtime(request)
    wanted = filters(request)
    counts = _usage(rt)
    out = []
    for record in rt.images.all():
        if "dangling" in wanted and (wanted["dangling"][0] in ("true", "1")) != (not record.tags):
            continue
        matching = record.tags
        if "reference" in wanted:
            matching = [
                t for t in record.tags if any(_reference_matches(t, r) for r in wanted["reference"])
            ]
            if not matching:
                continue
        labels = (record.config.get("config") or {}).get("Labels") or {}
        if "label" in wanted and not all(
            k in labels and (not eq or labels[k] == v)
            for k, eq, v in (w.partition("=") for w in wanted["label"])
        ):
            continue
        # Like Docker, a reference filter also narrows the tags shown.
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
    repo = request.query.get("repo", "")
    if not repo:
        raise BadParameter("repository name must have at least one component")
    ref = f"{repo}:{request.query.get('tag') or 'latest'}"
    rt.images.tag(image_id, ref)
    rt.events.publish("image", "tag", image_id, {"name": ref})
    return web.Response(status=201)


async def delete(request: web.Request) -> web.Response:
    rt = runtime(request)
    name = request.match_info["name"]
    image_id = rt.images.resolve(name)
    report = remove.remove(
        rt.images, name, flag(request, "force"), rt.containers.using_image(image_id)
    )
    for item in report:
        for action, value in item.items():
            rt.events.publish("image", action.lower().replace("deleted", "delete"), value, {})
    return web.json_response(report)


async def prune(request: web.Request) -> web.Response:
    rt = runtime(request)
    wanted = filters(request)
    dangling_only = (wanted.get("dangling") or ["true"])[0] in ("true", "1")
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
    names = request.query.getall("names", [])
    if not names:
        raise BadParameter("no image names given")
    return await _send_archive(request, names)


async def load(request: web.Request) -> web.Response:
    rt = runtime(request)
    body = await spool_body(request, rt)
    try:
        with open(body, "rb") as src:
            lines = await asyncio.to_thread(archive.load, rt.images, src)
    except UnsafeArchive as exc:
        raise BadParameter(str(exc)) from exc
    finally:
        body.unlink(missing_ok=True)
    for line in lines:
        rt.events.publish("image", "load", line.split(": ", 1)[-1], {})
    out = b"".join(json.dumps({"stream": line + "\n"}).encode() + b"\n" for line in lines)
    return web.Response(body=out, content_type="application/json")


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
