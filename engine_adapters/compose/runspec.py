"""A compose service turned into the engine's RunSpec, plus the networks it joins after create."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from engine_adapters.compose import conventions, hostports
from engine_adapters.compose.model import PortMapping, Project, Service
from engine_adapters.models import HealthcheckSpec, Labels, PortSpec, RunSpec, VolumeSpec


@dataclass(frozen=True, slots=True)
class ExtraNetwork:
    """A network joined between create and start: the API takes one network at create."""

    name: str
    aliases: tuple[str, ...]
    ipv4: str | None


def network_mode(service: Service, container_ids: dict[str, str]) -> str | None:
    """`service:x` becomes `container:<id of x's container>`; the others pass through."""
    target = service.service_dependency
    if target is not None:
        return f"container:{container_ids[target]}"
    return service.network_mode


def run_spec(
    project: Project,
    service: Service,
    digest: str,
    mode: str | None,
    number: int = 1,
    host_ports: Mapping[str, int] | None = None,
) -> tuple[RunSpec, list[ExtraNetwork]]:
    """`host_ports` holds this replica's port of each host port range (hostports.assign)."""
    extra: list[ExtraNetwork] = []
    primary: str | None = mode
    aliases: tuple[str, ...] = ()
    ipv4: str | None = None
    for i, membership in enumerate(service.networks):
        real = project.network(membership.name).name
        # The service name answers DNS on every network it joins, as in Compose.
        names = (service.name, *membership.aliases)
        if i == 0:
            primary, aliases, ipv4 = real, names, membership.ipv4_address
        else:
            extra.append(ExtraNetwork(real, names, membership.ipv4_address))
    check = service.healthcheck
    health = (
        HealthcheckSpec(
            check.test, check.interval, check.timeout, check.retries, check.start_period
        )
        if check is not None
        else None
    )
    publish = mode != "host"
    labels = conventions.container_labels(project, service, digest, number)
    ranges = hostports.keys(service)
    if host_ports and publish:
        labels[conventions.HOST_PORTS] = hostports.label(host_ports)
    spec = RunSpec(
        image=conventions.image_of(project, service),
        name=conventions.container_name(project, service, number),
        command=service.command,
        entrypoint=service.entrypoint,
        env=Labels(service.environment),
        ports=tuple(_port(p, ranges.get(i), host_ports or {}) for i, p in enumerate(service.ports))
        if publish
        else (),
        volumes=tuple(
            _volume(project, m.type, m.source, m.target, m.read_only) for m in service.volumes
        ),
        network=primary,
        network_aliases=aliases,
        network_ipv4=ipv4,
        restart_policy=service.restart,
        labels=Labels(labels),
        tty=service.tty,
        stdin_open=service.stdin_open,
        working_dir=service.working_dir,
        user=service.user,
        hostname=service.hostname,
        links=_links(project, service) if primary and not primary.startswith("container:") else (),
        healthcheck=health,
        stop_timeout=None if service.stop_grace_period is None else int(service.stop_grace_period),
        start=False,
    )
    return spec, extra


def _port(mapping: PortMapping, name: str | None, host_ports: Mapping[str, int]) -> PortSpec:
    """A ranged mapping publishes this replica's port of the range (its first without one)."""
    published = mapping.published
    if name is not None:
        published = host_ports.get(name, published)
    return PortSpec(mapping.target, published, mapping.protocol, mapping.host_ip)


def _links(project: Project, service: Service) -> tuple[str, ...]:
    """`links: [mysql:db]` names a service; the engine wants its container's name."""
    result = []
    for link in service.links:
        target, _, alias = link.partition(":")
        result.append(f"{conventions.container_name(project, project.service(target))}:{alias}")
    return tuple(result)


def _volume(project: Project, kind: str, source: str, target: str, read_only: bool) -> VolumeSpec:
    if kind == "volume" and source:
        return VolumeSpec(target, project.volume(source).name, read_only)
    return VolumeSpec(target, source, read_only)
