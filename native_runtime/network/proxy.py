"""The userland port proxy: serves published ports to the host itself, 127.0.0.1 included."""

# DNAT rules cannot catch connections to 127.0.0.1 (the kernel will not route loopback
# traffic out of the host), so, like docker-proxy, we listen on the host port and relay.
# Binding it first also reserves the port: a taken port fails here, before anything else.

from __future__ import annotations

import asyncio
import contextlib
import errno
from collections.abc import Coroutine
from typing import Any, cast

from native_runtime.network.errors import PortAllocated

UDP_IDLE = 90.0


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
    except (ConnectionError, OSError):
        writer.close()


class _UdpBack(asyncio.DatagramProtocol):
    """One per client: replies from the container go back to that client."""

    def __init__(self, front: _UdpFront, client: tuple[str | int, int]) -> None:
        self.front = front
        self.client = client

    def datagram_received(self, data: bytes, addr: tuple[str | int, int]) -> None:
        self.front.reply(data, self.client)


class _UdpFront(asyncio.DatagramProtocol):
    def __init__(self, proxy: PortProxy) -> None:
        self.proxy = proxy
        self.transport: asyncio.DatagramTransport | None = None
        self.clients: dict[tuple[str | int, int], asyncio.DatagramTransport] = {}
        self.timers: dict[tuple[str | int, int], asyncio.TimerHandle] = {}

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # Python 3.11's selector datagram transport does not subclass DatagramTransport.
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | int, int]) -> None:
        back = self.clients.get(addr)
        if back is not None:
            back.sendto(data)
            self._touch(addr)
            return
        self.proxy.spawn(self._open(data, addr))

    async def _open(self, data: bytes, addr: tuple[str | int, int]) -> None:
        loop = asyncio.get_running_loop()
        back, _ = await loop.create_datagram_endpoint(
            lambda: _UdpBack(self, addr),
            remote_addr=(self.proxy.target_ip, self.proxy.target_port),
        )
        self.clients[addr] = back
        back.sendto(data)
        self._touch(addr)

    def _touch(self, addr: tuple[str | int, int]) -> None:
        if timer := self.timers.pop(addr, None):
            timer.cancel()
        loop = asyncio.get_running_loop()
        self.timers[addr] = loop.call_later(UDP_IDLE, self._expire, addr)

    def _expire(self, addr: tuple[str | int, int]) -> None:
        self.timers.pop(addr, None)
        if back := self.clients.pop(addr, None):
            back.close()

    def reply(self, data: bytes, client: tuple[str | int, int]) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.sendto(data, client)

    def close(self) -> None:
        for timer in self.timers.values():
            timer.cancel()
        for back in self.clients.values():
            back.close()
        self.clients.clear()
        if self.transport is not None:
            self.transport.close()


class PortProxy:
    """Relay `host_ip:host_port` (tcp or udp) to `target_ip:target_port`.

    `start()` binds and returns the bound port (useful when `host_port` is 0), raising
    PortAllocated when the port is taken; `stop()` closes the listener and every relay.
    """

    def __init__(
        self, proto: str, host_ip: str, host_port: int, target_ip: str, target_port: int
    ) -> None:
        self.proto = proto
        self.host_ip = host_ip or "0.0.0.0"
        self.host_port = host_port
        self.target_ip = target_ip
        self.target_port = target_port
        self._server: asyncio.Server | None = None
        self._udp: _UdpFront | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def start(self) -> int:
        try:
            if self.proto == "udp":
                loop = asyncio.get_running_loop()
                transport, proto = await loop.create_datagram_endpoint(
                    lambda: _UdpFront(self), local_addr=(self.host_ip, self.host_port)
                )
                self._udp = proto
                sockname = transport.get_extra_info("sockname")
            else:
                self._server = await asyncio.start_server(
                    self._serve, self.host_ip, self.host_port, reuse_address=True
                )
                sockname = self._server.sockets[0].getsockname()
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                raise PortAllocated(
                    f"Bind for {self.host_ip}:{self.host_port} failed: port is already allocated"
                ) from exc
            raise PortAllocated(f"Bind for {self.host_ip}:{self.host_port} failed: {exc}") from exc
        self.host_port = int(sockname[1])
        return self.host_port

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            up_reader, up_writer = await asyncio.open_connection(self.target_ip, self.target_port)
        except OSError:
            writer.close()
            self._writers.discard(writer)
            return
        self._writers.add(up_writer)
        try:
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        finally:
            for w in (writer, up_writer):
                w.close()
                self._writers.discard(w)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        if self._udp is not None:
            self._udp.close()
        for writer in list(self._writers):
            writer.close()
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
