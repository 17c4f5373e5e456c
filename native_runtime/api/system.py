"""System endpoints: /_ping, /version, /info, /events, /system/df."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import time
from typing import Any

import msgspec
from aiohttp import web

from native_runtime import host
from native_runtime.api import decode
from native_runtime.api import filters as match
from native_runtime.api.app import API_VERSION, Router, runtime
from native_runtime.api.filters import Facts, Filters
from native_runtime.containers import logconfig, sizes
from native_runtime.containers.model import PAUSED, RUNNING
from native_runtime.containers.views import summary
from native_runtime.errors import BadParameter
from native_runtime.images.views import summary as image_summary

VERSION = "0.1.0"


async def ping(_request: web.Request) -> web.Response:
    return web.Response(
        text="OK", headers={"Api-Version": API_VERSION, "Cache-Control": "no-cache, no-store"}
    )


async def version(_request: web.Request) -> web.Response:
    uname = platform.uname()
    details = {
        "ApiVersion": API_VERSION,
        "MinAPIVersion": "1.24",
        "GitCommit": "",
        "GoVersion": "python" + platform.python_version(),
        "Os": "linux",
        "Arch": "amd64" if uname.machine == "x86_64" else uname.machine,
        "KernelVersion": uname.release,
        "Experimental": "false",
        "BuildTime": "",
    }
    component = {"Name": "Engine", "Version": VERSION, "Details": details}
    return web.json_response(
        {
            "Platform": {"Name": "Dockyard Native Engine"},
            "Components": [component],
            "Version": VERSION,
            "ApiVersion": API_VERSION,
            "MinAPIVersion": "1.24",
            "GitCommit": "",
            "GoVersion": "python" + platform.python_version(),
            "Os": "linux",
            "Arch": "amd64" if uname.machine == "x86_64" else uname.machine,
            "KernelVersion": uname.release,
            "BuildTime": "",
        }
    )


async def info(request: web.Request) -> web.Response:
    rt = runtime(request)
    ctrs = rt.containers.all()
    uname = platform.uname()
    return web.json_response(
        {
            "ID": "dockyard-native",
            "Containers": len(ctrs),
            "ContainersRunning": sum(c.state.status == RUNNING for c in ctrs),
            "ContainersPaused": sum(c.state.status == PAUSED for c in ctrs),
            "ContainersStopped": sum(not c.running for c in ctrs),
            "Images": len(rt.images.all()),
            "Driver": "overlay",
            "DriverStatus": [],
            "DockerRootDir": str(rt.paths.data_root),
            "Name": uname.node,
            "OperatingSystem": "Dockyard native engine",
            "OSType": "linux",
            "Architecture": uname.machine,
            "KernelVersion": uname.release,
            "NCPU": os.cpu_count() or 1,
            "MemTotal": os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"),
            "ServerVersion": VERSION,
            "CgroupDriver": "cgroupfs",
            "CgroupVersion": host.cgroup_version(),
            "DefaultRuntime": host.DEFAULT_RUNTIME,
            "Runtimes": host.runtimes_view(),
            "LoggingDriver": logconfig.DEFAULT_DRIVER,
            "SecurityOptions": ["name=seccomp,profile=default", "name=no-new-privileges"],
            "Plugins": {
                "Volume": ["local"],
                "Network": ["bridge", "host", "null"],
                "Log": list(logconfig.DRIVERS),
            },
            "Swarm": {"LocalNodeState": "inactive"},
            "LiveRestoreEnabled": True,
            "Labels": [],
            "Warnings": [],
        }
        | host.limits_and_state()
    )


EVENT_FILTERS = (
    "config", "container", "daemon", "event", "image", "label", "network", "node",
    "plugin", "scope", "secret", "service", "type", "volume",
)  # fmt: skip


class EventsQuery(msgspec.Struct):
    since: str = ""
    until: str = ""
    filters: Filters = msgspec.field(default_factory=Filters)


def _timestamp(name: str, text: str) -> int | None:
    """Unix seconds, with the `.nanoseconds` the docker CLI adds."""
    if not text:
        return None
    try:
        return int(float(text))
    except ValueError as exc:
        raise BadParameter(f"invalid value for {name}: {text}") from exc


def _by_id_or_name(actor_id: str, name: str) -> match.Test:
    return lambda want: bool(want) and (actor_id.startswith(want) or want == name)


def event_facts(event: dict[str, Any]) -> Facts:
    actor = event["Actor"]
    attrs: dict[str, str] = actor["Attributes"]
    kind = event["Type"]
    facts: dict[str, match.Test] = {
        "type": match.one_of(kind),
        "event": lambda want: event["Action"] == want or event["Action"].startswith(want + ":"),
        "label": match.label(attrs),
        "scope": match.one_of("local"),
        "image": match.one_of(attrs.get("image", ""), actor["ID"] if kind == "image" else ""),
    }
    for resource in ("container", "network", "volume"):
        if kind == resource:
            facts[resource] = _by_id_or_name(actor["ID"], attrs.get("name", ""))
    if kind == "network" and "container" in attrs:
        facts["container"] = _by_id_or_name(attrs["container"], "")
    if kind != "container" and "container" not in facts:
        facts["container"] = lambda _want: False
    return facts


async def events(request: web.Request) -> web.StreamResponse:
    rt = runtime(request)
    query = decode.query(request, EventsQuery)
    wanted = query.filters.validate(EVENT_FILTERS)
    since, until = _timestamp("since", query.since), _timestamp("until", query.until)
    resp = web.StreamResponse(headers={"Content-Type": "application/json"})
    await resp.prepare(request)
    queue = rt.events.subscribe()
    try:
        await _send_events(resp, list(rt.events.history), queue, wanted, since, until)
    except ConnectionError:
        pass  # the client stopped listening
    finally:
        rt.events.unsubscribe(queue)
    return resp


async def _send_events(
    resp: web.StreamResponse,
    history: list[dict[str, Any]],
    queue: asyncio.Queue[dict[str, Any]],
    wanted: Filters,
    since: int | None,
    until: int | None,
) -> None:
    """Past events from `since`, then live ones until `until` (or forever)."""
    if since is not None:
        for event in history:
            in_window = event["time"] >= since and (until is None or event["time"] <= until)
            if in_window and wanted.matches(event_facts(event)):
                await resp.write(json.dumps(event).encode() + b"\n")
    while True:
        timeout = None if until is None else until - time.time()
        if timeout is not None and timeout <= 0:
            return
        try:
            event = await asyncio.wait_for(queue.get(), timeout)
        except TimeoutError:
            return
        if wanted.matches(event_facts(event)):
            await resp.write(json.dumps(event).encode() + b"\n")


async def system_df(request: web.Request) -> web.Response:
    rt = runtime(request)
    counts: dict[str, int] = {}
    for ctr in rt.containers.all():
        counts[ctr.image_id] = counts.get(ctr.image_id, 0) + 1
    images = [image_summary(r, counts.get(r.id, 0)) for r in rt.images.all()]
    return web.json_response(
        {
            "LayersSize": sum(int(row["size"]) for row in rt.db.query("SELECT size FROM layers")),
            "Images": images,
            "Containers": [
                summary(rt, c) | await asyncio.to_thread(sizes.sizes, rt, c)
                for c in rt.containers.all()
            ],
            "Volumes": [
                v.to_docker()
                | {
                    "UsageData": {
                        "Size": rt.volumes.size(v.name),
                        "RefCount": len(rt.volume_users(v.name)),
                    }
                }
                for v in rt.volumes.all()
            ],
            "BuildCache": [],
        }
    )


def register(router: Router) -> None:
    router.add("GET", "/_ping", ping)
    router.add("HEAD", "/_ping", ping)
    router.add("GET", "/version", version)
    router.add("GET", "/info", info)
    router.add("GET", "/events", events)
    router.add("GET", "/system/df", system_df)
