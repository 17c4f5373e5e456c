"""Container healthchecks: the probe loop, State.Health, and the `health_status` events."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import signal
import sqlite3
from typing import Any

from native_runtime.containers.exited import now_rfc3339
from native_runtime.containers.model import RUNNING, Container
from native_runtime.execs.session import ExecSession
from native_runtime.execs.start import run
from native_runtime.runtime import Runtime

log = logging.getLogger("native_runtime.health")

STARTING = "starting"
HEALTHY = "healthy"
UNHEALTHY = "unhealthy"

NANO = 1_000_000_000
DEFAULT_INTERVAL = 30.0
DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 3
LOG_ENTRIES = 5
# dockerd keeps only the first 4 KiB of a probe's output.
MAX_OUTPUT = 4096
# A timed-out probe gets SIGTERM forwarded by runc, then runc itself is killed.
KILL_GRACE = 1.0

# One probe loop per running container, keyed by container id (unique per daemon).
_monitors: dict[str, asyncio.Task[None]] = {}

_FIELDS = ("Test", "Interval", "Timeout", "StartPeriod", "Retries")


def merge(image_check: dict[str, Any] | None, request: dict[str, Any] | None) -> dict[str, Any]:
    """dockerd's merge: the request's check wins field by field; unset fields take the image's."""
    if not request:
        return dict(image_check or {})
    merged = dict(request)
    if image_check:
        for key in _FIELDS:
            if not merged.get(key):
                merged[key] = image_check.get(key)
    return {k: v for k, v in merged.items() if v is not None}


def probe_command(ctr: Container) -> list[str] | None:
    """The argv to exec, or None when the container has no (or a disabled) healthcheck."""
    test = list((ctr.config.get("Healthcheck") or {}).get("Test") or [])
    if not test or test[0] == "NONE":
        return None
    if test[0] == "CMD":
        return test[1:] or None
    if test[0] == "CMD-SHELL":
        return ["/bin/sh", "-c", " ".join(test[1:])]
    return None


def _seconds(ctr: Container, key: str, default: float) -> float:
    value = int((ctr.config.get("Healthcheck") or {}).get(key) or 0)
    return value / NANO if value > 0 else default


def _retries(ctr: Container) -> int:
    value = int((ctr.config.get("Healthcheck") or {}).get("Retries") or 0)
    return value if value > 0 else DEFAULT_RETRIES


def status_suffix(ctr: Container) -> str:
    """What `docker ps` appends to "Up 3 seconds": " (healthy)", " (health: starting)"."""
    health = ctr.state.health
    if not health:
        return ""
    status = health.get("Status") or STARTING
    return " (health: starting)" if status == STARTING else f" ({status})"


def begin(rt: Runtime, ctr: Container) -> None:
    """At start: health goes back to starting and a fresh probe loop runs."""
    if probe_command(ctr) is None:
        ctr.state.health = None
        return
    log_entries = list((ctr.state.health or {}).get("Log") or [])
    ctr.state.health = {"Status": STARTING, "FailingStreak": 0, "Log": log_entries}
    _launch(rt, ctr)


def resume(rt: Runtime, ctr: Container) -> None:
    """Live restore: keep the recorded health and carry on probing."""
    if probe_command(ctr) is None:
        return
    if not ctr.state.health:
        ctr.state.health = {"Status": STARTING, "FailingStreak": 0, "Log": []}
    _launch(rt, ctr)


def end(ctr: Container) -> None:
    """The container stopped: its probe loop (and any probe in flight) is cancelled."""
    task = _monitors.pop(ctr.id, None)
    if task is not None:
        task.cancel()


def _launch(rt: Runtime, ctr: Container) -> None:
    end(ctr)
    task = asyncio.get_running_loop().create_task(_loop(rt, ctr))
    _monitors[ctr.id] = task
    task.add_done_callback(
        lambda t: _monitors.pop(ctr.id, None) if _monitors.get(ctr.id) is t else None
    )


async def _loop(rt: Runtime, ctr: Container) -> None:
    interval = _seconds(ctr, "Interval", DEFAULT_INTERVAL)
    start_period = _seconds(ctr, "StartPeriod", 0.0)
    loop = asyncio.get_running_loop()
    started = loop.time()
    while True:
        await asyncio.sleep(interval)
        if rt.containers.by_id.get(ctr.id) is not ctr or not ctr.running:
            return
        if ctr.state.status != RUNNING:
            continue  # paused: an exec cannot run, and dockerd does not count it
        try:
            result = await _probe(rt, ctr)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a probe that cannot even start is a failed probe
            stamp = now_rfc3339()
            result = {"Start": stamp, "End": stamp, "ExitCode": -1, "Output": str(exc)}
        if (
            ctr.state.status not in (RUNNING,)
            or _monitors.get(ctr.id) is not asyncio.current_task()
        ):
            return
        _record(rt, ctr, result, in_start_period=loop.time() - started < start_period)


async def _probe(rt: Runtime, ctr: Container) -> dict[str, Any]:
    """One run of the check through `runc exec`, as `docker exec` without a tty runs it."""
    cmd = probe_command(ctr) or []
    timeout = _seconds(ctr, "Timeout", DEFAULT_TIMEOUT)
    session = ExecSession(secrets.token_hex(32), ctr.id, {"Cmd": cmd, "Tty": False})
    rt.event(ctr, "exec_create: " + " ".join(cmd), execID=session.id)
    rt.event(ctr, "exec_start: " + " ".join(cmd), execID=session.id)
    output = bytearray()

    async def write(_stream: str, data: bytes) -> None:
        if len(output) < MAX_OUTPUT:
            output.extend(data[: MAX_OUTPUT - len(output)])

    start = now_rfc3339()
    runner = asyncio.ensure_future(run(rt, ctr, session, write, None))
    try:
        code = await asyncio.wait_for(asyncio.shield(runner), timeout)
    except TimeoutError:
        await _kill(session, runner)
        return {
            "Start": start,
            "End": now_rfc3339(),
            "ExitCode": -1,
            "Output": f"Health check exceeded timeout ({_duration(timeout)})",
        }
    except asyncio.CancelledError:
        await _kill(session, runner)
        raise
    return {
        "Start": start,
        "End": now_rfc3339(),
        "ExitCode": code,
        "Output": output.decode(errors="replace"),
    }


async def _kill(session: ExecSession, runner: asyncio.Future[int]) -> None:
    """runc forwards SIGTERM to the probe; if that is not enough, runc itself is killed."""
    for signum in (signal.SIGTERM, signal.SIGKILL):
        if runner.done() or not session.pid:
            break
        with contextlib.suppress(ProcessLookupError):
            os.kill(session.pid, signum)
        with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError, Exception):
            await asyncio.wait_for(asyncio.shield(runner), KILL_GRACE)
    if not runner.done():
        # The probe survived runc (its pipes still open): stop waiting for it.
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await runner


def _duration(seconds: float) -> str:
    """Go's Duration.String for the common cases: "2s", "1.5s", "500ms"."""
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    return f"{seconds:g}s"


def _record(rt: Runtime, ctr: Container, result: dict[str, Any], in_start_period: bool) -> None:
    health = ctr.state.health or {"Status": STARTING, "FailingStreak": 0, "Log": []}
    old = health.get("Status")
    health["Log"] = [*(health.get("Log") or []), result][-LOG_ENTRIES:]
    if result["ExitCode"] == 0:
        health["FailingStreak"] = 0
        health["Status"] = HEALTHY
    elif not (in_start_period and old == STARTING):
        # Failures in the start period do not count until a probe has once succeeded.
        health["FailingStreak"] = int(health.get("FailingStreak") or 0) + 1
        if health["FailingStreak"] >= _retries(ctr):
            health["Status"] = UNHEALTHY
    ctr.state.health = health
    # The daemon may be closing its database under us at shutdown; the next start probes again.
    with contextlib.suppress(sqlite3.ProgrammingError):
        rt.containers.save(ctr)
    if health["Status"] != old:
        rt.event(ctr, "health_status: " + health["Status"])
