"""Legacy `--link` on the default bridge: the variables dockerd gives the linking container."""

from __future__ import annotations

from native_runtime.containers.model import Container
from native_runtime.errors import NotFound
from native_runtime.runtime import Runtime

# dockerd passes on the linked container's environment except these.
NOT_PASSED = ("HOME", "PATH")


def _address(rt: Runtime, peer: Container) -> str:
    default = rt.networks.default_network().id
    return next(
        (e.ip for e in rt.networks.store.endpoints_of(peer.id) if e.network_id == default), ""
    )


def _port_variables(prefix: str, ip: str, exposed: list[str]) -> list[str]:
    out: list[str] = []
    for index, key in enumerate(sorted(exposed, key=lambda k: int(k.partition("/")[0]))):
        port, _, proto = key.partition("/")
        proto = proto or "tcp"
        url = f"{proto}://{ip}:{port}"
        if index == 0:
            out.append(f"{prefix}_PORT={url}")
        name = f"{prefix}_PORT_{port}_{proto.upper()}"
        out += [
            f"{name}={url}",
            f"{name}_ADDR={ip}",
            f"{name}_PORT={port}",
            f"{name}_PROTO={proto}",
        ]
    return out


def environment(rt: Runtime, ctr: Container) -> list[str]:
    """`ALIAS_NAME`, `ALIAS_ENV_*` and `ALIAS_PORT*` for each running legacy-linked container."""
    out: list[str] = []
    plan = rt.networks.store.plan(ctr.id)
    # The plan holds only the default bridge's links: dockerd gives no variables for a
    # link on a user-defined network, which is a name in its DNS instead.
    for target, alias in plan.links if plan is not None else ():
        try:
            peer = rt.containers.find(target)
        except NotFound:
            continue  # the link was checked at create; a peer gone since has nothing to give
        prefix = alias.upper().replace("-", "_")
        out.append(f"{prefix}_NAME=/{ctr.name}/{alias}")
        for item in peer.config.get("Env") or []:
            key, _, value = str(item).partition("=")
            if key not in NOT_PASSED:
                out.append(f"{prefix}_ENV_{key}={value}")
        ip = _address(rt, peer)
        if ip:
            out += _port_variables(prefix, ip, list(peer.config.get("ExposedPorts") or {}))
    return out
