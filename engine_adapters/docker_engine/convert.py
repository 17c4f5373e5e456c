"""Docker Engine API JSON (as the SDK returns it) turned into our frozen models."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from engine_adapters.models import (
    EMPTY,
    Container,
    ContainerDetails,
    ContainerState,
    Event,
    Health,
    Image,
    ImageDetails,
    Labels,
    Mount,
    Network,
    NetworkAttachment,
    NetworkMember,
    PortBinding,
    Subnet,
    Volume,
)

Json = Mapping[str, Any]

_EPOCH = datetime.fromtimestamp(0, UTC)
_EXITED = re.compile(r"Exited \((-?\d+)\)")
_HEALTH_VALUES = frozenset(h.value for h in Health)
_HEALTH = re.compile(r"\((healthy|unhealthy|health: starting)\)")


def parse_time(value: object) -> datetime | None:
    """Docker's times: epoch seconds in lists, RFC 3339 with nanoseconds in inspect."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    text = str(value)
    if text.startswith("0001-01-01"):  # Go's zero time: "never"
        return None
    match = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)?", text)
    if not match:
        return None
    base, frac, zone = match.groups()
    micros = (frac or ".0")[1:7].ljust(6, "0")
    zone = "+00:00" if zone in (None, "Z") else zone
    return datetime.fromisoformat(f"{base}.{micros}{zone}")


def _labels(value: object) -> Mapping[str, str]:
    if not value or not isinstance(value, Mapping):
        return EMPTY
    return Labels((str(k), str(v)) for k, v in value.items())


def _strs(value: object) -> tuple[str, ...]:
    if not value:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Iterable):
        return tuple(str(v) for v in value)
    return ()


def _health_from_status(status: str) -> Health:
    match = _HEALTH.search(status)
    if not match:
        return Health.NONE
    word = match.group(1)
    return Health.STARTING if word == "health: starting" else Health(word)


def _ports_from_list(entries: Any) -> tuple[PortBinding, ...]:
    seen: dict[tuple[int, str, int | None], PortBinding] = {}
    for entry in entries or []:
        public = entry.get("PublicPort")
        port = PortBinding(
            container_port=int(entry.get("PrivatePort", 0)),
            protocol=entry.get("Type", "tcp"),
            host_ip=entry.get("IP") or None,
            host_port=int(public) if public else None,
        )
        # dockerd lists a binding once for 0.0.0.0 and once for ::; one row is enough
        seen.setdefault((port.container_port, port.protocol, port.host_port), port)
    return tuple(sorted(seen.values(), key=lambda p: (p.container_port, p.protocol)))


def _ports_from_inspect(ports: Any) -> tuple[PortBinding, ...]:
    result: dict[tuple[int, str, int | None], PortBinding] = {}
    for key, bindings in (ports or {}).items():
        number, _, proto = key.partition("/")
        if not bindings:
            port = PortBinding(int(number), proto or "tcp")
            result.setdefault((port.container_port, port.protocol, None), port)
            continue
        for binding in bindings:
            host_port = binding.get("HostPort")
            port = PortBinding(
                int(number),
                proto or "tcp",
                host_ip=binding.get("HostIp") or None,
                host_port=int(host_port) if host_port else None,
            )
            result.setdefault((port.container_port, port.protocol, port.host_port), port)
    return tuple(sorted(result.values(), key=lambda p: (p.container_port, p.protocol)))


def _attachments(networks: Any) -> tuple[NetworkAttachment, ...]:
    result = []
    for name, ep in sorted((networks or {}).items()):
        ep = ep or {}
        result.append(
            NetworkAttachment(
                network=name,
                network_id=ep.get("NetworkID") or "",
                ip=ep.get("IPAddress") or "",
                prefix_len=int(ep.get("IPPrefixLen") or 0),
                gateway=ep.get("Gateway") or "",
                mac=ep.get("MacAddress") or "",
                ipv6=ep.get("GlobalIPv6Address") or "",
                aliases=_strs(ep.get("Aliases")),
                links=_strs(ep.get("Links")),
            )
        )
    return tuple(result)


def _mounts(entries: Any) -> tuple[Mount, ...]:
    return tuple(
        Mount(
            type=m.get("Type", ""),
            source=m.get("Source", ""),
            destination=m.get("Destination", ""),
            name=m.get("Name", "") or "",
            mode=m.get("Mode", "") or "",
            rw=bool(m.get("RW", True)),
        )
        for m in entries or []
    )


# Podman's own states, read as the Docker state closest to each
_PODMAN_STATES = {
    "configured": ContainerState.CREATED,
    "initialized": ContainerState.CREATED,
    "stopping": ContainerState.RUNNING,
    "stopped": ContainerState.EXITED,
}


_ENDED = ("exited", "dead", "stopped")


def container_state(raw: object) -> ContainerState:
    """Docker's state names, plus Podman's; anything else is shown as dead, never a crash."""
    text = str(raw or "created").lower()
    try:
        return ContainerState(text)
    except ValueError:
        return _PODMAN_STATES.get(text, ContainerState.DEAD)


def repo_tag(tag: str) -> str:
    """A tag as the docker CLI shows it: Podman's answers spell out the docker.io registry."""
    for prefix in ("docker.io/library/", "docker.io/"):
        if tag.startswith(prefix):
            return tag.removeprefix(prefix)
    return tag


def _tags(raw: object) -> tuple[str, ...]:
    return tuple(dict.fromkeys(repo_tag(t) for t in _strs(raw) if t != "<none>:<none>"))


def container_from_list(data: Json) -> Container:
    status = data.get("Status", "") or ""
    state = container_state(data.get("State"))
    exited = _EXITED.search(status)
    return Container(
        id=data["Id"],
        name=(_strs(data.get("Names")) or ("/" + data["Id"][:12],))[0].lstrip("/"),
        image=data.get("Image", ""),
        image_id=data.get("ImageID", ""),
        command=data.get("Command", "") or "",
        state=state,
        status=status,
        created=parse_time(data.get("Created")) or _EPOCH,
        health=_health_from_status(status),
        exit_code=int(exited.group(1)) if exited else None,
        ports=_ports_from_list(data.get("Ports")),
        networks=_attachments((data.get("NetworkSettings") or {}).get("Networks")),
        network_mode=(data.get("HostConfig") or {}).get("NetworkMode", "") or "",
        mounts=_mounts(data.get("Mounts")),
        labels=_labels(data.get("Labels")),
    )


def _inspect_status(state: Json) -> str:
    status = state.get("Status", "")
    if status == "exited":
        return f"Exited ({state.get('ExitCode', 0)})"
    if status == "running":
        health = (state.get("Health") or {}).get("Status")
        return f"Up ({health})" if health else "Up"
    return str(status).capitalize()


def details_from_inspect(data: Json) -> ContainerDetails:
    state = data.get("State") or {}
    config = data.get("Config") or {}
    host = data.get("HostConfig") or {}
    settings = data.get("NetworkSettings") or {}
    health_status = (state.get("Health") or {}).get("Status")
    status = state.get("Status") or "created"
    container = Container(
        id=data["Id"],
        name=str(data.get("Name", "")).lstrip("/"),
        image=config.get("Image", ""),
        image_id=data.get("Image", ""),
        command=" ".join(_strs(config.get("Entrypoint")) + _strs(config.get("Cmd"))),
        state=container_state(status),
        status=_inspect_status(state),
        created=parse_time(data.get("Created")) or _EPOCH,
        health=Health(str(health_status)) if health_status in _HEALTH_VALUES else Health.NONE,
        exit_code=int(state.get("ExitCode") or 0)
        if status in ("exited", "dead", "stopped")
        else None,
        started_at=parse_time(state.get("StartedAt")),
        finished_at=parse_time(state.get("FinishedAt")),
        ports=_ports_from_inspect(settings.get("Ports")),
        networks=_attachments(settings.get("Networks")),
        network_mode=host.get("NetworkMode", "") or "",
        mounts=_mounts(data.get("Mounts")),
        labels=_labels(config.get("Labels")),
    )
    policy = host.get("RestartPolicy") or {}
    policy_name = policy.get("Name") or "no"
    if policy_name == "on-failure" and policy.get("MaximumRetryCount"):
        policy_name = f"on-failure:{policy['MaximumRetryCount']}"
    return ContainerDetails(
        container=container,
        env=tuple(_split_env(e) for e in _strs(config.get("Env"))),
        entrypoint=_strs(config.get("Entrypoint")),
        cmd=_strs(config.get("Cmd")),
        working_dir=config.get("WorkingDir", "") or "",
        user=config.get("User", "") or "",
        hostname=config.get("Hostname", "") or "",
        tty=bool(config.get("Tty")),
        restart_policy=policy_name,
        pid=int(state.get("Pid") or 0),
        links=_strs(host.get("Links")),
        raw_json=json.dumps(data, indent=2, sort_keys=True),
    )


def _split_env(entry: str) -> tuple[str, str]:
    key, _, value = entry.partition("=")
    return key, value


def image_from_list(data: Json, used_by: tuple[str, ...] = ()) -> Image:
    tags = _tags(data.get("RepoTags"))
    digests = tuple(d for d in _strs(data.get("RepoDigests")) if not d.startswith("<none>"))
    return Image(
        id=data["Id"],
        tags=tags,
        digests=digests,
        size=int(data.get("Size") or 0),
        created=parse_time(data.get("Created")) or _EPOCH,
        labels=_labels(data.get("Labels")),
        used_by=used_by,
    )


def image_details(data: Json, used_by: tuple[str, ...] = ()) -> ImageDetails:
    config = data.get("Config") or {}
    image = Image(
        id=data["Id"],
        tags=_tags(data.get("RepoTags")),
        digests=_strs(data.get("RepoDigests")),
        size=int(data.get("Size") or 0),
        created=parse_time(data.get("Created")) or _EPOCH,
        labels=_labels(config.get("Labels")),
        used_by=used_by,
    )
    return ImageDetails(
        image=image,
        architecture=data.get("Architecture", "") or "",
        os=data.get("Os", "") or "",
        cmd=_strs(config.get("Cmd")),
        entrypoint=_strs(config.get("Entrypoint")),
        env=tuple(_split_env(e) for e in _strs(config.get("Env"))),
        exposed_ports=tuple(sorted(config.get("ExposedPorts") or {})),
        layers=_strs((data.get("RootFS") or {}).get("Layers")),
        raw_json=json.dumps(data, indent=2, sort_keys=True),
    )


def volume_from_api(data: Json, used_by: tuple[str, ...] = (), size: int | None = None) -> Volume:
    usage = data.get("UsageData") or {}
    if size is None and usage.get("Size", -1) >= 0:
        size = int(usage["Size"])
    return Volume(
        name=data["Name"],
        driver=data.get("Driver", "local"),
        mountpoint=data.get("Mountpoint", ""),
        created=parse_time(data.get("CreatedAt")),
        scope=data.get("Scope", "local") or "local",
        labels=_labels(data.get("Labels")),
        size=size,
        used_by=used_by,
    )


def network_from_api(data: Json, members: tuple[NetworkMember, ...] | None = None) -> Network:
    ipam = (data.get("IPAM") or {}).get("Config") or []
    if members is None:
        members = tuple(
            sorted(
                (
                    NetworkMember(
                        container_id=cid,
                        name=str(ep.get("Name", "")),
                        ipv4=str(ep.get("IPv4Address", "")).split("/")[0],
                        mac=str(ep.get("MacAddress", "")),
                    )
                    for cid, ep in (data.get("Containers") or {}).items()
                ),
                key=lambda m: m.name,
            )
        )
    return Network(
        id=data["Id"],
        name=data["Name"],
        driver=data.get("Driver", "") or "",
        scope=data.get("Scope", "local") or "local",
        subnets=tuple(
            Subnet(c.get("Subnet", ""), c.get("Gateway", "") or "") for c in ipam if c.get("Subnet")
        ),
        internal=bool(data.get("Internal")),
        attachable=bool(data.get("Attachable")),
        created=parse_time(data.get("Created")),
        labels=_labels(data.get("Labels")),
        containers=members,
    )


# Podman's names for the events dockerd calls otherwise, by object type
_PODMAN_ACTIONS = {("container", "remove"): "destroy", ("network", "remove"): "destroy"}


def event_from_api(data: Json) -> Event:
    actor = data.get("Actor") or {}
    nanos = data.get("timeNano")
    when = nanos / 1e9 if nanos else float(data.get("time") or 0)
    kind = data.get("Type", "") or ""
    action = str(data.get("Action", "") or data.get("status", ""))
    return Event(
        type=kind,
        action=_PODMAN_ACTIONS.get((kind, action), action),
        actor_id=actor.get("ID", "") or data.get("id", ""),
        time=when,
        attributes=_labels(actor.get("Attributes")),
    )
