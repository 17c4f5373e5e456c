"""The embedded DNS's door in a sandbox: sockets on 127.0.0.11 and a redirect from port 53."""

# Nothing listens on a host port 53 (a host resolver holding 0.0.0.0:53 would clash with
# it): the daemon opens a UDP and a TCP socket on random ports of 127.0.0.11 inside each
# sandbox, and a DNAT rule in the sandbox's own nat table sends 127.0.0.11:53 there, as
# dockerd does. A socket stays in the namespace it was created in, so a worker thread
# enters the sandbox just long enough to create them, and the daemon's loop serves them.

from __future__ import annotations

import socket
import subprocess

from native_runtime.network import netlink
from native_runtime.network.errors import NetworkSetupError

EMBEDDED_DNS = "127.0.0.11"
CHAIN = "DOCKYARD-DNS"
_JUMP = ["OUTPUT", "-d", f"{EMBEDDED_DNS}/32", "-j", CHAIN]


def render_redirect(udp_port: int, tcp_port: int, *, with_jump: bool) -> str:
    """iptables-restore input: our chain refilled, and (once per sandbox) the jump to it."""
    lines = ["*nat", f":{CHAIN} - [0:0]"]
    for proto, port in (("udp", udp_port), ("tcp", tcp_port)):
        lines.append(
            f"-A {CHAIN} -d {EMBEDDED_DNS}/32 -p {proto} -m {proto} --dport 53"
            f" -j DNAT --to-destination {EMBEDDED_DNS}:{port}"
        )
    if with_jump:
        lines.append("-A " + " ".join(_JUMP))
    lines.append("COMMIT")
    return "\n".join(lines) + "\n"


def _run(args: list[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, input=stdin, capture_output=True, text=True, check=False)


def open_door(netns_path: str, *, fresh: bool) -> tuple[socket.socket, socket.socket]:
    """Blocking: (udp, tcp) sockets inside `netns_path`, with 127.0.0.11:53 leading to them.

    `fresh` says the namespace was just made, so it cannot hold our jump yet; otherwise
    (a live connect, a daemon restart) the jump is looked for first, not added twice.
    Children spawned here inherit this thread's namespace, so iptables acts inside it.
    """
    # A socket belongs to the namespace it is created in (binding later changes nothing).
    with netlink.inside(netns_path):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            udp.bind((EMBEDDED_DNS, 0))
            tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            tcp.bind((EMBEDDED_DNS, 0))
            tcp.listen(64)
            udp.setblocking(False)
            tcp.setblocking(False)
            missing = fresh or _run(["iptables", "-w", "-t", "nat", "-C", *_JUMP]).returncode != 0
            text = render_redirect(udp.getsockname()[1], tcp.getsockname()[1], with_jump=missing)
            done = _run(["iptables-restore", "-w", "--noflush"], text)
            if done.returncode != 0:
                raise NetworkSetupError(f"DNS redirect in {netns_path}: {done.stderr.strip()}")
        except BaseException:
            udp.close()
            tcp.close()
            raise
    return udp, tcp
