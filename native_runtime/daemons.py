"""The host's native daemons: each one registers itself under /run/dockyard/daemons while it
serves, so `status` and `stop` find a daemon by its socket or its data root alike."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from native_runtime.control import alive
from native_runtime.paths import Paths

REGISTRY = Path("/run/dockyard/daemons")


@dataclass(frozen=True)
class RunningDaemon:
    """One registered daemon whose process is still ours."""

    pid: int
    socket: str
    data_root: str

    @property
    def paths(self) -> Paths:
        return Paths(Path(self.data_root), Path(self.socket))


def register(paths: Paths, registry: Path = REGISTRY) -> Path:
    """Record this process as the daemon serving `paths`; the file goes when it stops."""
    registry.mkdir(parents=True, exist_ok=True)
    entry = registry / f"{os.getpid()}.json"
    record = {"pid": os.getpid(), "socket": str(paths.socket), "data_root": str(paths.data_root)}
    partial = entry.with_suffix(".tmp")
    partial.write_text(json.dumps(record))
    partial.replace(entry)
    return entry


def unregister(entry: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        entry.unlink()


def is_daemon_process(pid: int) -> bool:
    """The process runs `python -m native_runtime daemon` (a reused pid runs something else)."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return False
    if "-m" not in argv:
        return False
    at = argv.index("-m")
    return argv[at + 1 : at + 3] == ["native_runtime", "daemon"]


def running(registry: Path = REGISTRY) -> list[RunningDaemon]:
    """Every registered daemon still running; entries of daemons that died are dropped."""
    found = []
    for entry in sorted(registry.glob("*.json")) if registry.is_dir() else ():
        try:
            record = json.loads(entry.read_text())
            daemon = RunningDaemon(
                int(record["pid"]), str(record["socket"]), str(record["data_root"])
            )
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if alive(daemon.pid) and is_daemon_process(daemon.pid):
            found.append(daemon)
        else:
            unregister(entry)  # killed without its cleanup: the record is stale
    return found


def find(
    socket_path: str | None, data_root: str | None, registry: Path = REGISTRY
) -> RunningDaemon | None:
    """The running daemon serving this socket or this data root, whichever was given."""
    want_socket = str(Path(socket_path).absolute()) if socket_path else None
    want_root = str(Path(data_root).absolute()) if data_root else None
    for daemon in running(registry):
        if daemon.socket == want_socket or daemon.data_root == want_root:
            return daemon
    return None


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self._path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


def container_count(socket_path: str, timeout: float = 2.0) -> int | None:
    """How many containers the daemon holds (all states); None when it does not answer."""
    connection = _UnixConnection(socket_path, timeout)
    try:
        connection.request("GET", "/containers/json?all=1")
        response = connection.getresponse()
        if response.status != 200:
            return None
        items = json.loads(response.read())
    except (OSError, ValueError, http.client.HTTPException):
        return None
    finally:
        connection.close()
    return len(items) if isinstance(items, list) else None
