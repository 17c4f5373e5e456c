"""Find, read, merge, interpolate and check compose files: a `Project`, or every problem."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from engine_adapters.compose.checker import Checker
from engine_adapters.compose.errors import ComposeFileError, Problem
from engine_adapters.compose.extends import apply_extends
from engine_adapters.compose.interpolate import interpolate, parse_env_file
from engine_adapters.compose.merge import merge_sources
from engine_adapters.compose.model import NetworkConfig, Project, Service, VolumeConfig
from engine_adapters.compose.profiles import active_profiles, select
from engine_adapters.compose.services import parse_service
from engine_adapters.compose.source import Source, YamlProblem, read_source
from engine_adapters.models import Labels

DEFAULT_FILES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
OVERRIDE_FILES = (
    "compose.override.yaml",
    "compose.override.yml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
)
TOP_LEVEL = ("version", "services", "networks", "volumes", "name")


def find_compose_file(folder: str = ".") -> str | None:
    for name in DEFAULT_FILES:
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate):
            return candidate
    return None


def find_compose_files(folder: str = ".") -> list[str]:
    """The default file and, beside it, the override file when there is one."""
    main = find_compose_file(folder)
    if main is None:
        return []
    beside = os.path.dirname(main)
    override = next(
        (
            os.path.join(beside, n)
            for n in OVERRIDE_FILES
            if os.path.isfile(os.path.join(beside, n))
        ),
        None,
    )
    return [main] if override is None else [main, override]


def files_for(path: str) -> list[str]:
    """What `docker compose` run beside `path` reads for it: for a folder, or for the default
    file of a folder, that file and the override file beside it; any other file alone."""
    folder = path if os.path.isdir(path) else os.path.dirname(path) or "."
    found = find_compose_files(folder)
    if os.path.isdir(path):
        return found or [os.path.join(path, DEFAULT_FILES[0])]  # the loader says it is missing
    if found and os.path.abspath(found[0]) == os.path.abspath(path):
        return [path, *found[1:]]
    return [path]


def compose_files(file: str | Sequence[str] | None, env: Mapping[str, str]) -> list[str]:
    """The files to read, in order: those given, else COMPOSE_FILE, else the default ones."""
    if isinstance(file, str):
        return [file]
    if file:
        return list(file)
    listed = env.get("COMPOSE_FILE", "")
    if listed:
        separator = env.get("COMPOSE_PATH_SEPARATOR") or os.pathsep
        return [f for f in listed.split(separator) if f]
    return find_compose_files()


def normalize_project_name(name: str) -> str:
    """As Docker Compose does: lowercase, only [a-z0-9_-], starting with a letter or digit."""
    return re.sub(r"[^a-z0-9_-]", "", name.lower()).lstrip("_-")


def load_project(
    file: str | Sequence[str] | None = None,
    project_name: str | None = None,
    env: Mapping[str, str] | None = None,
    env_file: str | None = None,
    profiles: Sequence[str] | None = None,
    services: Sequence[str] = (),
) -> Project:
    """Raises ComposeFileError listing every problem; reading never touches an engine."""
    return load_project_source(file, project_name, env, env_file, profiles, services)[0]


def load_project_source(
    file: str | Sequence[str] | None = None,
    project_name: str | None = None,
    env: Mapping[str, str] | None = None,
    env_file: str | None = None,
    profiles: Sequence[str] | None = None,
    services: Sequence[str] = (),
    swarm: bool = False,
) -> tuple[Project, Source]:
    """`load_project`, plus the merged and interpolated data with each value's file and line
    (for readers of keys the project leaves out, such as a stack's `deploy`). For a `swarm`
    the replicas of a service may share a host port (the routing mesh, or one task per node).

    Each file's `extends` apply first (`extends.py`), then several files merge in order
    (`merge.py`), as Docker Compose does. The project folder is the first file's;
    a relative path resolves against the folder of the file it is written in, as Docker
    Compose v2 does (docker-compose 1.x resolved every path against the first file's).
    `profiles` (else COMPOSE_PROFILES) and the `services` named on the command line
    decide which services are enabled.
    """
    files = compose_files(file, os.environ if env is None else env)
    if not files:
        names = ", ".join(DEFAULT_FILES)
        raise ComposeFileError([Problem(os.getcwd(), None, "", f"no compose file ({names})")])
    paths = [os.path.abspath(f) for f in files]
    project_dir = os.path.dirname(paths[0])
    environment = _environment(project_dir, env, env_file)
    checks: list[Checker] = []
    broken: set[str] = set()  # services whose `extends` failed: that problem is enough
    for shown, path in zip(files, paths, strict=True):
        checks.append(_read(shown, path, environment))
        broken |= apply_extends(checks[-1], path, environment)
    merged = merge_sources([c.source for c in checks])
    active = active_profiles(profiles, environment)
    check = Checker(merged)
    project = _project(
        check, paths, project_dir, project_name, environment, active, services, broken, swarm
    )
    checks.append(check)
    problems = [p for c in checks for p in c.problems]
    if problems:
        order = {shown: i for i, shown in enumerate(files)}
        problems.sort(key=lambda p: (order.get(p.file, len(order)), p.line or 0))
        raise ComposeFileError(problems)
    return replace(project, warnings=tuple(w for c in checks for w in c.warnings)), merged


def _read(shown: str, path: str, env: Mapping[str, str]) -> Checker:
    """One file read, its top level checked and its variables substituted; a file that
    cannot be merged at all (unreadable, not YAML, not a mapping) stops the load."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        raise ComposeFileError([Problem(shown, None, "", f"cannot read: {exc.strerror}")]) from exc
    try:
        source = read_source(text, shown)
    except YamlProblem as exc:
        raise ComposeFileError([Problem(shown, exc.line, exc.key, exc.message)]) from exc
    source.folders[shown] = os.path.dirname(path)
    check = Checker(source)
    if not isinstance(source.data, dict):
        check.fail((), "the file must be a mapping with a services key")
        raise ComposeFileError(check.problems)
    check.keys((), source.data, TOP_LEVEL, ignored=("configs", "secrets"))
    _check_version(check, source.data.get("version"))
    source.data, interpolation_errors = interpolate(source.data, env)
    for error in interpolation_errors:
        check.fail(error.path, error.message)
    return check


def _environment(
    project_dir: str, env: Mapping[str, str] | None, env_file: str | None
) -> dict[str, str]:
    """The shell's variables win over the `.env` file beside the compose file."""
    dotenv = env_file or os.path.join(project_dir, ".env")
    values: dict[str, str] = {}
    if os.path.isfile(dotenv):
        with open(dotenv, encoding="utf-8") as handle:
            values.update(parse_env_file(handle.read()))
    elif env_file:
        raise ComposeFileError([Problem(env_file, None, "", "env file not found")])
    values.update(os.environ if env is None else env)
    return values


def _project(
    check: Checker,
    paths: list[str],
    project_dir: str,
    explicit_name: str | None,
    env: Mapping[str, str],
    active: frozenset[str],
    targets: Sequence[str],
    broken: set[str],
    swarm: bool,
) -> Project:
    """The merged data checked and resolved; what is wrong lands in `check.problems`."""
    data = check.source.data
    raw_name = explicit_name or env.get("COMPOSE_PROJECT_NAME") or data.get("name")
    name = normalize_project_name(str(raw_name or os.path.basename(project_dir)))
    if not name:
        check.fail(("name",) if "name" in data else (), "project name is empty once normalised")

    services: list[Service] = []
    raw_services = data.get("services")
    if not isinstance(raw_services, dict) or not raw_services:
        check.fail(("services",), "must be a mapping with at least one service")
        raw_services = {}
    for service_name, raw in raw_services.items():
        if not re.fullmatch(r"[a-zA-Z0-9][a-zA-Z0-9_.-]*", service_name):
            check.fail(("services", service_name), "invalid service name")
        if service_name in broken:
            continue
        service = parse_service(check, service_name, raw, project_dir, env, swarm)
        if service is not None:
            services.append(service)
    networks = _networks(check, data.get("networks"), name)
    volumes = _volumes(check, data.get("volumes"), name)
    _check_references(check, services, networks, volumes, set(raw_services))
    services = select(check, services, active, targets)
    return Project(
        name=name,
        working_dir=project_dir,
        config_files=tuple(paths),
        services=tuple(services),
        networks=tuple(networks),
        volumes=tuple(volumes),
    )


def _check_version(check: Checker, version: Any) -> None:
    if version is None:
        return
    text = str(version)
    if not re.fullmatch(r"[23](\.\d+)?", text):
        check.fail(("version",), f'unsupported version "{text}" (2.x, 3.x, or none)')


def _networks(check: Checker, raw: Any, project: str) -> list[NetworkConfig]:
    result = [NetworkConfig("default", f"{project}_default", labels=Labels())]
    if raw is None:
        return result
    entries = check.mapping(("networks",), raw) or {}
    for key, value in entries.items():
        at = ("networks", key)
        entry = check.mapping(at, value) if value is not None else {}
        if entry is None:
            continue
        check.keys(
            at,
            entry,
            ("driver", "external", "internal", "ipam", "name", "labels"),
            ignored=("driver_opts", "attachable", "enable_ipv6"),
        )
        external = _external(check, at, entry.get("external"))
        if isinstance(entry.get("external"), dict) and "name" in entry["external"]:
            external_name: str | None = str(entry["external"]["name"])
        else:
            external_name = None
        own_name = check.string((*at, "name"), entry["name"]) if "name" in entry else None
        real = external_name or own_name or (key if external else f"{project}_{key}")
        subnet, gateway = _ipam(check, (*at, "ipam"), entry.get("ipam"))
        labels = check.string_map((*at, "labels"), entry.get("labels") or {}, "labels")
        config = NetworkConfig(
            key=key,
            name=real,
            driver=str(entry.get("driver") or "bridge"),
            external=external,
            internal=bool(entry.get("internal", False)),
            subnet=subnet,
            gateway=gateway,
            labels=Labels({k: v or "" for k, v in labels.items()}),
        )
        result = [n for n in result if n.key != key] + [config]
    return result


def _external(check: Checker, path: tuple[str, ...], value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, dict):  # the 2.x/3.x form `external: {name: x}`
        return True
    return bool(check.boolean((*path, "external"), value))


def _ipam(check: Checker, path: tuple[str, ...], value: Any) -> tuple[str | None, str | None]:
    if value is None:
        return None, None
    entry = check.mapping(path, value) or {}
    check.keys(path, entry, ("driver", "config"), ignored=("options",))
    pools = entry.get("config") or []
    if not isinstance(pools, list):
        check.fail((*path, "config"), "must be a list")
        return None, None
    if len(pools) > 1:
        check.warn((*path, "config"), "only the first pool is used")
    if not pools:
        return None, None
    pool = check.mapping((*path, "config", 0), pools[0]) or {}
    check.keys(
        (*path, "config", 0), pool, ("subnet", "gateway"), ignored=("ip_range", "aux_addresses")
    )
    subnet = pool.get("subnet")
    gateway = pool.get("gateway")
    return (str(subnet) if subnet else None), (str(gateway) if gateway else None)


def _volumes(check: Checker, raw: Any, project: str) -> list[VolumeConfig]:
    if raw is None:
        return []
    result = []
    for key, value in (check.mapping(("volumes",), raw) or {}).items():
        at = ("volumes", key)
        entry = check.mapping(at, value) if value is not None else {}
        if entry is None:
            continue
        check.keys(at, entry, ("driver", "external", "name", "labels"), ignored=("driver_opts",))
        external = _external(check, at, entry.get("external"))
        external_name = (
            str(entry["external"]["name"])
            if isinstance(entry.get("external"), dict) and "name" in entry["external"]
            else None
        )
        own_name = check.string((*at, "name"), entry["name"]) if "name" in entry else None
        real = external_name or own_name or (key if external else f"{project}_{key}")
        labels = check.string_map((*at, "labels"), entry.get("labels") or {}, "labels")
        result.append(
            VolumeConfig(
                key,
                real,
                str(entry.get("driver") or "local"),
                external,
                Labels({k: v or "" for k, v in labels.items()}),
            )
        )
    return result


def _check_references(
    check: Checker,
    services: list[Service],
    networks: list[NetworkConfig],
    volumes: list[VolumeConfig],
    names: set[str],
) -> None:
    network_keys = {n.key for n in networks}
    volume_keys = {v.key for v in volumes}
    for service in services:
        at = ("services", service.name)
        for network in service.networks:
            if network.name not in network_keys:
                check.fail((*at, "networks"), f'network "{network.name}" is not declared')
        for mount in service.volumes:
            if mount.type == "volume" and mount.source and mount.source not in volume_keys:
                check.fail((*at, "volumes"), f'named volume "{mount.source}" is not declared')
        for dep in service.depends_on:
            if dep.service not in names:
                check.fail((*at, "depends_on"), f'unknown service "{dep.service}"')
        for link in service.links:
            if link.split(":", 1)[0] not in names:
                check.fail((*at, "links"), f'unknown service "{link.split(":", 1)[0]}"')
        target = service.service_dependency
        if target is not None and target not in names:
            check.fail((*at, "network_mode"), f'unknown service "{target}"')
    cycle = find_cycle(services)
    if cycle:
        check.fail(("services", cycle[0]), "dependency cycle: " + " -> ".join(cycle))


def find_cycle(services: list[Service]) -> list[str] | None:
    """A dependency loop as a list of names (first repeated at the end), or None."""
    graph = {s.name: [d for d in s.dependencies] for s in services}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    stack: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = 1
        stack.append(name)
        for dep in graph.get(name, ()):
            if state.get(dep) == 1:
                return [*stack[stack.index(dep) :], dep]
            if dep in graph and dep not in state:
                found = visit(dep)
                if found:
                    return found
        stack.pop()
        state[name] = 2
        return None

    for name in graph:
        if name not in state:
            found = visit(name)
            if found:
                return found
    return None
