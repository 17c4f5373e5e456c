"""An exec session's record and the `docker exec` create verb."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from native_runtime.containers.model import Container, can_exec
from native_runtime.containers.winsize import WindowSizer
from native_runtime.errors import BadParameter, NotFound

if TYPE_CHECKING:
    from native_runtime.runtime import Runtime


@dataclass
class ExecSession:
    """Lives in memory only: an exec does not survive the daemon, as in Docker."""

    id: str
    container_id: str
    config: dict[str, Any]
    running: bool = False
    exit_code: int | None = None
    pid: int = 0
    # -t only: sizes asked for; they reach conmon's FIFO while the command runs.
    winsize: WindowSizer = field(default_factory=WindowSizer)

    @property
    def tty(self) -> bool:
        return bool(self.config.get("Tty"))


class ExecRegistry:
    """Exec sessions by id, kept while their container exists."""

    def __init__(self) -> None:
        self.sessions: dict[str, ExecSession] = {}

    def get(self, exec_id: str) -> ExecSession:
        try:
            return self.sessions[exec_id]
        except KeyError:
            raise NotFound(f"No such exec instance: {exec_id}") from None

    def forget_container(self, container_id: str) -> None:
        for exec_id in [k for k, s in self.sessions.items() if s.container_id == container_id]:
            del self.sessions[exec_id]


def create(
    rt: Runtime, registry: ExecRegistry, ctr: Container, body: dict[str, Any]
) -> ExecSession:
    can_exec(ctr)
    cmd = body.get("Cmd") or []
    if not cmd or not all(isinstance(c, str) for c in cmd):
        raise BadParameter("No exec command specified")
    session = ExecSession(secrets.token_hex(32), ctr.id, body)
    registry.sessions[session.id] = session
    rt.event(ctr, "exec_create: " + " ".join(cmd), execID=session.id)
    return session


def inspect(session: ExecSession) -> dict[str, Any]:
    cmd = list(session.config.get("Cmd") or [])
    return {
        "ID": session.id,
        "Running": session.running,
        "ExitCode": session.exit_code,
        "ProcessConfig": {
            "tty": session.tty,
            "entrypoint": cmd[0] if cmd else "",
            "arguments": cmd[1:],
            "privileged": bool(session.config.get("Privileged")),
            "user": session.config.get("User") or "",
        },
        "OpenStdin": bool(session.config.get("AttachStdin")),
        "OpenStderr": bool(session.config.get("AttachStderr")),
        "OpenStdout": bool(session.config.get("AttachStdout")),
        "CanRemove": False,
        "ContainerID": session.container_id,
        "DetachKeys": "",
        "Pid": session.pid,
    }
