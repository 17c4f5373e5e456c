"""The container record, its states, and the guards checked before each verb."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from native_runtime.errors import Conflict, NotModified

CREATED = "created"
RUNNING = "running"
PAUSED = "paused"
RESTARTING = "restarting"
REMOVING = "removing"
EXITED = "exited"
DEAD = "dead"

ZERO_TIME = "0001-01-01T00:00:00Z"


@dataclass
class State:
    """The mutable runtime state, stored as JSON beside the container's config."""

    status: str = CREATED
    pid: int = 0
    conmon_pid: int = 0
    exit_code: int = 0
    error: str = ""
    oom_killed: bool = False
    started_at: str = ZERO_TIME
    finished_at: str = ZERO_TIME
    restart_count: int = 0
    stopped_by_user: bool = False
    # Docker's State.Health ({Status, FailingStreak, Log}); None without a healthcheck.
    health: dict[str, Any] | None = None


@dataclass
class Container:
    """Everything the daemon knows about one container."""

    id: str
    name: str
    image_id: str
    image: str
    created: str
    config: dict[str, Any]
    host_config: dict[str, Any]
    state: State = field(default_factory=State)
    mounts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def short_id(self) -> str:
        return self.id[:12]

    @property
    def running(self) -> bool:
        return self.state.status in (RUNNING, PAUSED)

    @property
    def tty(self) -> bool:
        return bool(self.config.get("Tty"))

    def to_doc(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Container:
        state = State(**doc.pop("state"))
        return cls(state=state, **doc)


@dataclass(frozen=True)
class ContainerDirs:
    """Where one container's bundle, rootfs, overlay dirs and log live."""

    root: Path

    @property
    def bundle(self) -> Path:
        return self.root / "bundle"

    @property
    def rootfs(self) -> Path:
        return self.bundle / "rootfs"

    @property
    def upper(self) -> Path:
        return self.root / "upper"

    @property
    def work(self) -> Path:
        return self.root / "work"

    @property
    def log(self) -> Path:
        return self.root / "ctr.log"

    @property
    def conmon_pid(self) -> Path:
        return self.root / "conmon.pid"

    @property
    def etc(self) -> Path:
        return self.root / "etc"


def can_start(ctr: Container) -> None:
    if ctr.state.status in (RUNNING,):
        raise NotModified("container already started")
    if ctr.state.status == PAUSED:
        raise Conflict(f"cannot start a paused container {ctr.name}, try unpause instead")
    if ctr.state.status == REMOVING:
        raise Conflict(f"container {ctr.name} is marked for removal and cannot be started")


def can_stop(ctr: Container) -> None:
    if not ctr.running:
        raise NotModified("container already stopped")


def can_kill(ctr: Container) -> None:
    if not ctr.running:
        raise Conflict(f"Container {ctr.id} is not running")


def can_pause(ctr: Container) -> None:
    if ctr.state.status == PAUSED:
        raise Conflict(f"Container {ctr.id} is already paused")
    if not ctr.running:
        raise Conflict(f"Container {ctr.id} is not running")


def can_resize(ctr: Container) -> None:
    # A paused container still has its conmon and pty, and dockerd resizes it too.
    if not ctr.running:
        raise Conflict(f"Container {ctr.id} is not running")


def can_unpause(ctr: Container) -> None:
    if ctr.state.status != PAUSED:
        raise Conflict(f"Container {ctr.id} is not paused")


def can_remove(ctr: Container, force: bool) -> None:
    if ctr.state.status == PAUSED and not force:
        raise Conflict(
            f"You cannot remove a paused container {ctr.id}. "
            "Unpause and then stop the container before attempting removal or force remove"
        )
    if ctr.running and not force:
        raise Conflict(
            f"You cannot remove a running container {ctr.id}. "
            "Stop the container before attempting removal or force remove"
        )
    if ctr.state.status == REMOVING and not force:
        raise Conflict(f"removal of container {ctr.id} is already in progress")
    if ctr.state.status == RESTARTING and not force:
        raise Conflict(
            f"You cannot remove a restarting container {ctr.id}. "
            "Stop the container before attempting removal or force remove"
        )


def can_exec(ctr: Container) -> None:
    if ctr.state.status == PAUSED:
        raise Conflict(f"Container {ctr.id} is paused, unpause the container before exec")
    if ctr.state.status != RUNNING:
        raise Conflict(f"Container {ctr.id} is not running")
