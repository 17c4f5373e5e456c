"""The embedded DNS of one sandbox: it serves the sockets `nsdoor` opens inside it."""

# The querier is the sandbox the sockets live in, never a source address: names on that
# container's user-defined networks are answered here; anything else is forwarded, from
# the host's namespace, to its `--dns` servers or the host's resolvers, with a timeout,
# and a resolver that never answers gives SERVFAIL.

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import struct
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, cast

from native_runtime.network import dnswire

DNS_PORT = 53
FORWARD_TIMEOUT = 2.0
log = logging.getLogger("native_runtime.network.dns")

# lowercased name -> addresses, or None when the name is not the querier's to know.
Lookup = Callable[[str], list[str] | None]
# The resolvers the querier's other names go to (none: SERVFAIL, as on internal networks).
Upstreams = Callable[[], list[tuple[str, int]]]


def host_resolvers(resolv_conf: Path = Path("/etc/resolv.conf")) -> list[tuple[str, int]]:
    try:
        text = resolv_conf.read_text()
    except OSError:
        return []
    out: list[tuple[str, int]] = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] == "nameserver" and ":" not in parts[1]:
            out.append((parts[1], DNS_PORT))
    return out


class _Forwarder(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.reply: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()

    def datagram_received(self, data: bytes, addr: tuple[str | int, int]) -> None:
        if not self.reply.done():
            self.reply.set_result(data)

    def error_received(self, exc: Exception) -> None:
        # ICMP port unreachable: nobody listens there, try the next resolver at once.
        if not self.reply.done():
            self.reply.set_exception(exc)


async def forward(query: bytes, upstreams: list[tuple[str, int]], timeout: float) -> bytes | None:
    """Ask each upstream in turn; the first reply wins."""
    loop = asyncio.get_running_loop()
    for host, port in upstreams:
        try:
            transport, proto = await loop.create_datagram_endpoint(
                _Forwarder, remote_addr=(host, port)
            )
        except OSError:
            continue
        try:
            transport.sendto(query)
            return await asyncio.wait_for(proto.reply, timeout)
        except (TimeoutError, OSError):
            continue
        finally:
            transport.close()
    return None


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, server: SandboxDns) -> None:
        self.server = server
        self.transport: asyncio.DatagramTransport | None = None
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # Python 3.11's selector datagram transport does not subclass DatagramTransport.
        self.transport = cast(asyncio.DatagramTransport, transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)

    def datagram_received(self, data: bytes, addr: tuple[str | int, int]) -> None:
        self.server.spawn(self._reply(data, addr))

    async def _reply(self, data: bytes, addr: tuple[str | int, int]) -> None:
        reply = await self.server.handle(data)
        if reply is not None and self.transport is not None and not self.transport.is_closing():
            self.transport.sendto(reply, addr)


class SandboxDns:
    """Serves one sandbox's UDP and TCP sockets, answering through `lookup`."""

    def __init__(
        self, lookup: Lookup, upstreams: Upstreams, *, timeout: float = FORWARD_TIMEOUT
    ) -> None:
        self.lookup = lookup
        self.upstreams = upstreams
        self.timeout = timeout
        self._udp: asyncio.DatagramTransport | None = None
        self._udp_closed: asyncio.Future[None] | None = None
        self._tcp: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def start(self, udp: socket.socket, tcp: socket.socket) -> None:
        """Take over both sockets (closed by `stop`, or here if serving them fails)."""
        loop = asyncio.get_running_loop()
        try:
            transport, proto = await loop.create_datagram_endpoint(lambda: _Udp(self), sock=udp)
        except BaseException:
            udp.close()
            tcp.close()
            raise
        self._udp, self._udp_closed = transport, proto.closed
        try:
            self._tcp = await asyncio.start_server(self._serve_tcp, sock=tcp)
        except BaseException:
            transport.close()
            tcp.close()
            raise

    async def stop(self) -> None:
        """Close both sockets; on return the kernel no longer has them."""
        if self._udp is not None:
            self._udp.close()
            # The transport closes its socket on a later loop turn; a caller that checks
            # (or re-opens) right after must not see it still bound.
            if self._udp_closed is not None:
                await self._udp_closed
        if self._tcp is not None:
            self._tcp.close()
            with contextlib.suppress(Exception):
                await self._tcp.wait_closed()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def handle(self, query: bytes) -> bytes | None:
        try:
            q = dnswire.parse_query(query)
        except ValueError:
            return None  # not worth an answer: garbage or a reply
        ips = self.lookup(q.name.rstrip("."))
        if ips is not None:
            return dnswire.answer(query, q, ips)
        upstreams = self.upstreams()
        if not upstreams:
            return dnswire.error(query, q, dnswire.RCODE_SERVFAIL)
        reply = await forward(query, upstreams, self.timeout)
        return reply if reply is not None else dnswire.error(query, q, dnswire.RCODE_SERVFAIL)

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                size = struct.unpack("!H", await reader.readexactly(2))[0]
                reply = await self.handle(await reader.readexactly(size))
                if reply is None:
                    break
                writer.write(struct.pack("!H", len(reply)) + reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
