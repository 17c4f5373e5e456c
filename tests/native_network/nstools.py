"""Running commands inside the test's network namespaces, without blocking the event loop."""

# The engine under test (its DNS servers, its port proxies) runs on the test's own loop,
# so every probe from a namespace is an asyncio subprocess.

from __future__ import annotations

import asyncio
import ipaddress
import socket
import subprocess
import sys
from pathlib import Path

from native_runtime.network import ipam, netlink

REPO = Path(__file__).resolve().parents[2]

DNS_CLIENT = """
import socket, struct, sys
from native_runtime.network import dnswire
server, name, proto = sys.argv[1], sys.argv[2], sys.argv[3]
query = dnswire.build_query(0x1234, name)
if proto == "tcp":
    s = socket.create_connection((server, 53), timeout=5)
    s.sendall(struct.pack("!H", len(query)) + query)
    size = struct.unpack("!H", s.recv(2))[0]
    data = b""
    while len(data) < size:
        data += s.recv(size - len(data))
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    s.sendto(query, (server, 53))
    data = s.recv(4096)
rcode, ips = dnswire.parse_answer(data)
print(rcode, ",".join(ips))
"""

TCP_SERVER = """
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1])))
s.listen(16)
print("ready", flush=True)
while True:
    c, addr = s.accept()
    c.sendall(("hello from " + sys.argv[2] + " to " + addr[0] + "\\n").encode())
    c.close()
"""

UDP_SERVER = """
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[1])))
print("ready", flush=True)
while True:
    data, addr = s.recvfrom(2048)
    s.sendto(b"pong:" + data, addr)
"""

TCP_CLIENT = """
import socket, sys
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
print(c.recv(200).decode().strip())
"""


async def ns_run(netns: str, *cmd: str, timeout: float = 15) -> tuple[int, str]:
    """Run `cmd` inside `netns`; (exit code, stdout+stderr)."""
    proc = await asyncio.create_subprocess_exec(
        "nsenter",
        f"--net={netns}",
        *cmd,
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), timeout)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return -1, "timeout"
    return proc.returncode or 0, out.decode(errors="replace")


async def ping(netns: str, ip: str) -> bool:
    code, _ = await ns_run(netns, "busybox", "ping", "-c1", "-W1", ip)
    return code == 0


async def dns_query(
    netns: str, server: str, name: str, proto: str = "udp"
) -> tuple[int, list[str]]:
    code, out = await ns_run(netns, sys.executable, "-c", DNS_CLIENT, server, name, proto)
    assert code == 0, out
    rcode, _, ips = out.strip().partition(" ")
    return int(rcode), [ip for ip in ips.split(",") if ip]


async def tcp_fetch_from(netns: str, host: str, port: int) -> str:
    code, out = await ns_run(netns, sys.executable, "-c", TCP_CLIENT, host, str(port))
    return out.strip() if code == 0 else f"failed: {out.strip()}"


class NsServer:
    """A listener started inside a namespace; `stop()` kills it by its own pid."""

    def __init__(self, netns: str, script: str, *args: str) -> None:
        self.argv = ["nsenter", f"--net={netns}", sys.executable, "-c", script, *args]
        self.proc: subprocess.Popen[str] | None = None

    async def start(self) -> NsServer:
        self.proc = subprocess.Popen(
            self.argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert self.proc.stdout is not None
        line = await asyncio.to_thread(self.proc.stdout.readline)
        assert line.strip() == "ready", line
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


async def tcp_fetch(host: str, port: int) -> str:
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 5)
    try:
        return (await asyncio.wait_for(reader.readline(), 5)).decode().strip()
    finally:
        writer.close()


async def udp_exchange(host: str, port: int, payload: bytes) -> bytes:
    loop = asyncio.get_running_loop()
    got: asyncio.Future[bytes] = loop.create_future()

    class Client(asyncio.DatagramProtocol):
        def datagram_received(self, data: bytes, addr: tuple[str | int, int]) -> None:
            if not got.done():
                got.set_result(data)

    transport, _ = await loop.create_datagram_endpoint(Client, remote_addr=(host, port))
    try:
        transport.sendto(payload)
        return await asyncio.wait_for(got, 5)
    finally:
        transport.close()


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("0.0.0.0", 0))
        return int(s.getsockname()[1])


def host_ip() -> str:
    """The host's address on its default-route interface (a non-loopback local address)."""
    out = subprocess.run(
        ["ip", "-4", "-o", "route", "show", "default"], capture_output=True, text=True
    ).stdout.split()
    dev = out[out.index("dev") + 1]
    addrs = subprocess.run(
        ["ip", "-4", "-o", "addr", "show", "dev", dev], capture_output=True, text=True
    ).stdout.split()
    return addrs[addrs.index("inet") + 1].split("/")[0]


def iptables_lines(*args: str) -> list[str]:
    return subprocess.run(
        ["iptables", "-w", *args], capture_output=True, text=True
    ).stdout.splitlines()


def link_names() -> list[str]:
    out = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True).stdout
    return [line.split(":")[1].strip().split("@")[0] for line in out.splitlines()]


UDP_CLIENT = """
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.sendto(sys.argv[3].encode(), (sys.argv[1], int(sys.argv[2])))
print(s.recv(200).decode())
"""


async def udp_exchange_from(netns: str, host: str, port: int, payload: str) -> str:
    code, out = await ns_run(netns, sys.executable, "-c", UDP_CLIENT, host, str(port), payload)
    return out.strip() if code == 0 else f"failed: {out.strip()}"


async def free_subnet(pool: str) -> ipaddress.IPv4Network:
    """A /24 of `pool` that nothing on the host uses now (other suites share this host)."""
    host = await asyncio.to_thread(netlink.host_networks)
    return ipam.pick_subnet(host, pools=(pool,))
