"""A RunSpec translated into the docker SDK's create_container arguments."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine_adapters.errors import InvalidRequest
from engine_adapters.models import HealthcheckSpec, RunSpec

if TYPE_CHECKING:
    import docker

_NOT_USER_DEFINED = ("", "bridge", "default", "host", "none")


def restart_policy(text: str) -> dict[str, Any] | None:
    """`no`, `always`, `unless-stopped`, `on-failure[:N]` as the API wants them."""
    name, _, count = text.partition(":")
    if name in ("", "no"):
        return None
    if name not in ("always", "unless-stopped", "on-failure"):
        raise InvalidRequest(f"invalid restart policy {text!r}")
    if count and (name != "on-failure" or not count.isdigit()):
        raise InvalidRequest(f"invalid restart policy {text!r}")
    return {"Name": name, "MaximumRetryCount": int(count or 0)}


def create_kwargs(api: docker.APIClient, spec: RunSpec) -> dict[str, Any]:
    port_bindings: dict[int | str, list[Any]] = {}
    exposed: list[Any] = []
    for port in spec.ports:
        key = f"{port.container_port}/{port.protocol}"
        exposed.append((port.container_port, port.protocol))
        if port.host_port is not None or port.host_ip:
            binding = (port.host_ip or "", port.host_port) if port.host_ip else port.host_port
            port_bindings.setdefault(key, []).append(binding)
        else:
            port_bindings.setdefault(key, []).append(None)

    binds: list[str] = []
    anonymous: list[str] = []
    for volume in spec.volumes:
        if not volume.target.startswith("/"):
            raise InvalidRequest(f"volume target must be an absolute path: {volume.target!r}")
        if not volume.source:
            anonymous.append(volume.target)
            continue
        binds.append(f"{volume.source}:{volume.target}:{'ro' if volume.read_only else 'rw'}")

    links: dict[str, str] = {}
    for link in spec.links:
        name, _, alias = link.partition(":")
        links[name] = alias or name

    network = spec.network or ""
    user_defined = network not in _NOT_USER_DEFINED and not network.startswith("container:")
    # On a user-defined network the daemon ignores HostConfig.Links: a link there is
    # an alias scoped to the endpoint, so it travels in the endpoint config instead.
    host_config = api.create_host_config(
        port_bindings=port_bindings or None,
        binds=binds or None,
        network_mode=network or None,
        restart_policy=restart_policy(spec.restart_policy),
        auto_remove=spec.auto_remove,
        links=(links if not user_defined else None) or None,
    )
    networking_config = None
    endpoint_links = links if user_defined else {}
    if network and (spec.network_aliases or endpoint_links or spec.network_ipv4):
        endpoint: Any = api.create_endpoint_config(
            aliases=list(spec.network_aliases) or None,
            links=endpoint_links or None,
            ipv4_address=spec.network_ipv4,
        )
        # the SDK's stubs say one EndpointConfig; the API (and the SDK) take a mapping
        networking_config = api.create_networking_config({network: endpoint})  # type: ignore[arg-type]
    return {
        "image": spec.image,
        "command": list(spec.command) if spec.command is not None else None,
        "entrypoint": list(spec.entrypoint) if spec.entrypoint is not None else None,
        "name": spec.name or None,
        "environment": dict(spec.env) or None,
        "ports": exposed or None,
        "volumes": anonymous + [b.split(":")[1] for b in binds] or None,
        "labels": dict(spec.labels) or None,
        "tty": spec.tty,
        "stdin_open": spec.stdin_open,
        "working_dir": spec.working_dir,
        "user": spec.user,
        "hostname": spec.hostname,
        "host_config": host_config,
        "networking_config": networking_config,
        "healthcheck": healthcheck(spec.healthcheck),
        "stop_timeout": spec.stop_timeout,
        "detach": True,
    }


def healthcheck(check: HealthcheckSpec | None) -> dict[str, Any] | None:
    """The API wants durations in nanoseconds; an unset one keeps the image's value."""
    if check is None:
        return None

    def nanos(seconds: float | None) -> int | None:
        return None if seconds is None else int(seconds * 1_000_000_000)

    raw = {
        "test": list(check.test),
        "interval": nanos(check.interval),
        "timeout": nanos(check.timeout),
        "retries": check.retries,
        "start_period": nanos(check.start_period),
    }
    return {key: value for key, value in raw.items() if value is not None}
