"""A RunSpec translated into the docker SDK's create_container arguments."""

from __future__ import annotations

from typing import Any

import docker

from engine_adapters.errors import InvalidRequest
from engine_adapters.models import RunSpec


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

    host_config = api.create_host_config(
        port_bindings=port_bindings or None,
        binds=binds or None,
        network_mode=spec.network or None,
        restart_policy=restart_policy(spec.restart_policy),
        auto_remove=spec.auto_remove,
        links=links or None,
    )
    networking_config = None
    if spec.network and spec.network_aliases:
        endpoint: Any = api.create_endpoint_config(aliases=list(spec.network_aliases))
        # the SDK's stubs say one EndpointConfig; the API (and the SDK) take a mapping
        networking_config = api.create_networking_config({spec.network: endpoint})  # type: ignore[arg-type]
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
        "detach": True,
    }
