"""Swarm models: frozen dataclasses for nodes, services, tasks, stacks, secrets, configs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from engine_adapters.models import EMPTY

STACK_LABEL = "com.docker.stack.namespace"
STACK_IMAGE_LABEL = "com.docker.stack.image"
ObjectKind = Literal["secret", "config"]


@dataclass(frozen=True, slots=True)
class SwarmNode:
    id: str
    hostname: str
    role: str  # "manager" or "worker"
    availability: str  # "active", "pause" or "drain"
    status: str  # "ready", "down", "unknown", "disconnected"
    address: str
    engine_version: str
    labels: Mapping[str, str] = EMPTY
    manager_reachability: str = ""  # "reachable", "unreachable"; "" on a worker
    leader: bool = False
    cpus: float = 0.0
    memory: int = 0  # bytes

    @property
    def is_manager(self) -> bool:
        return self.role == "manager"


@dataclass(frozen=True, slots=True)
class PublishedPort:
    target: int
    published: int | None = None
    protocol: str = "tcp"
    mode: str = "ingress"  # "ingress" (the routing mesh) or "host" (the task's own node)

    def __str__(self) -> str:
        host = "" if self.published is None else f"{self.published}->"
        suffix = "" if self.mode == "ingress" else f" ({self.mode})"
        return f"{host}{self.target}/{self.protocol}{suffix}"


@dataclass(frozen=True, slots=True)
class UpdateStatus:
    """A rolling update's or rollback's state: updating, paused, completed, rollback_started,
    rollback_paused, rollback_completed."""

    state: str
    message: str = ""
    started: datetime | None = None
    completed: datetime | None = None

    @property
    def in_progress(self) -> bool:
        return self.state in ("updating", "rollback_started")


@dataclass(frozen=True, slots=True)
class SwarmService:
    id: str
    name: str
    mode: str  # "replicated" or "global"
    image: str
    running: int
    desired: int
    ports: tuple[PublishedPort, ...] = ()
    constraints: tuple[str, ...] = ()
    endpoint_mode: str = "vip"
    labels: Mapping[str, str] = EMPTY
    update_status: UpdateStatus | None = None
    networks: tuple[str, ...] = ()  # network ids
    version: int = 0
    created: datetime | None = None
    updated: datetime | None = None

    @property
    def stack(self) -> str | None:
        return self.labels.get(STACK_LABEL)

    @property
    def replicas_text(self) -> str:
        return f"{self.running}/{self.desired}"


@dataclass(frozen=True, slots=True)
class TaskAddress:
    """A task's endpoint on a network: the network and the address the task has there."""

    network_id: str
    network: str
    address: str = ""  # without the prefix length


@dataclass(frozen=True, slots=True)
class SwarmTask:
    id: str
    service_id: str
    service_name: str
    slot: int | None  # None for a global service's tasks (one per node)
    node_id: str
    node_hostname: str
    state: str  # Docker's current state: new, pending, preparing, running, failed, ...
    desired_state: str  # running, shutdown, ...
    image: str
    error: str = ""
    message: str = ""
    container_id: str = ""
    updated: datetime | None = None
    networks: tuple[TaskAddress, ...] = ()

    @property
    def name(self) -> str:
        """The docker CLI's task name: `<service>.<slot>` or `<service>.<node id>`."""
        return f"{self.service_name}.{self.slot if self.slot is not None else self.node_id}"


@dataclass(frozen=True, slots=True)
class SwarmStack:
    name: str
    services: int
    running: int = 0  # services with every desired replica running
    networks: int = 0


@dataclass(frozen=True, slots=True)
class SwarmObject:
    """A secret or a config: names, labels and dates only; their data is never read."""

    id: str
    name: str
    kind: ObjectKind
    labels: Mapping[str, str] = EMPTY
    created: datetime | None = None
    updated: datetime | None = None


@dataclass(frozen=True, slots=True)
class OverlayNetwork:
    id: str
    name: str
    scope: str
    attachable: bool
    ingress: bool
    subnet: str = ""
    labels: Mapping[str, str] = EMPTY
    nodes: tuple[str, ...] = ()  # hostnames of the nodes that run a task on it


@dataclass(frozen=True, slots=True)
class ServiceLogLine:
    """One line of a service's merged logs, with the task and node it came from."""

    stream: str
    text: str
    task_id: str
    node_id: str
    timestamp: datetime | None = None
    task_name: str = ""
    node_hostname: str = ""


@dataclass(frozen=True, slots=True)
class RollingProgress:
    """A snapshot of a rolling update as a caller polls it: how many tasks run the new spec."""

    service: str
    updated: int
    desired: int
    status: UpdateStatus | None

    @property
    def done(self) -> bool:
        if self.status is None:
            return self.updated >= self.desired
        return self.status.state in ("completed", "rollback_completed", "paused", "rollback_paused")
