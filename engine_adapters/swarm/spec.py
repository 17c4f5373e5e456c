"""What a caller asks a swarm to run: a service's spec, independent of the engine's wire format."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from engine_adapters.models import EMPTY
from engine_adapters.swarm.models import PublishedPort


@dataclass(frozen=True, slots=True)
class UpdatePolicy:
    """`deploy.update_config` / `rollback_config`: how many tasks at a time, and what then."""

    parallelism: int = 1
    delay: float = 0.0  # seconds between batches
    failure_action: str = "pause"  # pause, continue, rollback (update only)
    monitor: float = 5.0  # seconds a new task must run before it counts as updated
    max_failure_ratio: float = 0.0
    order: str = "stop-first"  # or start-first


@dataclass(frozen=True, slots=True)
class RestartPolicy:
    condition: str = "any"  # none, on-failure, any
    delay: float = 5.0
    max_attempts: int = 0  # 0: no limit
    window: float = 0.0


@dataclass(frozen=True, slots=True)
class Resources:
    """CPUs as a fraction of cores, memory in bytes; 0 means no limit or no reservation."""

    cpus_limit: float = 0.0
    memory_limit: int = 0
    cpus_reservation: float = 0.0
    memory_reservation: int = 0


@dataclass(frozen=True, slots=True)
class ServiceMount:
    type: str  # volume or bind
    target: str
    source: str = ""
    read_only: bool = False


@dataclass(frozen=True, slots=True)
class ServiceNetworkRef:
    name: str  # the network's name on the engine
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FileGrant:
    """A secret or config a service's tasks read as a file (the data stays on the swarm)."""

    name: str  # the secret's or config's name on the swarm
    target: str  # a secret's file under /run/secrets/ (or an absolute path); a config's path
    uid: str = "0"
    gid: str = "0"
    mode: int = 0o444


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    name: str
    image: str
    command: tuple[str, ...] | None = None  # replaces the image's entrypoint
    args: tuple[str, ...] | None = None  # replaces the image's CMD
    env: Mapping[str, str] = EMPTY
    labels: Mapping[str, str] = EMPTY  # on the service
    container_labels: Mapping[str, str] = EMPTY  # on each task's container
    mode: str = "replicated"  # or global
    replicas: int = 1
    networks: tuple[ServiceNetworkRef, ...] = ()
    ports: tuple[PublishedPort, ...] = ()
    endpoint_mode: str = "vip"  # or dnsrr
    constraints: tuple[str, ...] = ()
    preferences: tuple[str, ...] = ()  # spread descriptors, e.g. node.labels.zone
    max_replicas_per_node: int = 0
    resources: Resources | None = None
    restart_policy: RestartPolicy | None = None
    update_config: UpdatePolicy | None = None
    rollback_config: UpdatePolicy | None = None
    mounts: tuple[ServiceMount, ...] = ()
    hostname: str | None = None
    workdir: str | None = None
    user: str | None = None
    tty: bool = False
    open_stdin: bool = False
    stop_grace_period: float | None = None
    secrets: tuple[FileGrant, ...] = ()
    configs: tuple[FileGrant, ...] = ()
