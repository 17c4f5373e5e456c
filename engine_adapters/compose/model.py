"""The resolved compose project: frozen dataclasses the planner and orchestrator work from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from engine_adapters.models import EMPTY


@dataclass(frozen=True, slots=True)
class PortMapping:
    """`published_end` closes a host port range (`8080-8082:80`) shared out among replicas."""

    target: int
    published: int | None = None
    protocol: str = "tcp"
    host_ip: str = ""
    published_end: int | None = None
    # Where the entry was written (`compose.yaml:9: services.web.ports[0]`), so a refusal at
    # `up --scale` time can name the line as the loader's problems do.
    origin: str = field(default="", compare=False)

    @property
    def published_text(self) -> str | None:
        """The host side as written: `8080`, `8080-8082`, or None when the engine picks."""
        if self.published is None:
            return None
        if self.published_end is None:
            return str(self.published)
        return f"{self.published}-{self.published_end}"

    @property
    def host_port_count(self) -> int:
        """How many containers can publish this mapping at once (0: any number)."""
        if self.published is None:
            return 0
        return 1 if self.published_end is None else self.published_end - self.published + 1


@dataclass(frozen=True, slots=True)
class Mount:
    """`type` is "volume" (source: the key in top-level volumes, or "" for anonymous) or "bind"."""

    type: str
    target: str
    source: str = ""
    read_only: bool = False


@dataclass(frozen=True, slots=True)
class ServiceNetwork:
    """A service's membership of one network; `name` is the key in top-level networks."""

    name: str
    aliases: tuple[str, ...] = ()
    ipv4_address: str | None = None


@dataclass(frozen=True, slots=True)
class Dependency:
    service: str
    condition: str = "service_started"  # or service_healthy, service_completed_successfully


@dataclass(frozen=True, slots=True)
class Healthcheck:
    test: tuple[str, ...]
    interval: float | None = None
    timeout: float | None = None
    retries: int | None = None
    start_period: float | None = None
    disable: bool = False


@dataclass(frozen=True, slots=True)
class Build:
    context: str  # absolute
    dockerfile: str = "Dockerfile"
    args: Mapping[str, str] = EMPTY


@dataclass(frozen=True, slots=True)
class Service:
    name: str
    image: str | None = None
    build: Build | None = None
    command: tuple[str, ...] | None = None
    entrypoint: tuple[str, ...] | None = None
    environment: Mapping[str, str] = EMPTY
    ports: tuple[PortMapping, ...] = ()
    volumes: tuple[Mount, ...] = ()
    networks: tuple[ServiceNetwork, ...] = ()
    network_mode: str | None = None  # host, none, bridge, service:x, container:x
    links: tuple[str, ...] = ()  # "service:alias"
    depends_on: tuple[Dependency, ...] = ()
    healthcheck: Healthcheck | None = None
    restart: str = "no"
    labels: Mapping[str, str] = EMPTY
    container_name: str | None = None
    hostname: str | None = None
    working_dir: str | None = None
    user: str | None = None
    tty: bool = False
    stdin_open: bool = False
    stop_grace_period: float | None = None
    profiles: tuple[str, ...] = ()  # empty: always enabled
    scale: int | None = None  # deploy.replicas (or scale); None means one container

    @property
    def service_dependency(self) -> str | None:
        """The service whose network stack this one joins (`network_mode: service:x`)."""
        if self.network_mode and self.network_mode.startswith("service:"):
            return self.network_mode.split(":", 1)[1]
        return None

    @property
    def dependencies(self) -> tuple[str, ...]:
        """Every service that must be up first: depends_on, links and network_mode service:x."""
        names = [d.service for d in self.depends_on]
        names += [link.split(":", 1)[0] for link in self.links]
        if self.service_dependency:
            names.append(self.service_dependency)
        return tuple(dict.fromkeys(names))


@dataclass(frozen=True, slots=True)
class NetworkConfig:
    key: str
    name: str  # the engine's name: <project>_<key> unless external or `name:` given
    driver: str = "bridge"
    external: bool = False
    internal: bool = False
    subnet: str | None = None
    gateway: str | None = None
    labels: Mapping[str, str] = EMPTY


@dataclass(frozen=True, slots=True)
class VolumeConfig:
    key: str
    name: str
    driver: str = "local"
    external: bool = False
    labels: Mapping[str, str] = EMPTY


@dataclass(frozen=True, slots=True)
class Project:
    name: str
    working_dir: str
    config_files: tuple[str, ...]
    services: tuple[Service, ...]
    networks: tuple[NetworkConfig, ...] = ()
    volumes: tuple[VolumeConfig, ...] = ()
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def service(self, name: str) -> Service:
        for service in self.services:
            if service.name == name:
                return service
        raise KeyError(name)

    def network(self, key: str) -> NetworkConfig:
        for network in self.networks:
            if network.key == key:
                return network
        raise KeyError(key)

    def volume(self, key: str) -> VolumeConfig:
        for volume in self.volumes:
            if volume.key == key:
                return volume
        raise KeyError(key)
