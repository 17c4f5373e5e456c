"""`docker create`: merge the image config with the request and record the container."""

from __future__ import annotations

import secrets
from typing import Any

from native_runtime import host, names
from native_runtime.containers import health, init_process, logconfig, security, spec
from native_runtime.containers.exited import now_rfc3339
from native_runtime.containers.model import Container
from native_runtime.errors import BadParameter, Conflict, NotFound
from native_runtime.registry import reference
from native_runtime.runtime import Runtime
from native_runtime.volumes import mounts

_ADJECTIVES = ["brave", "calm", "eager", "fond", "keen", "quiet", "swift", "tidy", "witty", "bold"]
_NOUNS = ["hopper", "turing", "lovelace", "curie", "darwin", "euler", "gauss", "noether", "tesla"]


def _generate_name(rt: Runtime) -> str:
    while True:
        name = f"{secrets.choice(_ADJECTIVES)}_{secrets.choice(_NOUNS)}_{secrets.token_hex(2)}"
        if rt.containers.name_owner(name) is None:
            return name


def check_name(rt: Runtime, name: str) -> str:
    name = name.removeprefix("/")
    if not names.valid_name(name):
        raise BadParameter(
            f"Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
        )
    owner = rt.containers.name_owner(name)
    if owner is not None:
        raise Conflict(
            f'Conflict. The container name "/{name}" is already in use by container '
            f'"{owner.id}". You have to remove (or rename) that container to be able to reuse '
            "that name."
        )
    return name


def _check_reference(name: str) -> None:
    """A malformed name is a 400, as in dockerd; a 404 would make the CLI try to pull it."""
    try:
        reference.parse(name)
    except reference.InvalidReference as exc:
        raise BadParameter(str(exc)) from exc


def merge_config(image_config: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """Docker's rules: request values win; an Entrypoint override drops the image Cmd."""
    config = {
        k: v for k, v in body.items() if k not in ("HostConfig", "NetworkingConfig", "Runtime")
    }
    env: dict[str, str] = {}
    for item in (image_config.get("Env") or []) + (body.get("Env") or []):
        key, _, _ = item.partition("=")
        env[key] = item
    config["Env"] = list(env.values())
    if body.get("Entrypoint"):
        config["Entrypoint"] = body["Entrypoint"]
        config["Cmd"] = body.get("Cmd") or []
    else:
        config["Entrypoint"] = image_config.get("Entrypoint") or []
        config["Cmd"] = body.get("Cmd") or image_config.get("Cmd") or []
    for key in ("WorkingDir", "User", "StopSignal"):
        config[key] = body.get(key) or image_config.get(key) or ""
    labels = dict(image_config.get("Labels") or {})
    labels.update(body.get("Labels") or {})
    config["Labels"] = labels
    config.setdefault("Tty", False)
    config.setdefault("OpenStdin", False)
    return config


async def create(rt: Runtime, body: dict[str, Any], name: str | None) -> Container:
    image_name = str(body.get("Image") or "")
    if not image_name:
        raise BadParameter("config: image name is required")
    try:
        record = rt.images.lookup(image_name)
    except NotFound:
        _check_reference(image_name)
        raise
    host_config = dict(body.get("HostConfig") or {})
    # dockerd also reads HostConfig fields at the top level (the API's pre-1.x layout);
    # docker-py still sends `runtime` there.
    if body.get("Runtime") and not host_config.get("Runtime"):
        host_config["Runtime"] = body["Runtime"]
    # ... and ignores the case of keys: docker-py spells these CPURealtime*.
    for spelled, key in (
        ("CPURealtimePeriod", "CpuRealtimePeriod"),
        ("CPURealtimeRuntime", "CpuRealtimeRuntime"),
    ):
        if spelled in host_config:
            host_config.setdefault(key, host_config.pop(spelled))
    init_process.check(host_config)  # --init without tini on the host
    logconfig.normalize(host_config)
    host.check_runtime(host_config)
    spec.capabilities(host_config)  # unknown capability names fail here, not at start
    security.check(host_config)  # so does a malformed seccomp profile
    # dockerd finds a missing --device only at start and leaves a dead container behind;
    # refusing it here means a failed `docker run` stores nothing.
    spec.custom_devices(host_config)
    config = merge_config(record.config.get("config") or {}, body)
    config["Image"] = image_name
    check = health.merge(
        (record.config.get("config") or {}).get("Healthcheck"), body.get("Healthcheck")
    )
    if check:
        config["Healthcheck"] = check
    else:
        config.pop("Healthcheck", None)
    if not config["Entrypoint"] and not config["Cmd"]:
        raise BadParameter("No command specified")
    if host_config.get("AutoRemove") and (host_config.get("RestartPolicy") or {}).get(
        "Name", "no"
    ) not in ("", "no"):
        raise Conflict("Conflicting options: AutoRemove and restart policy")
    ctr = Container(
        id=secrets.token_hex(32),
        name=check_name(rt, name) if name else _generate_name(rt),
        image_id=record.id,
        image=image_name,
        created=now_rfc3339(),
        config=config,
        host_config=host_config,
    )
    if not config.get("Hostname"):
        config["Hostname"] = ctr.short_id
    ctr.mounts = mounts.resolve(
        body,
        host_config,
        (record.config.get("config") or {}).get("Volumes") or {},
        rt.volumes,
        lambda ref: rt.containers.find(ref).mounts,
    )
    # Validates networks, links, aliases and ports; a bad request stores nothing.
    try:
        rt.networks.prepare(
            ctr.id,
            ctr.name,
            host_config,
            body.get("NetworkingConfig"),
            config.get("ExposedPorts"),
            hostname=str(config.get("Hostname") or ""),
            mac_address=str(config.get("MacAddress") or ""),
        )
    except NotFound as exc:
        # A 404 from create makes the docker CLI think the image is missing and pull it.
        raise BadParameter(exc.message) from exc
    try:
        rt.dirs(ctr).root.mkdir(parents=True)
        rt.containers.save(ctr)
    except BaseException:
        await rt.networks.release(ctr.id)
        raise
    rt.event(ctr, "create")
    return ctr
