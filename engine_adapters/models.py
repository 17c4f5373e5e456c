"""Frozen dataclasses that cross from the engine layer into the UI: never SDK objects."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Literal


class Labels(Mapping[str, str]):
    """A read-only, hashable string mapping, so models holding labels stay frozen and hashable."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        self._items = dict(items)

    def __getitem__(self, key: str) -> str:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(frozenset(self._items.items()))

    def __repr__(self) -> str:
        return f"Labels({self._items!r})"


EMPTY: Mapping[str, str] = Labels()

COMPOSE_PROJECT_LABEL = "com.docker.compose.project"
COMPOSE_SERVICE_LABEL = "com.docker.compose.service"


class ContainerState(StrEnum):
    CREATED = "created"
    RUNNING = "running"
    PAUSED = "paused"
    RESTARTING = "restarting"
    REMOVING = "removing"
    EXITED = "exited"
    DEAD = "dead"

    @property
    def is_up(self) -> bool:
        return self in (ContainerState.RUNNING, ContainerState.PAUSED, ContainerState.RESTARTING)


class Health(StrEnum):
    NONE = "none"
    STARTING = "starting"
    HEALTHY = "healthy"
    UNHEALTHY = "unhealthy"


@dataclass(frozen=True, slots=True)
class PortBinding:
    """One container port and, when published, where it lands on the host."""

    container_port: int
    protocol: str = "tcp"
    host_ip: str | None = None
    host_port: int | None = None

    @property
    def published(self) -> bool:
        return self.host_port is not None

    def __str__(self) -> str:
        inner = f"{self.container_port}/{self.protocol}"
        if self.host_port is None:
            return inner
        host = f"{self.host_ip}:" if self.host_ip and self.host_ip not in ("0.0.0.0", "::") else ""
        return f"{host}{self.host_port}->{inner}"


@dataclass(frozen=True, slots=True)
class NetworkAttachment:
    """A container's endpoint on one network."""

    network: str
    network_id: str = ""
    ip: str = ""
    prefix_len: int = 0
    gateway: str = ""
    mac: str = ""
    ipv6: str = ""
    aliases: tuple[str, ...] = ()
    links: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Mount:
    type: str
    source: str
    destination: str
    name: str = ""
    mode: str = ""
    rw: bool = True


@dataclass(frozen=True, slots=True)
class Container:
    id: str
    name: str
    image: str
    image_id: str
    command: str
    state: ContainerState
    status: str
    created: datetime
    health: Health = Health.NONE
    exit_code: int | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    ports: tuple[PortBinding, ...] = ()
    networks: tuple[NetworkAttachment, ...] = ()
    network_mode: str = ""
    mounts: tuple[Mount, ...] = ()
    labels: Mapping[str, str] = EMPTY

    @property
    def short_id(self) -> str:
        return self.id[:12]

    @property
    def compose_project(self) -> str | None:
        return self.labels.get(COMPOSE_PROJECT_LABEL)

    @property
    def compose_service(self) -> str | None:
        return self.labels.get(COMPOSE_SERVICE_LABEL)

    @property
    def shares_network_of(self) -> str | None:
        """The container whose network stack this one joins (`--net container:X`)."""
        if self.network_mode.startswith("container:"):
            return self.network_mode.split(":", 1)[1]
        return None


@dataclass(frozen=True, slots=True)
class ContainerDetails:
    """What inspect adds to the list entry."""

    container: Container
    env: tuple[tuple[str, str], ...] = ()
    entrypoint: tuple[str, ...] = ()
    cmd: tuple[str, ...] = ()
    working_dir: str = ""
    user: str = ""
    hostname: str = ""
    tty: bool = False
    restart_policy: str = "no"
    pid: int = 0
    links: tuple[str, ...] = ()
    raw_json: str = "{}"


@dataclass(frozen=True, slots=True)
class Image:
    id: str
    tags: tuple[str, ...]
    digests: tuple[str, ...]
    size: int
    created: datetime
    labels: Mapping[str, str] = EMPTY
    used_by: tuple[str, ...] = ()

    @property
    def short_id(self) -> str:
        return self.id.removeprefix("sha256:")[:12]

    @property
    def dangling(self) -> bool:
        return not self.tags

    @property
    def display_name(self) -> str:
        return self.tags[0] if self.tags else "<none>:<none>"


@dataclass(frozen=True, slots=True)
class ImageDetails:
    image: Image
    architecture: str = ""
    os: str = ""
    cmd: tuple[str, ...] = ()
    entrypoint: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    exposed_ports: tuple[str, ...] = ()
    layers: tuple[str, ...] = ()
    raw_json: str = "{}"


@dataclass(frozen=True, slots=True)
class Volume:
    name: str
    driver: str
    mountpoint: str
    created: datetime | None = None
    scope: str = "local"
    labels: Mapping[str, str] = EMPTY
    size: int | None = None
    used_by: tuple[str, ...] = ()

    @property
    def compose_project(self) -> str | None:
        return self.labels.get(COMPOSE_PROJECT_LABEL)


@dataclass(frozen=True, slots=True)
class Subnet:
    subnet: str
    gateway: str = ""


@dataclass(frozen=True, slots=True)
class NetworkMember:
    container_id: str
    name: str
    ipv4: str = ""
    mac: str = ""


@dataclass(frozen=True, slots=True)
class Network:
    id: str
    name: str
    driver: str
    scope: str = "local"
    subnets: tuple[Subnet, ...] = ()
    internal: bool = False
    attachable: bool = False
    created: datetime | None = None
    labels: Mapping[str, str] = EMPTY
    containers: tuple[NetworkMember, ...] = ()

    @property
    def short_id(self) -> str:
        return self.id[:12]

    @property
    def builtin(self) -> bool:
        return self.name in ("bridge", "host", "none")

    @property
    def compose_project(self) -> str | None:
        return self.labels.get(COMPOSE_PROJECT_LABEL)


@dataclass(frozen=True, slots=True)
class StatsSample:
    """One reading of a container's resource use; rates are per the docker CLI."""

    container_id: str
    at: float
    cpu_percent: float
    mem_used: int
    mem_limit: int
    net_rx: int
    net_tx: int
    block_read: int
    block_write: int
    pids: int

    @property
    def mem_percent(self) -> float:
        return 100.0 * self.mem_used / self.mem_limit if self.mem_limit else 0.0


@dataclass(frozen=True, slots=True)
class Event:
    type: str
    action: str
    actor_id: str
    time: float
    attributes: Mapping[str, str] = EMPTY

    @property
    def actor_name(self) -> str:
        return self.attributes.get("name", self.actor_id[:12])


@dataclass(frozen=True, slots=True)
class LogLine:
    stream: str  # "stdout" or "stderr"
    text: str
    timestamp: datetime | None = None


@dataclass(frozen=True, slots=True)
class Process:
    pid: str
    user: str
    command: str
    fields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class EngineInfo:
    name: str
    endpoint: str
    server_version: str
    api_version: str
    os: str = ""
    arch: str = ""
    kernel: str = ""
    host_name: str = ""
    cpus: int = 0
    mem_total: int = 0
    containers: int = 0
    running: int = 0
    paused: int = 0
    stopped: int = 0
    images: int = 0
    storage_driver: str = ""
    root_dir: str = ""


@dataclass(frozen=True, slots=True)
class PullProgress:
    status: str
    layer: str = ""
    current: int = 0
    total: int = 0
    error: str | None = None


@dataclass(frozen=True, slots=True)
class PruneReport:
    deleted: tuple[str, ...] = ()
    space_reclaimed: int = 0


@dataclass(frozen=True, slots=True)
class PortSpec:
    """A `-p [ip:]host:container[/proto]` request."""

    container_port: int
    host_port: int | None = None
    protocol: str = "tcp"
    host_ip: str = ""


@dataclass(frozen=True, slots=True)
class VolumeSpec:
    """A `-v source:target[:ro]` request; source is a volume name, a host path or empty."""

    target: str
    source: str = ""
    read_only: bool = False


@dataclass(frozen=True, slots=True)
class HealthcheckSpec:
    """A container healthcheck; `test` is as the API wants it (["CMD-SHELL", "..."], ["NONE"])."""

    test: tuple[str, ...]
    interval: float | None = None  # seconds
    timeout: float | None = None
    retries: int | None = None
    start_period: float | None = None


@dataclass(frozen=True, slots=True)
class BuildProgress:
    """One line of a build's output; the last item of a finished build carries the image id."""

    text: str = ""
    image_id: str | None = None


@dataclass(frozen=True, slots=True)
class RunSpec:
    """Everything `docker run -d` takes that Dockyard offers."""

    image: str
    name: str | None = None
    command: tuple[str, ...] | None = None
    entrypoint: tuple[str, ...] | None = None
    env: Mapping[str, str] = EMPTY
    ports: tuple[PortSpec, ...] = ()
    volumes: tuple[VolumeSpec, ...] = ()
    network: str | None = None
    network_aliases: tuple[str, ...] = ()
    restart_policy: str = "no"
    labels: Mapping[str, str] = EMPTY
    tty: bool = False
    stdin_open: bool = False
    auto_remove: bool = False
    working_dir: str | None = None
    user: str | None = None
    hostname: str | None = None
    links: tuple[str, ...] = ()
    start: bool = True
    network_ipv4: str | None = None  # a fixed address on `network`
    healthcheck: HealthcheckSpec | None = None
    stop_timeout: int | None = None


# The four lists every engine has, by the names the UI's views and events use.
ListKind = Literal["containers", "images", "volumes", "networks"]
LIST_KINDS: tuple[ListKind, ...] = ("containers", "images", "volumes", "networks")
Listed = Container | Image | Volume | Network
