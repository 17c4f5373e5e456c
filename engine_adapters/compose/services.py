"""One `services.<name>` entry checked and turned into a `Service`."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from engine_adapters.compose import fields
from engine_adapters.compose.checker import Checker, describe
from engine_adapters.compose.interpolate import parse_env_file
from engine_adapters.compose.model import Build, Mount, Service, ServiceNetwork
from engine_adapters.compose.replicas import scale_problem
from engine_adapters.compose.source import Path
from engine_adapters.models import Labels

SUPPORTED = (
    "image",
    "build",
    "command",
    "entrypoint",
    "environment",
    "env_file",
    "ports",
    "volumes",
    "networks",
    "network_mode",
    "links",
    "depends_on",
    "healthcheck",
    "restart",
    "labels",
    "container_name",
    "hostname",
    "working_dir",
    "user",
    "tty",
    "stdin_open",
    "stop_grace_period",
    "profiles",
    "scale",
    "deploy",
    "extends",  # applied before a service is parsed (extends.py); listed for the suggestions
)
# Valid Compose keys that Dockyard does not apply yet: a warning, not an error.
UNSUPPORTED = (
    "cap_add",
    "cap_drop",
    "cgroup_parent",
    "configs",
    "cpu_shares",
    "cpus",
    "cpuset",
    "devices",
    "dns",
    "dns_search",
    "domainname",
    "expose",
    "external_links",
    "extra_hosts",
    "group_add",
    "init",
    "ipc",
    "isolation",
    "logging",
    "mac_address",
    "mem_limit",
    "mem_reservation",
    "oom_score_adj",
    "pid",
    "platform",
    "privileged",
    "pull_policy",
    "read_only",
    "secrets",
    "security_opt",
    "shm_size",
    "stop_signal",
    "sysctls",
    "tmpfs",
    "ulimits",
    "userns_mode",
    "volumes_from",
)
NETWORK_MODES = ("host", "none", "bridge")


def parse_service(
    check: Checker,
    name: str,
    raw: Any,
    project_dir: str,
    shell_env: Mapping[str, str],
    swarm: bool = False,
) -> Service | None:
    """`swarm`: the replicas run on a swarm, where they may share a published port."""
    path: Path = ("services", name)
    entry = check.mapping(path, raw)
    if entry is None:
        return None
    check.keys(path, entry, SUPPORTED, UNSUPPORTED)

    def at(key: str) -> Path:
        return (*path, key)

    image = check.string(at("image"), entry["image"]) if "image" in entry else None
    build = _build(check, at("build"), entry["build"], project_dir) if "build" in entry else None
    if "image" not in entry and "build" not in entry:
        check.fail(path, 'needs "image" or "build"')

    def optional_text(key: str) -> str | None:
        return check.string(at(key), entry[key]) if entry.get(key) is not None else None

    def flag(key: str) -> bool:
        return bool(check.boolean(at(key), entry[key])) if key in entry else False

    network_mode = optional_text("network_mode")
    if network_mode is not None and not (
        network_mode in NETWORK_MODES or network_mode.startswith(("service:", "container:"))
    ):
        check.fail(at("network_mode"), f'invalid network mode "{network_mode}"')
    if network_mode is not None and "networks" in entry:
        check.fail(at("networks"), "cannot be used together with network_mode")

    service = Service(
        name=name,
        image=image,
        build=build,
        command=fields.command(check, at("command"), entry["command"])
        if entry.get("command") is not None
        else None,
        entrypoint=fields.command(check, at("entrypoint"), entry["entrypoint"])
        if entry.get("entrypoint") is not None
        else None,
        environment=Labels(_environment(check, path, entry, project_dir, shell_env)),
        ports=tuple(fields.ports(check, at("ports"), entry["ports"])) if "ports" in entry else (),
        volumes=_volumes(check, at("volumes"), entry.get("volumes"), project_dir),
        networks=_networks(check, at("networks"), entry.get("networks"), network_mode),
        network_mode=network_mode,
        links=tuple(_link(s) for s in check.string_list(at("links"), entry.get("links") or [])),
        depends_on=tuple(fields.depends_on(check, at("depends_on"), entry["depends_on"]))
        if "depends_on" in entry
        else (),
        healthcheck=fields.healthcheck(check, at("healthcheck"), entry["healthcheck"])
        if "healthcheck" in entry
        else None,
        restart=fields.restart(check, at("restart"), entry["restart"])
        if "restart" in entry
        else "no",
        labels=Labels(
            {
                k: v or ""
                for k, v in check.string_map(at("labels"), entry["labels"], "labels").items()
            }
        )
        if "labels" in entry
        else Labels(),
        container_name=optional_text("container_name"),
        hostname=optional_text("hostname"),
        working_dir=optional_text("working_dir"),
        user=optional_text("user"),
        tty=flag("tty"),
        stdin_open=flag("stdin_open"),
        stop_grace_period=fields.duration(
            check, at("stop_grace_period"), entry["stop_grace_period"]
        )
        if "stop_grace_period" in entry
        else None,
        profiles=_profiles(check, at("profiles"), entry["profiles"]) if "profiles" in entry else (),
        scale=_scale(check, path, entry),
    )
    if service.scale is not None and not swarm:
        problem = scale_problem(service, service.scale)
        if problem is not None:
            check.fail(at("scale") if "scale" in entry else (*at("deploy"), "replicas"), problem)
    return service


def _profiles(check: Checker, path: Path, value: Any) -> tuple[str, ...]:
    names = check.string_list(path, value)
    for i, profile in enumerate(names):
        if not re.fullmatch(r"[a-zA-Z0-9][a-zA-Z0-9_.-]*", profile):
            check.fail((*path, i), f'invalid profile name "{profile}"')
    return tuple(dict.fromkeys(names))


def _scale(check: Checker, path: Path, entry: dict[str, Any]) -> int | None:
    """`deploy.replicas`, or the older `scale`; the two may not disagree."""
    counts: dict[str, int] = {}
    deploy = check.mapping((*path, "deploy"), entry["deploy"]) if "deploy" in entry else None
    if deploy is not None:
        check.keys(
            (*path, "deploy"),
            deploy,
            ("replicas",),
            ignored=(
                "mode",
                "labels",
                "resources",
                "restart_policy",
                "placement",
                "update_config",
                "rollback_config",
                "endpoint_mode",
            ),
        )
        if deploy.get("replicas") is not None:
            counts["deploy.replicas"] = _count(check, (*path, "deploy", "replicas"), deploy)
    if entry.get("scale") is not None:
        counts["scale"] = _count(check, (*path, "scale"), entry)
    if len(set(counts.values())) > 1:
        check.fail((*path, "scale"), "differs from deploy.replicas")
    return next(iter(counts.values()), None)


def _count(check: Checker, path: Path, entry: dict[str, Any]) -> int:
    value = entry[str(path[-1])]
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    check.fail(path, f"must be a whole number of containers, not {describe(value)}")
    return 1


def _link(text: str) -> str:
    name, _, alias = text.partition(":")
    return f"{name}:{alias or name}"


def _build(check: Checker, path: Path, value: Any, project_dir: str) -> Build | None:
    if isinstance(value, str):
        return Build(os.path.normpath(os.path.join(check.folder(path, project_dir), value)))
    entry = check.mapping(path, value)
    if entry is None:
        return None
    check.keys(
        path,
        entry,
        ("context", "dockerfile", "args"),
        ignored=(
            "cache_from",
            "labels",
            "network",
            "target",
            "shm_size",
            "extra_hosts",
            "platforms",
        ),
    )
    context = check.string((*path, "context"), entry.get("context", "."))
    dockerfile = check.string((*path, "dockerfile"), entry.get("dockerfile", "Dockerfile"))
    args = check.string_map((*path, "args"), entry.get("args") or {}, "build args")
    if context is None or dockerfile is None:
        return None
    resolved = {k: v for k, v in args.items() if v is not None}
    folder = check.folder((*path, "context"), project_dir)
    return Build(os.path.normpath(os.path.join(folder, context)), dockerfile, Labels(resolved))


def _environment(
    check: Checker,
    path: Path,
    entry: dict[str, Any],
    project_dir: str,
    shell_env: Mapping[str, str],
) -> dict[str, str]:
    """env_file entries first, `environment` over them; a bare name takes the shell's value."""
    env: dict[str, str] = {}
    if "env_file" in entry:
        for i, name in enumerate(check.string_list((*path, "env_file"), entry["env_file"])):
            at = (
                (*path, "env_file", i)
                if isinstance(entry["env_file"], list)
                else (*path, "env_file")
            )
            file = os.path.join(check.folder(at, project_dir), name)
            try:
                with open(file, encoding="utf-8") as handle:
                    env.update(parse_env_file(handle.read()))
            except OSError as exc:
                check.fail(at, f'cannot read "{name}": {exc.strerror}')
    if "environment" in entry:
        for key, value in check.string_map((*path, "environment"), entry["environment"]).items():
            if value is not None:
                env[key] = value
            elif key in shell_env:
                env[key] = shell_env[key]
    return env


def _volumes(check: Checker, path: Path, value: Any, project_dir: str) -> tuple[Mount, ...]:
    if value is None:
        return ()
    mounts = []
    for i, mount in fields.volumes(check, path, value):
        if mount.type == "bind":
            source = os.path.expanduser(mount.source)
            folder = check.folder((*path, i), project_dir)
            source = os.path.normpath(os.path.join(folder, source))
            mount = Mount("bind", mount.target, source, mount.read_only)
        mounts.append(mount)
    return tuple(mounts)


def _networks(
    check: Checker, path: Path, value: Any, network_mode: str | None
) -> tuple[ServiceNetwork, ...]:
    if network_mode is not None:
        return ()
    if value is None:
        return (ServiceNetwork("default"),)
    if isinstance(value, list):
        return tuple(ServiceNetwork(n) for n in check.string_list(path, value))
    if not isinstance(value, dict):
        check.fail(path, f"must be a list or a mapping, not {describe(value)}")
        return ()
    result = []
    for name, spec in value.items():
        if spec is None:
            result.append(ServiceNetwork(name))
            continue
        entry = check.mapping((*path, name), spec)
        if entry is None:
            continue
        check.keys(
            (*path, name),
            entry,
            ("aliases", "ipv4_address"),
            ignored=("ipv6_address", "priority", "link_local_ips", "mac_address"),
        )
        aliases = check.string_list((*path, name, "aliases"), entry.get("aliases") or [])
        ipv4 = entry.get("ipv4_address")
        if ipv4 is not None:
            ipv4 = check.string((*path, name, "ipv4_address"), ipv4, numbers=False)
        result.append(ServiceNetwork(name, tuple(aliases), ipv4))
    return tuple(result)
