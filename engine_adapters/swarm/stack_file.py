"""Compose files read as a swarm stack: service specs, overlay networks, and what a swarm
cannot honour reported by file:line (where `docker stack deploy` drops most of it silently)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine_adapters.compose.checker import Checker
from engine_adapters.compose.errors import ComposeFileError
from engine_adapters.compose.fields import short_port
from engine_adapters.compose.loader import load_project_source
from engine_adapters.compose.model import Project, Service
from engine_adapters.compose.source import Path, Source
from engine_adapters.models import Labels
from engine_adapters.swarm.deploy_keys import read_deploy
from engine_adapters.swarm.models import STACK_IMAGE_LABEL, STACK_LABEL, PublishedPort
from engine_adapters.swarm.spec import ServiceMount, ServiceNetworkRef, ServiceSpec
from engine_adapters.swarm.stack_objects import StackObject, read_grants, read_objects


@dataclass(frozen=True, slots=True)
class StackNetwork:
    key: str
    name: str  # <stack>_<key>, or the external network's own name
    external: bool = False
    attachable: bool = False


@dataclass(frozen=True, slots=True)
class Stack:
    name: str
    services: tuple[ServiceSpec, ...]
    networks: tuple[StackNetwork, ...]
    warnings: tuple[str, ...] = ()
    objects: tuple[StackObject, ...] = ()  # secrets and configs


def load_stack(files: Sequence[str], name: str, env: Mapping[str, str] | None = None) -> Stack:
    """Raises ComposeFileError listing every problem, as `dockyard compose` does."""
    project, source = load_project_source(list(files), project_name=name, env=env, swarm=True)
    check = Checker(source)
    # The compose loader warns that `deploy.*`, a network's `attachable`, secrets and configs
    # are ignored: a stack applies them.
    applied = (".deploy.", ".attachable:", "secrets: not supported", "configs: not supported")
    warnings = [w for w in project.warnings if not any(a in w for a in applied)]
    networks = _networks(check, project, source)
    used = {n.key for n in networks}
    declared = read_objects(check, source.data, project.name)
    objects = tuple(o for o in declared.values() if o is not None)
    services = tuple(_service(check, project, s, source, used, declared) for s in project.services)
    if check.problems:
        order = {file: i for i, file in enumerate(files)}
        check.problems.sort(key=lambda p: (order.get(p.file, len(order)), p.line or 0))
        raise ComposeFileError(check.problems)
    return Stack(project.name, services, networks, tuple(warnings + check.warnings), objects)


def _networks(check: Checker, project: Project, source: Source) -> tuple[StackNetwork, ...]:
    declared = source.data.get("networks") or {}
    used = {n.name for s in project.services for n in s.networks} or {"default"}
    found = []
    for network in project.networks:
        if network.key not in used:
            continue
        at = ("networks", network.key)
        raw = declared.get(network.key) or {}
        driver = raw.get("driver") if isinstance(raw, dict) else None
        if not network.external and driver not in (None, "overlay"):
            check.fail(
                (*at, "driver"), f'a "{driver}" network cannot span nodes: use driver overlay'
            )
        attachable = bool(raw.get("attachable")) if isinstance(raw, dict) else False
        found.append(StackNetwork(network.key, network.name, network.external, attachable))
    return tuple(found)


def _ignored(check: Checker, at: Path, why: str) -> None:
    check.warn(at, f"ignored by a swarm: {why}")


def _service(
    check: Checker,
    project: Project,
    service: Service,
    source: Source,
    networks: set[str],
    declared: dict[str, StackObject | None],
) -> ServiceSpec:
    at: Path = ("services", service.name)
    raw: dict[str, Any] = source.data["services"][service.name]
    if service.build is not None and service.image is None:
        check.fail((*at, "build"), "a swarm does not build: give an image pushed to a registry")
    elif service.build is not None:
        _ignored(check, (*at, "build"), "the nodes pull the image, nothing is built")
    if service.network_mode is not None:
        check.fail(
            (*at, "network_mode"), "a swarm task joins networks, not another's network stack"
        )
    reasons = {
        "links": "services find each other by name on a shared network",
        "container_name": "a swarm names each task's container",
        "depends_on": "a swarm starts services in any order",
        "restart": "use deploy.restart_policy",
        "healthcheck": "dockyard stack does not send healthchecks",
        "stdin_open": "a task has no one to read its input",
    }
    for key in raw:  # in the file's order
        if key in reasons:
            _ignored(check, (*at, key), reasons[key])
    deploy = read_deploy(check, (*at, "deploy"), raw.get("deploy"))
    labels = {STACK_LABEL: project.name}
    mounts = []
    for i, mount in enumerate(service.volumes):
        source_name = mount.source
        if mount.type == "volume" and mount.source:
            source_name = project.volume(mount.source).name
        if mount.type == "bind":
            check.warn((*at, "volumes", i), "a bind mount needs its path on every node")
        mounts.append(ServiceMount(mount.type, mount.target, source_name, mount.read_only))
    # As `docker stack deploy`: each task answers to its service's short name on each network.
    refs = tuple(
        ServiceNetworkRef(project.network(n.name).name, (service.name, *n.aliases))
        for n in service.networks
    )
    if not service.networks and "default" in networks:
        refs = (ServiceNetworkRef(project.network("default").name, (service.name,)),)
    return ServiceSpec(
        name=f"{project.name}_{service.name}",
        image=service.image or "",
        command=service.entrypoint,
        args=service.command,
        env=service.environment,
        labels=Labels({**deploy.labels, **labels, STACK_IMAGE_LABEL: service.image or ""}),
        container_labels=Labels({**service.labels, **labels}),
        mode=deploy.mode,
        replicas=1 if service.scale is None else service.scale,
        networks=refs,
        ports=_ports(check, at, raw.get("ports") or []),
        endpoint_mode=deploy.endpoint_mode,
        constraints=deploy.constraints,
        preferences=deploy.preferences,
        max_replicas_per_node=deploy.max_replicas_per_node,
        resources=deploy.resources,
        restart_policy=deploy.restart_policy,
        update_config=deploy.update_config,
        rollback_config=deploy.rollback_config,
        mounts=tuple(mounts),
        hostname=service.hostname,
        workdir=service.working_dir,
        user=service.user,
        tty=service.tty,
        stop_grace_period=service.stop_grace_period,
        secrets=read_grants(check, (*at, "secrets"), "secret", raw.get("secrets"), declared),
        configs=read_grants(check, (*at, "configs"), "config", raw.get("configs"), declared),
    )


def _ports(check: Checker, at: Path, raw: list[Any]) -> tuple[PublishedPort, ...]:
    """The compose loader checked each entry; here each gets its publish mode."""
    found: list[PublishedPort] = []
    for i, item in enumerate(raw):
        where: Path = (*at, "ports", i)
        if isinstance(item, dict):
            mode = str(item.get("mode") or "ingress")
            if mode not in ("ingress", "host"):
                check.fail((*where, "mode"), f'must be ingress or host, not "{mode}"')
            if item.get("host_ip"):
                _ignored(check, (*where, "host_ip"), "a swarm publishes on every address")
            published = item.get("published")
            found.append(
                PublishedPort(
                    target=int(item["target"]),
                    published=int(published) if published not in (None, "") else None,
                    protocol=str(item.get("protocol") or "tcp"),
                    mode=mode,
                )
            )
            continue
        for mapping in short_port(str(item)) or ():
            if mapping.published_end is not None:
                check.fail(where, "a swarm publishes one port per target, not a range")
            if mapping.host_ip:
                _ignored(check, where, "a swarm publishes on every address")
            found.append(PublishedPort(mapping.target, mapping.published, mapping.protocol))
    return tuple(found)
