"""Finds the engines a user already has and resolves `--engine` to one of them."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from engine_adapters.errors import UnknownEngine

DEFAULT_DOCKER_SOCKET = "/var/run/docker.sock"
NATIVE_SOCKET = "/run/dockyard/dockyard.sock"
NATIVE_DATA_ROOT = "/var/lib/dockyard"
URL_SCHEMES = ("unix", "tcp", "ssh", "http", "https", "npipe")


@dataclass(frozen=True, slots=True)
class EngineTarget:
    """A place an engine may be reached: what `--engine` and the switcher choose between."""

    name: str
    url: str
    kind: str  # "docker", "podman", "context", "ssh", "url" or "native"
    description: str = ""

    @property
    def is_native(self) -> bool:
        return self.kind == "native"


def native_socket(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    return env.get("DOCKYARD_SOCKET") or NATIVE_SOCKET


def native_data_root(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    return env.get("DOCKYARD_DATA_ROOT") or NATIVE_DATA_ROOT


def docker_config_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get("DOCKER_CONFIG"):
        return Path(env["DOCKER_CONFIG"])
    return Path(env.get("HOME", str(Path.home()))) / ".docker"


def docker_contexts(env: Mapping[str, str] | None = None) -> list[EngineTarget]:
    """The contexts `docker context ls` shows, read from ~/.docker/contexts/meta."""
    meta_dir = docker_config_dir(env) / "contexts" / "meta"
    found = []
    for meta in sorted(meta_dir.glob("*/meta.json")) if meta_dir.is_dir() else ():
        try:
            data = json.loads(meta.read_text())
            host = data["Endpoints"]["docker"]["Host"]
            name = str(data["Name"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        description = str((data.get("Metadata") or {}).get("Description", ""))
        found.append(EngineTarget(name, str(host), "context", description))
    return found


def current_context(env: Mapping[str, str] | None = None) -> str | None:
    env = os.environ if env is None else env
    if env.get("DOCKER_CONTEXT"):
        return env["DOCKER_CONTEXT"]
    try:
        config = json.loads((docker_config_dir(env) / "config.json").read_text())
    except (OSError, ValueError):
        return None
    name = config.get("currentContext")
    return str(name) if name else None


def podman_sockets(env: Mapping[str, str] | None = None) -> list[str]:
    env = os.environ if env is None else env
    candidates = []
    if env.get("XDG_RUNTIME_DIR"):
        candidates.append(f"{env['XDG_RUNTIME_DIR']}/podman/podman.sock")
    candidates += [f"/run/user/{os.getuid()}/podman/podman.sock", "/run/podman/podman.sock"]
    return list(dict.fromkeys(candidates))


def socket_answers(path: str, timeout: float = 0.5) -> bool:
    """A cheap liveness check: something accepts connections on the unix socket."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(timeout)
        try:
            probe.connect(path)
        except OSError:
            return False
    return True


def _unix_path(url: str) -> str | None:
    return urlparse(url).path if url.startswith("unix://") else None


def discover(
    env: Mapping[str, str] | None = None, ssh_hosts: Iterable[str] = ()
) -> list[EngineTarget]:
    """Every engine this user could reach, in the order a default is picked."""
    env = os.environ if env is None else env
    targets: list[EngineTarget] = []
    if env.get("DOCKER_HOST"):
        targets.append(
            EngineTarget("DOCKER_HOST", env["DOCKER_HOST"], "docker", "from DOCKER_HOST")
        )
    targets += [c for c in docker_contexts(env) if c.name != "default"]
    if Path(DEFAULT_DOCKER_SOCKET).exists():
        url = f"unix://{DEFAULT_DOCKER_SOCKET}"
        targets.append(EngineTarget("docker", url, "docker", "the default Docker socket"))
    for path in podman_sockets(env):
        if Path(path).exists():
            targets.append(EngineTarget("podman", f"unix://{path}", "podman", "Podman's socket"))
    for host in ssh_hosts:
        targets.append(EngineTarget(host.removeprefix("ssh://"), host, "ssh", "remote over ssh"))
    targets.append(
        EngineTarget("native", f"unix://{native_socket(env)}", "native", "Dockyard's own engine")
    )
    unique: dict[str, EngineTarget] = {}
    for target in targets:
        unique.setdefault(target.url, target)
    return list(unique.values())


def resolve(spec: str | None, env: Mapping[str, str] | None = None) -> EngineTarget:
    """`--engine` to a target: docker, native, a context name or a URL; None picks the default."""
    env = os.environ if env is None else env
    if spec is None:
        return _default(env)
    if spec == "native":
        return EngineTarget("native", f"unix://{native_socket(env)}", "native")
    if spec == "docker":
        url = env.get("DOCKER_HOST") or f"unix://{DEFAULT_DOCKER_SOCKET}"
        return EngineTarget("docker", url, "docker")
    if spec == "podman":
        for path in podman_sockets(env):
            if Path(path).exists():
                return EngineTarget("podman", f"unix://{path}", "podman")
        raise UnknownEngine("no Podman socket found (is podman.socket enabled?)")
    scheme = spec.split("://", 1)[0] if "://" in spec else ""
    if scheme:
        if scheme not in URL_SCHEMES:
            raise UnknownEngine(f"unsupported engine URL scheme {scheme}:// in {spec!r}")
        kind = "ssh" if scheme == "ssh" else "url"
        if spec == f"unix://{native_socket(env)}":
            kind = "native"
        return EngineTarget(spec, spec, kind)
    for context in docker_contexts(env):
        if context.name == spec:
            return context
    if spec == "default":
        return EngineTarget("default", f"unix://{DEFAULT_DOCKER_SOCKET}", "docker")
    raise UnknownEngine(
        f"unknown engine {spec!r}: use docker, native, podman, a docker context or a URL"
    )


def _default(env: Mapping[str, str]) -> EngineTarget:
    if env.get("DOCKER_HOST"):
        return EngineTarget("DOCKER_HOST", env["DOCKER_HOST"], "docker")
    context = current_context(env)
    if context and context != "default":
        for candidate in docker_contexts(env):
            if candidate.name == context:
                return candidate
    if socket_answers(DEFAULT_DOCKER_SOCKET):
        return EngineTarget("docker", f"unix://{DEFAULT_DOCKER_SOCKET}", "docker")
    for path in podman_sockets(env):
        if socket_answers(path):
            return EngineTarget("podman", f"unix://{path}", "podman")
    return EngineTarget("native", f"unix://{native_socket(env)}", "native")
