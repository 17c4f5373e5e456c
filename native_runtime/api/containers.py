"""Container endpoints: decode Docker's parameters, call the verb, encode the answer."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable

import msgspec
from aiohttp import web

from native_runtime.api import decode, verify
from native_runtime.api import filters as match
from native_runtime.api.app import Router, runtime
from native_runtime.api.filters import Facts, Filters
from native_runtime.api.schema import ContainerCreateBody, ContainerUpdateBody
from native_runtime.api.streams import frame
from native_runtime.containers import logconfig, sizes, views
from native_runtime.containers import logs as logs_verb
from native_runtime.containers import stats as stats_verb
from native_runtime.containers import top as top_verb
from native_runtime.containers.changes import changes as changes_verb
from native_runtime.containers.create import create as create_verb
from native_runtime.containers.kill import kill as kill_verb
from native_runtime.containers.model import Container
from native_runtime.containers.pause import pause as pause_verb
from native_runtime.containers.pause import unpause as unpause_verb
from native_runtime.containers.remove import remove as remove_verb
from native_runtime.containers.rename import rename as rename_verb
from native_runtime.containers.resize import resize as resize_verb
from native_runtime.containers.restart import restart as restart_verb
from native_runtime.containers.start import start as start_verb
from native_runtime.containers.stop import stop as stop_verb
from native_runtime.containers.unlink import unlink as unlink_verb
from native_runtime.containers.update import update as update_verb
from native_runtime.containers.wait import check_condition, waiter
from native_runtime.errors import BadParameter, Conflict, NotFound
from native_runtime.runtime import Runtime

LIST_FILTERS = (
    "ancestor", "before", "expose", "exited", "health", "id", "isolation", "is-task",
    "label", "name", "network", "publish", "since", "status", "volume",
)  # fmt: skip
PRUNE_FILTERS = ("label", "label!", "until")


class CreateQuery(msgspec.Struct):
    name: str | None = None
    platform: str | None = None


class ListQuery(msgspec.Struct):
    all: bool = False
    limit: int | None = None
    size: bool = False
    filters: Filters = msgspec.field(default_factory=Filters)


class FiltersQuery(msgspec.Struct):
    filters: Filters = msgspec.field(default_factory=Filters)


class TimeoutQuery(msgspec.Struct):
    t: int | None = None


class KillQuery(msgspec.Struct):
    signal: str | None = None


class InspectQuery(msgspec.Struct):
    size: bool = False


class RemoveQuery(msgspec.Struct):
    force: bool = False
    v: bool = False
    link: bool = False


class RenameQuery(msgspec.Struct):
    name: str = ""


class WaitQuery(msgspec.Struct):
    condition: str = ""


class SizeQuery(msgspec.Struct):
    h: int = 0
    w: int = 0


class LogsQuery(msgspec.Struct):
    follow: bool = False
    stdout: bool = False
    stderr: bool = False
    since: str = ""
    until: str = ""
    timestamps: bool = False
    tail: str = "all"


class StatsQuery(msgspec.Struct):
    stream: bool = True
    one_shot: bool = msgspec.field(default=False, name="one-shot")


def facts(rt: Runtime, ctr: Container) -> Facts:
    """What `docker ps --filter` can ask of a container."""

    def created_relative(ref: str, after: bool) -> bool:
        other = rt.containers.find(ref)
        return ctr.created > other.created if after else ctr.created < other.created

    networks = [name for name, _id, _ip in rt.attached_networks(ctr)]
    volumes = [str(m.get("Name") or m.get("Source") or "") for m in ctr.mounts]
    volumes += [str(m.get("Destination") or "") for m in ctr.mounts]
    return {
        "status": match.one_of(ctr.state.status),
        "name": match.name(ctr.name),
        "id": match.ident(ctr.id),
        "label": match.label(ctr.config.get("Labels") or {}),
        "health": match.one_of((ctr.state.health or {}).get("Status", "none")),
        "exited": lambda code: ctr.state.status == "exited" and code == str(ctr.state.exit_code),
        "ancestor": match.one_of(ctr.image, ctr.image_id, ctr.image_id.removeprefix("sha256:")),
        "before": lambda ref: created_relative(ref, after=False),
        "since": lambda ref: created_relative(ref, after=True),
        "network": match.one_of(*networks),
        "volume": match.one_of(*volumes),
        "expose": _port(ctr.config.get("ExposedPorts") or {}),
        "publish": _port(ctr.host_config.get("PortBindings") or {}),
        "is-task": match.boolean(False),
        "isolation": match.one_of("default"),
    }


def _port(ports: dict[str, object]) -> match.Test:
    """`80` means `80/tcp`, as in Docker's port specs."""
    return lambda want: (want if "/" in want else want + "/tcp") in ports


def prune_facts(ctr: Container) -> Facts:
    labels = match.label(ctr.config.get("Labels") or {})
    return {"label": labels, "label!": lambda want: not labels(want)}


def _as_list(value: list[str] | str | None) -> list[str] | None:
    """Docker's StrSlice: a plain string is a one-element list."""
    return [value] if isinstance(value, str) else value


def _normalized(body: ContainerCreateBody) -> ContainerCreateBody:
    host = body.host_config
    if host is not None:
        host = msgspec.structs.replace(
            host, cap_add=_as_list(host.cap_add), cap_drop=_as_list(host.cap_drop)
        )
    return msgspec.structs.replace(
        body,
        cmd=_as_list(body.cmd),
        entrypoint=_as_list(body.entrypoint),
        shell=_as_list(body.shell),
        host_config=host,
    )


async def create(request: web.Request) -> web.Response:
    rt = runtime(request)
    query = decode.query(request, CreateQuery)
    body = _normalized(await decode.body(request, ContainerCreateBody))
    verify.host_config(body.host_config)
    ctr = await create_verb(rt, decode.to_docker(body), query.name)
    return web.json_response({"Id": ctr.id, "Warnings": []}, status=201)


async def list_containers(request: web.Request) -> web.Response:
    rt = runtime(request)
    query = decode.query(request, ListQuery)
    wanted = query.filters.validate(LIST_FILTERS)
    show_all = query.all or "status" in wanted or (query.limit or 0) > 0
    found = [c for c in rt.containers.all() if show_all or c.running]
    # Newest first, as dockerd lists them (and as `limit` counts them).
    found.sort(key=lambda c: c.created, reverse=True)
    out = [views.summary(rt, c) for c in wanted.select(found, lambda c: facts(rt, c))]
    if query.limit and query.limit > 0:
        out = out[: query.limit]
    if query.size:
        by_id = {c.id: c for c in found}
        for entry in out:
            entry.update(await asyncio.to_thread(sizes.sizes, rt, by_id[entry["Id"]]))
    # msgspec encodes a thousand entries in a fifth of the stdlib's time.
    return web.Response(body=msgspec.json.encode(out), content_type="application/json")


async def inspect(request: web.Request) -> web.Response:
    rt = runtime(request)
    ctr = rt.containers.find(request.match_info["id"])
    doc = views.inspect(rt, ctr)
    if decode.query(request, InspectQuery).size:
        doc.update(await asyncio.to_thread(sizes.sizes, rt, ctr))
    return web.json_response(doc)


async def _act(
    request: web.Request, verb: Callable[..., Awaitable[object]], *args: object
) -> web.Response:
    """The shape of most container verbs: find it, act (the verb holds its lock), 204."""
    rt = runtime(request)
    ctr = rt.containers.find(request.match_info["id"])
    await verb(rt, ctr, *args)
    return web.Response(status=204)


async def start(request: web.Request) -> web.Response:
    return await _act(request, start_verb)


async def stop(request: web.Request) -> web.Response:
    return await _act(request, stop_verb, decode.query(request, TimeoutQuery).t)


async def restart(request: web.Request) -> web.Response:
    return await _act(request, restart_verb, decode.query(request, TimeoutQuery).t)


async def kill(request: web.Request) -> web.Response:
    return await _act(request, kill_verb, decode.query(request, KillQuery).signal)


async def pause(request: web.Request) -> web.Response:
    return await _act(request, pause_verb)


async def unpause(request: web.Request) -> web.Response:
    return await _act(request, unpause_verb)


async def delete(request: web.Request) -> web.Response:
    query = decode.query(request, RemoveQuery)
    if query.link:
        raise Conflict("Conflict, cannot remove the default link name of the container")
    return await _act(request, remove_verb, query.force, query.v)


async def delete_link(request: web.Request) -> web.Response:
    """`DELETE /containers/PARENT/ALIAS?link=1`: the name of a link, as dockerd reads it."""
    rt = runtime(request)
    parent, alias = request.match_info["id"], request.match_info["alias"]
    if not decode.query(request, RemoveQuery).link:
        raise NotFound(f"No such container: {parent}/{alias}")
    await unlink_verb(rt, rt.containers.find(parent), alias)
    return web.Response(status=204)


async def rename(request: web.Request) -> web.Response:
    rt = runtime(request)
    name = decode.query(request, RenameQuery).name
    if not name:
        raise BadParameter("a new name is required")
    await rename_verb(rt, rt.containers.find(request.match_info["id"]), name)
    return web.Response(status=204)


async def wait(request: web.Request) -> web.StreamResponse:
    rt = runtime(request)
    ctr = rt.containers.find(request.match_info["id"])
    fut = waiter(rt, ctr, check_condition(decode.query(request, WaitQuery).condition))
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


def _tail(text: str) -> int | None:
    """dockerd treats `all` and anything that is not a number as the whole log."""
    try:
        return None if text in ("", "all") else max(int(text), 0)
    except ValueError:
        return None


def _time(parse: Callable[[str], int], name: str, text: str) -> int:
    try:
        return parse(text)
    except ValueError as exc:
        raise BadParameter(f"invalid value for {name}: {text}") from exc


async def logs(request: web.Request) -> web.StreamResponse:
    rt = runtime(request)
    ctr = rt.containers.find(request.match_info["id"])
    logconfig.check_readable(ctr.host_config)
    query = decode.query(request, LogsQuery)
    opts = logs_verb.LogOptions(
        stdout=query.stdout,
        stderr=query.stderr,
        follow=query.follow,
        tail=_tail(query.tail),
        since_ns=_time(logs_verb.parse_since, "since", query.since),
        until_ns=_time(logs_verb.parse_since, "until", query.until),
        timestamps=query.timestamps,
    )
    if not (opts.stdout or opts.stderr):
        raise BadParameter("you must choose at least one stream")
    if not opts.follow:
        await logs_verb.after_start(rt, ctr)
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
    size = decode.query(request, SizeQuery)
    # Answered once conmon has the size, so a resize then a read sees it, as under dockerd.
    await resize_verb(rt, ctr, size.h, size.w)
    return web.Response(status=200)


async def prune(request: web.Request) -> web.Response:
    rt = runtime(request)
    wanted = decode.query(request, FiltersQuery).filters.validate(PRUNE_FILTERS)
    deleted = []
    reclaimed = 0
    for ctr in rt.containers.all():
        if ctr.running or ctr.state.status == "restarting":
            continue
        if not wanted.matches(prune_facts(ctr)):
            continue
        written = await asyncio.to_thread(sizes.size_rw, rt, ctr)
        await remove_verb(rt, ctr, force=False, volumes=False)
        deleted.append(ctr.id)
        reclaimed += written
    return web.json_response({"ContainersDeleted": deleted or None, "SpaceReclaimed": reclaimed})


async def top(request: web.Request) -> web.Response:
    rt = runtime(request)
    ctr = rt.containers.find(request.match_info["id"])
    return web.json_response(await asyncio.to_thread(top_verb.top, ctr))


async def stats(request: web.Request) -> web.StreamResponse:
    """Streamed once a second; a one-shot read waits briefly so CPU % has a baseline."""
    rt = runtime(request)
    ctr = rt.containers.find(request.match_info["id"])
    query = decode.query(request, StatsQuery)
    stream = query.stream
    previous = None
    if not query.one_shot and ctr.running:
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
    body = await decode.body(request, ContainerUpdateBody)
    warnings = await update_verb(rt, ctr, decode.to_docker(body))
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
    router.add("DELETE", "/containers/{id}/{alias}", delete_link)
