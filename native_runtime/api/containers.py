"""Container endpoints: decode Docker's parameters, call the verb, encode the answer."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable

from aiohttp import web

from native_runtime.api.app import Router, runtime
from native_runtime.api.params import filters, flag, integer, json_body
from native_runtime.api.streams import frame
from native_runtime.containers import logconfig, views
from native_runtime.containers import logs as logs_verb
from native_runtime.containers import stats as stats_verb
from native_runtime.containers import top as top_verb
from native_runtime.containers.changes import changes as changes_verb
from native_runtime.containers.create import create as create_verb
from native_runtime.containers.kill import kill as kill_verb
from native_runtime.containers.pause import pause as pause_verb
from native_runtime.containers.pause import unpause as unpause_verb
from native_runtime.containers.remove import remove as remove_verb
from native_runtime.containers.rename import rename as rename_verb
from native_runtime.containers.resize import resize as resize_verb
from native_runtime.containers.restart import restart as restart_verb
from native_runtime.containers.start import start as start_verb
from native_runtime.containers.stop import stop as stop_verb
from native_runtime.containers.update import update as update_verb
from native_runtime.containers.wait import check_condition, waiter
from native_runtime.errors import BadParameter


async def create(request: web.Request) -> web.Response:
    rt = runtime(request)
    ctr = await create_verb(rt, await json_body(request), request.query.get("name"))
    return web.json_response({"Id": ctr.id, "Warnings": []}, status=201)


async def list_containers(request: web.Request) -> web.Response:
    rt = runtime(request)
    wanted = filters(request)
    show_all = flag(request, "all") or "status" in wanted
    out = [
        views.summary(rt, c)
        for c in rt.containers.all()
        if (show_all or c.running) and views.matches(c, wanted)
    ]
    limit = integer(request, "limit")
    if limit and limit > 0:
        out = out[:limit]
    return web.json_response(out)


async def inspect(request: web.Request) -> web.Response:
    rt = runtime(request)
    ctr = rt.containers.find(request.match_info["id"])
    return web.json_response(views.inspect(rt, ctr))


async def _locked(
    request: web.Request, verb: Callable[..., Awaitable[object]], *args: object
) -> web.Response:
    """The shape of most container verbs: find it, hold its lock, act, answer 204."""
    rt = runtime(request)
    ctr = rt.containers.find(request.match_info["id"])
    async with rt.lock(ctr):
        await verb(rt, ctr, *args)
    return web.Response(status=204)


async def start(request: web.Request) -> web.Response:
    return await _locked(request, start_verb)


async def stop(request: web.Request) -> web.Response:
    return await _locked(request, stop_verb, integer(request, "t"))


async def restart(request: web.Request) -> web.Response:
    return await _locked(request, restart_verb, integer(request, "t"))


async def kill(request: web.Request) -> web.Response:
    return await _locked(request, kill_verb, request.query.get("signal"))


async def pause(request: web.Request) -> web.Response:
    return await _locked(request, pause_verb)


async def unpause(request: web.Request) -> web.Response:
    return await _locked(request, unpause_verb)


async def delete(request: web.Request) -> web.Response:
    return await _locked(request, remove_verb, flag(request, "force"), flag(request, "v"))


async def rename(request: web.Request) -> web.Response:
    rt = runtime(request)
    name = request.query.get("name", "")
    if not name:
        raise BadParameter("a new name is required")
    await rename_verb(rt, rt.containers.find(request.match_info["id"]), name)
    return web.Response(status=204)


async def wait(request: web.Request) -> web.StreamResponse:
    rt = runtime(request)
    ctr = rt.containers.find(request.match_info["id"])
    fut = waiter(rt, ctr, check_condition(request.query.get("condition", "")))
    # Headers go out at once so the client knows the wait is registered.
    resp = web.StreamResponse(headers={"Content-Type": "application/json"})
    await resp.prepare(request)
    if fut is not None:
        await fut
    body = {"StatusCode": ctr.state.exit_code, "Error": None}
    with contextlib.suppress(ConnectionError):
        await resp.write(json.dumps(body).encode() + b"\n")
        await resp.write_eof()
    return resp


STATS_INTERVAL = 1.0
STATS_BASELINE = 0.5


def encode(line: logs_verb.LogLine, tty: bool, timestamps: bool) -> bytes:
    data = line.data
    if timestamps:
        data = logs_verb.docker_timestamp(line.timestamp).encode() + b" " + data
    return data if tty else frame(line.stream, data)


async def logs(request: web.Request) -> web.StreamResponse:
    rt = runtime(request)
    ctr = rt.containers.find(request.match_info["id"])
    logconfig.check_readable(ctr.host_config)
    tail = request.query.get("tail", "all")
    opts = logs_verb.LogOptions(
        stdout=flag(request, "stdout"),
        stderr=flag(request, "stderr"),
        follow=flag(request, "follow"),
        tail=None if tail in ("", "all") else int(tail),
        since_ns=logs_verb.parse_since(request.query.get("since", "")),
        until_ns=logs_verb.parse_since(request.query.get("until", "")),
        timestamps=flag(request, "timestamps"),
    )
    if not (opts.stdout or opts.stderr):
        raise BadParameter("you must choose at least one stream")
    content_type = "application/vnd.docker.raw-stream"
    resp = web.StreamResponse(headers={"Content-Type": content_type})
    await resp.prepare(request)
    # A client that stops following (Ctrl-C on `logs -f`) just closes the socket.
    with contextlib.suppress(ConnectionError):
        async for line in logs_verb.stream(rt, ctr, opts):
            await resp.write(encode(line, ctr.tty, opts.timestamps))
        await resp.write_eof()
    return resp


async def resize(request: web.Request) -> web.Response:
    rt = runtime(request)
    ctr = rt.containers.find(request.match_info["id"])
    height, width = integer(request, "h") or 0, integer(request, "w") or 0
    # Answered once conmon has the size, so a resize then a read sees it, as under dockerd.
    await resize_verb(rt, ctr, height, width)
    return web.Response(status=200)


async def prune(request: web.Request) -> web.Response:
    rt = runtime(request)
    wanted = filters(request)
    deleted = []
    for ctr in rt.containers.all():
        if ctr.running or ctr.state.status == "restarting" or not views.matches(ctr, wanted):
            continue
        async with rt.lock(ctr):
            await remove_verb(rt, ctr, force=False, volumes=False)
        deleted.append(ctr.id)
    return web.json_response({"ContainersDeleted": deleted or None, "SpaceReclaimed": 0})


async def top(request: web.Request) -> web.Response:
    rt = runtime(request)
    ctr = rt.containers.find(request.match_info["id"])
    return web.json_response(await asyncio.to_thread(top_verb.top, ctr))


async def stats(request: web.Request) -> web.StreamResponse:
    """Streamed once a second; a one-shot read waits briefly so CPU % has a baseline."""
    rt = runtime(request)
    ctr = rt.containers.find(request.match_info["id"])
    stream = flag(request, "stream", True)
    previous = None
    if not flag(request, "one-shot") and ctr.running:
        previous = stats_verb.sample(ctr)
        await asyncio.sleep(STATS_BASELINE)
    resp = web.StreamResponse(headers={"Content-Type": "application/json"})
    await resp.prepare(request)
    with contextlib.suppress(ConnectionError):
        while True:
            current = stats_verb.with_previous(stats_verb.sample(ctr), previous)
            await resp.write(json.dumps(current).encode() + b"\n")
            if not stream or not ctr.running:
                break
            previous = current
            await asyncio.sleep(STATS_INTERVAL)
        await resp.write_eof()
    return resp


async def changes(request: web.Request) -> web.Response:
    rt = runtime(request)
    ctr = rt.containers.find(request.match_info["id"])
    return web.json_response(await asyncio.to_thread(changes_verb, rt, ctr))


async def update(request: web.Request) -> web.Response:
    rt = runtime(request)
    ctr = rt.containers.find(request.match_info["id"])
    warnings = await update_verb(rt, ctr, await json_body(request))
    return web.json_response({"Warnings": warnings})


def register(router: Router) -> None:
    router.add("POST", "/containers/create", create)
    router.add("GET", "/containers/json", list_containers)
    router.add("POST", "/containers/prune", prune)
    router.add("GET", "/containers/{id}/json", inspect)
    router.add("POST", "/containers/{id}/start", start)
    router.add("POST", "/containers/{id}/stop", stop)
    router.add("POST", "/containers/{id}/restart", restart)
    router.add("POST", "/containers/{id}/kill", kill)
    router.add("POST", "/containers/{id}/pause", pause)
    router.add("POST", "/containers/{id}/unpause", unpause)
    router.add("POST", "/containers/{id}/wait", wait)
    router.add("POST", "/containers/{id}/rename", rename)
    router.add("POST", "/containers/{id}/resize", resize)
    router.add("GET", "/containers/{id}/logs", logs)
    router.add("GET", "/containers/{id}/top", top)
    router.add("GET", "/containers/{id}/stats", stats)
    router.add("GET", "/containers/{id}/changes", changes)
    router.add("POST", "/containers/{id}/update", update)
    router.add("DELETE", "/containers/{id}", delete)
