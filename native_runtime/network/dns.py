"""The embedded DNS server of a user-defined network, bound to its gateway address."""

# Names known on the querier's networks are answered here; anything else is forwarded to
# the host's resolvers, with a timeout, and a resolver that never answers gives SERVFAIL.

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, cast

from native_runtime.network import dnswire

DNS_PORT = 53
FORWARD_TIMEOUT = 2.0
log = logging.getLogger("native_runtime.network.dns")

# (source IP of the query, lowercased name) -> addresses, or None when the name is not ours.
Lookup = Callable[[str, str], list[str] | None]
# source IP of the query -> the resolvers its other names go to (a container's `--dns`).
Upstreams = Callable[[str], list[tuple[str, int]]]


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
    def __init__(self, server: NetworkDns) -> None:
        self.server = server
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # Python 3.11's selector datagram transport does not subclass DatagramTransport.
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | int, int]) -> None:
        self.server.spawn(self._reply(data, addr))

    async def _reply(self, data: bytes, addr: tuple[str | int, int]) -> None:
        reply = await self.server.handle(data, str(addr[0]))
        if reply is not None and self.transport is not None and not self.transport.is_closing():
            self.transport.sendto(reply, addr)


class NetworkDns:
    """UDP and TCP listeners on `address`:53 answering through `lookup`."""

    def __init__(
        self,
        address: str,
        lookup: Lookup,
        upstreams: list[tuple[str, int]] | Upstreams,
        *,
        forward_queries: bool = True,
        port: int = DNS_PORT,
        timeout: float = FORWARD_TIMEOUT,
    ) -> None:
        self.address = address
        self.port = port
        self.lookup = lookup
        self.upstreams = upstreams
        self.forward_queries = forward_queries
        self.timeout = timeout
        self._udp: asyncio.DatagramTransport | None = None
        self._tcp: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _Udp(self), local_addr=(self.address, self.port)
        )
        self._udp = transport
        try:
            self._tcp = await asyncio.start_server(
                self._serve_tcp, self.address, self.port, reuse_address=True
            )
        except BaseException:
            transport.close()
            raise

    async def stop(self) -> None:
        if self._udp is not None:
            self._udp.close()
        if self._tcp is not None:
            self._tcp.close()
            with contextlib.suppress(Exception):
                await self._tcp.wait_closed()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def handle(self, query: bytes, source: str) -> bytes | None:
        try:
            q = dnswire.parse_query(query)
        except ValueError:
            return None  # not worth an answer: garbage or a reply
        ips = self.lookup(source, q.name.rstrip("."))
        if ips is not None:
            return dnswire.answer(query, q, ips)
        upstreams = self.upstreams(source) if callable(self.upstreams) else self.upstreams
        if not self.forward_queries or not upstreams:
            return dnswire.error(query, q, dnswire.RCODE_SERVFAIL)
        reply = await forward(query, upstreams, self.timeout)
        return reply if reply is not None else dnswire.error(query, q, dnswire.RCODE_SERVFAIL)

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        source = str(peer[0]) if peer else ""
        try:
            while True:
                size = struct.unpack("!H", await reader.readexactly(2))[0]
                reply = await self.handle(await reader.readexactly(size), source)
                if reply is None:
                    break
                writer.write(struct.pack("!H", len(reply)) + reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
