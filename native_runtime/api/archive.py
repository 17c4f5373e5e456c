"""`docker cp` (GET/HEAD/PUT /containers/{id}/archive) and `docker export`."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

import msgspec
from aiohttp import web

from native_runtime.api import decode
from native_runtime.api.app import Router, runtime
from native_runtime.api.images import spool_body
from native_runtime.containers import archive
from native_runtime.errors import BadParameter
from native_runtime.images.archive import iter_file
from native_runtime.runtime import Runtime
from native_runtime.volumes.located import locate, writable

STAT_HEADER = "X-Docker-Container-Path-Stat"
PATH_MAX = 4096
NAME_MAX = 255


class PathQuery(msgspec.Struct):
    path: str = ""
    no_overwrite_dir_non_dir: bool = msgspec.field(default=False, name="noOverwriteDirNonDir")
    copy_uid_gid: bool = msgspec.field(default=False, name="copyUIDGID")


def _path(request: web.Request) -> str:
    path = decode.query(request, PathQuery).path
    if not path:
        raise BadParameter("a path is required")
    # The kernel's limits, checked before the path reaches the container's filesystem.
    if len(path) >= PATH_MAX or any(len(part) > NAME_MAX for part in path.split("/")):
        raise BadParameter(f"file name too long: {path[:64]}...")
    return path


async def _send_tar(
    request: web.Request, rt: Runtime, write: Callable[[IO[bytes]], None], headers: dict[str, str]
) -> web.StreamResponse:
    fd, name = tempfile.mkstemp(dir=rt.paths.tmp, suffix=".tar")
    try:
        with os.fdopen(fd, "wb") as out:
            await asyncio.to_thread(write, out)
        resp = web.StreamResponse(headers={"Content-Type": "application/x-tar", **headers})
        await resp.prepare(request)
        for chunk in iter_file(Path(name)):
            await resp.write(chunk)
        await resp.write_eof()
        return resp
    finally:
        os.unlink(name)


async def stat_path(request: web.Request) -> web.Response:
    rt = runtime(request)
    ctr = rt.containers.find(request.match_info["id"])
    with archive.mounted_rootfs(rt, ctr) as rootfs:
        at = locate(ctr.mounts, rootfs, _path(request))
        info = await asyncio.to_thread(archive.path_stat, at.root, at.path)
    return web.Response(headers={STAT_HEADER: archive.stat_header(info)})


async def get_archive(request: web.Request) -> web.StreamResponse:
    rt = runtime(request)
    ctr = rt.containers.find(request.match_info["id"])
    with archive.mounted_rootfs(rt, ctr) as rootfs:
        at = locate(ctr.mounts, rootfs, _path(request))
        info = await asyncio.to_thread(archive.path_stat, at.root, at.path)
        return await _send_tar(
            request,
            rt,
            lambda out: archive.write_archive(at.root, at.path, out),
            {STAT_HEADER: archive.stat_header(info)},
        )


async def put_archive(request: web.Request) -> web.Response:
    rt = runtime(request)
    ctr = rt.containers.find(request.match_info["id"])
    path = _path(request)
    body = await spool_body(request, rt)
    try:
        with archive.mounted_rootfs(rt, ctr) as rootfs, open(body, "rb") as data:
            at = writable(locate(ctr.mounts, rootfs, path, whole=True))
            await asyncio.to_thread(archive.extract_into, at.root, at.path, data)
    finally:
        body.unlink(missing_ok=True)
    return web.Response(status=200)


async def export(request: web.Request) -> web.StreamResponse:
    rt = runtime(request)
    ctr = rt.containers.find(request.match_info["id"])
    with archive.mounted_rootfs(rt, ctr) as root:
        return await _send_tar(request, rt, lambda out: archive.write_export(root, out), {})


def register(router: Router) -> None:
    router.add("HEAD", "/containers/{id}/archive", stat_path)
    router.add("GET", "/containers/{id}/archive", get_archive)
    router.add("PUT", "/containers/{id}/archive", put_archive)
    router.add("GET", "/containers/{id}/export", export)
