"""`POST /containers/{id}/attach`: output from the log, stdin to conmon, detach keys."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Awaitable, Callable

import msgspec
from aiohttp import web

from native_runtime.api import decode
from native_runtime.api.app import Router, runtime
from native_runtime.api.containers import encode
from native_runtime.api.streams import Hijacked, hijack
from native_runtime.containers import attach as attach_verb
from native_runtime.containers import logs as logs_verb
from native_runtime.containers.logs import LogOptions
from native_runtime.containers.model import Container
from native_runtime.errors import BadParameter
from native_runtime.runtime import Runtime

DEFAULT_DETACH_KEYS = "ctrl-p,ctrl-q"


class AttachQuery(msgspec.Struct):
    stream: bool = True
    stdin: bool = False
    stdout: bool = False
    stderr: bool = False
    logs: bool = False
    detach_keys: str = msgspec.field(default="", name="detachKeys")


def parse_detach_keys(text: str) -> bytes:
    """Docker's notation: `ctrl-p,ctrl-q`, `ctrl-@`, or plain characters."""
    out = bytearray()
    for key in text.split(","):
        key = key.strip()
        if key.startswith("ctrl-") and len(key) == 6:
            out.append(ord(key[5].upper()) & 0x1F if key[5] != "@" else 0)
        elif len(key) == 1:
            out.append(ord(key))
        else:
            raise BadParameter(f"invalid detach keys: {text}")
    return bytes(out)


class DetachWatch:
    """Finds the detach sequence in client input, also when it is split across reads.

    As dockerd does, bytes that may begin the sequence are held back until it is
    complete (then dropped) or broken (then passed on), so a detach leaves no echo.
    """

    def __init__(self, keys: bytes) -> None:
        self.keys = keys
        self.held = b""
        self.seen = False
        self.ended = False

    async def next(self, read: Callable[[], Awaitable[bytes]]) -> bytes:
        """The next bytes to pass on; b"" once the client's input ended or it detached."""
        while not (self.seen or self.ended):
            raw = await read()
            if not raw:
                self.ended = True
                data, self.held = self.held, b""
                return data
            data = self.feed(raw)
            if data or self.seen:
                return data
        return b""

    def feed(self, chunk: bytes) -> bytes:
        """The bytes to pass on now: `chunk` less the sequence and what may begin it."""
        if not self.keys:
            return chunk
        data, self.held = self.held + chunk, b""
        at = data.find(self.keys)
        if at >= 0:
            self.seen = True
            return data[:at]
        for size in range(min(len(self.keys) - 1, len(data)), 0, -1):
            if self.keys.startswith(data[-size:]):
                self.held = data[-size:]
                return data[:-size]
        return data


async def _connect_when_running(rt: Runtime, ctr: Container) -> socket.socket | None:
    """The CLI attaches before it starts the container; conmon's socket comes later."""
    for _ in range(600):
        if ctr.running:
            sock = attach_verb.stdin_socket(rt, ctr)
            if sock is not None:
                sock.setblocking(False)
                return sock
        if ctr.id not in rt.containers.by_id:
            return None
        await asyncio.sleep(0.01)
    return None


async def _pump_stdin(
    conn: Hijacked, rt: Runtime, ctr: Container, detach_keys: bytes, detached: asyncio.Event
) -> None:
    """Client bytes go to the container's stdin until EOF or the detach sequence."""
    sock = None
    loop = asyncio.get_running_loop()
    watch = DetachWatch(detach_keys if ctr.tty else b"")
    try:
        while True:
            chunk = await watch.next(conn.read)
            if watch.seen:
                detached.set()
            if sock is None:
                sock = await _connect_when_running(rt, ctr)
                if sock is None:
                    return
            if not chunk:
                return
            await loop.sock_sendall(sock, chunk)
    finally:
        if sock is not None:
            sock.close()


async def _pump_output(conn: Hijacked, rt: Runtime, ctr: Container, streams: set[str]) -> None:
    with contextlib.suppress(ConnectionError):
        async for line in attach_verb.output(rt, ctr):
            if line.stream in streams or ctr.tty:
                await conn.write(encode(line, ctr.tty, False))


async def attach(request: web.Request) -> web.StreamResponse:
    rt = runtime(request)
    ctr = rt.containers.find(request.match_info["id"])
    query = decode.query(request, AttachQuery)
    want_stdin = query.stdin and bool(ctr.config.get("OpenStdin"))
    streams = {name for name, on in (("stdout", query.stdout), ("stderr", query.stderr)) if on}
    detach_keys = parse_detach_keys(query.detach_keys or DEFAULT_DETACH_KEYS)
    conn = await hijack(request)
    if query.logs:
        # `logs=1`: what the container printed so far comes first, as dockerd sends it.
        past = LogOptions(stdout=query.stdout, stderr=query.stderr)
        with contextlib.suppress(ConnectionError):
            async for line in logs_verb.stream(rt, ctr, past):
                await conn.write(encode(line, ctr.tty, False))
    detached = asyncio.Event()
    tasks = []
    if query.stream:
        tasks.append(asyncio.create_task(_pump_output(conn, rt, ctr, streams)))
    if want_stdin:
        tasks.append(asyncio.create_task(_pump_stdin(conn, rt, ctr, detach_keys, detached)))
    ending = [asyncio.create_task(detached.wait()), asyncio.create_task(conn.closed.wait())]
    if tasks:
        # Output ending (the container exited) ends the attach; stdin EOF does not.
        await asyncio.wait([tasks[0], *ending], return_when=asyncio.FIRST_COMPLETED)
    for task in tasks + ending:
        task.cancel()
    await conn.close()
    return conn.resp


def register(router: Router) -> None:
    router.add("POST", "/containers/{id}/attach", attach)
