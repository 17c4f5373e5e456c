"""Small synchronous helpers a CLI can call: is the daemon up, and stop it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass

from native_runtime.paths import Paths


@dataclass(frozen=True)
class DaemonStatus:
    """What `status` reports: the pid from the pidfile and whether the socket answers."""

    pid: int | None
    answering: bool
    socket: str
    data_root: str


def alive(pid: int) -> bool:
    """True while the process runs; a zombie (exited, not yet reaped) counts as gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            state = stat.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def read_pid(paths: Paths) -> int | None:
    try:
        pid = int(paths.pidfile.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if alive(pid) else None


def ping(paths: Paths, timeout: float = 1.0) -> bool:
    """GET /_ping over the unix socket without any HTTP library."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(str(paths.socket))
            sock.sendall(b"GET /_ping HTTP/1.1\r\nHost: dockyard\r\nConnection: close\r\n\r\n")
            reply = b""
            while chunk := sock.recv(4096):
                reply += chunk
    except OSError:
        return False
    return reply.startswith(b"HTTP/1.1 200") and reply.endswith(b"OK")


def status(paths: Paths) -> DaemonStatus:
    return DaemonStatus(read_pid(paths), ping(paths), str(paths.socket), str(paths.data_root))


def start_detached(paths: Paths, timeout: float = 20.0) -> DaemonStatus:
    """Start the daemon in its own session, logging to `<data root>/daemon.log`.

    Returns once /_ping answers; a daemon already answering is left alone.
    """
    if ping(paths):
        return status(paths)
    paths.data_root.mkdir(parents=True, exist_ok=True)
    with open(paths.data_root / "daemon.log", "ab") as log:
        subprocess.Popen(
            [sys.executable, "-m", "native_runtime", "daemon",
             "--data-root", str(paths.data_root), "--socket", str(paths.socket)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ping(paths):
            return status(paths)
        time.sleep(0.05)
    raise TimeoutError(f"the native daemon did not answer on {paths.socket}; see daemon.log")


def stop(paths: Paths, timeout: float = 10.0) -> bool:
    """SIGTERM the daemon and wait for it to go; False if none was running."""
    pid = read_pid(paths)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive(pid):
        time.sleep(0.05)
    return True
