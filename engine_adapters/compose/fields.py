"""Parsers for the service fields with a syntax of their own: ports, volumes, durations, ..."""

from __future__ import annotations

import re
import shlex
from dataclasses import replace
from typing import Any

from engine_adapters.compose.checker import Checker, describe
from engine_adapters.compose.model import Dependency, Healthcheck, Mount, PortMapping
from engine_adapters.compose.source import Path, path_text

_PORT_RANGE = re.compile(r"^(\d+)(?:-(\d+))?$")
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(us|ms|s|m|h)")
_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
CONDITIONS = ("service_started", "service_healthy", "service_completed_successfully")


def command(check: Checker, path: Path, value: Any) -> tuple[str, ...] | None:
    """A string is split as a shell would (without running one); a list is taken as it is."""
    if isinstance(value, str):
        try:
            return tuple(shlex.split(value))
        except ValueError as exc:
            check.fail(path, f"cannot split {describe(value)}: {exc}")
            return None
    if isinstance(value, list):
        return tuple(check.string_list(path, value))
    check.fail(path, f"must be a string or a list, not {describe(value)}")
    return None


def duration(check: Checker, path: Path, value: Any) -> float | None:
    """`1m30s`, `10s`, `500ms` or a number of seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and value and _DURATION_PART.sub("", value) == "":
        return sum(float(n) * _UNITS[u] for n, u in _DURATION_PART.findall(value))
    check.fail(path, f"invalid duration {describe(value)}")
    return None


def _port_range(text: str) -> tuple[int, int] | None:
    match = _PORT_RANGE.match(text)
    if not match:
        return None
    low = int(match.group(1))
    high = int(match.group(2) or low)
    if not (0 < low <= high <= 65535):
        return None
    return low, high


def ports(check: Checker, path: Path, value: Any) -> list[PortMapping]:
    if not isinstance(value, list):
        check.fail(path, f"must be a list, not {describe(value)}")
        return []
    result: list[PortMapping] = []
    for i, item in enumerate(value):
        parsed: list[PortMapping] | None = []
        if isinstance(item, dict):
            parsed = _long_port(check, (*path, i), item)
        elif isinstance(item, (str, int)) and not isinstance(item, bool):
            parsed = short_port(str(item))
            if parsed is None:
                check.fail((*path, i), f'invalid port "{item}"')
        else:
            check.fail((*path, i), f"invalid port {describe(item)}")
        origin = _origin(check, (*path, i))
        result.extend(replace(p, origin=origin) for p in parsed or ())
    return result


def _origin(check: Checker, path: Path) -> str:
    """`compose.yaml:9: services.web.ports[0]`, as a Problem names its place."""
    file, line = check.source.where(path)
    return f"{file}:{line}: {path_text(path)}" if line else f"{file}: {path_text(path)}"


def short_port(text: str) -> list[PortMapping] | None:
    """`[ip:][host:]container[/proto]`, where host and container may be ranges of equal length
    (mapped one to one), or host a range and container one port (a port of the range each)."""
    spec, _, protocol = text.partition("/")
    protocol = protocol.lower() or "tcp"
    if protocol not in ("tcp", "udp", "sctp"):
        return None
    host_ip = ""
    if spec.startswith("["):  # [::1]:8080:80
        end = spec.find("]")
        if end < 0:
            return None
        host_ip, spec = spec[1:end], spec[end + 1 :].lstrip(":")
    parts = spec.split(":")
    if len(parts) == 3:
        host_ip, host, target = parts
    elif len(parts) == 2:
        host, target = parts
    elif len(parts) == 1:
        host, target = "", parts[0]
    else:
        return None
    targets = _port_range(target)
    if targets is None:
        return None
    count = targets[1] - targets[0] + 1
    if not host:
        return [PortMapping(t, None, protocol, host_ip) for t in range(targets[0], targets[1] + 1)]
    hosts = _port_range(host)
    if hosts is None:
        return None
    if count == 1 and hosts[1] > hosts[0]:
        return [PortMapping(targets[0], hosts[0], protocol, host_ip, hosts[1])]
    if hosts[1] - hosts[0] + 1 != count:
        return None
    return [PortMapping(targets[0] + k, hosts[0] + k, protocol, host_ip) for k in range(count)]


def _long_port(check: Checker, path: Path, item: dict[str, Any]) -> list[PortMapping]:
    check.keys(path, item, ("target", "published", "protocol", "host_ip", "mode", "name"))
    target = item.get("target")
    if not isinstance(target, int) or isinstance(target, bool) or not 0 < target <= 65535:
        check.fail((*path, "target"), f"invalid port {describe(target)}")
        return []
    protocol = str(item.get("protocol") or "tcp").lower()
    host_ip = str(item.get("host_ip") or "")
    published = item.get("published")
    if published is None or published == "":
        return [PortMapping(target, None, protocol, host_ip)]
    hosts = _port_range(str(published))
    if hosts is None:
        check.fail((*path, "published"), f'invalid port "{published}"')
        return []
    end = hosts[1] if hosts[1] > hosts[0] else None
    return [PortMapping(target, hosts[0], protocol, host_ip, end)]


def _is_path(source: str) -> bool:
    return source.startswith((".", "/", "~"))


def volumes(check: Checker, path: Path, value: Any) -> list[tuple[int, Mount]]:
    """Each mount with its index; bind sources are left as written (the loader resolves them
    against the folder of the file the entry came from)."""
    if not isinstance(value, list):
        check.fail(path, f"must be a list, not {describe(value)}")
        return []
    result: list[tuple[int, Mount]] = []
    for i, item in enumerate(value):
        at = (*path, i)
        if isinstance(item, dict):
            mount = _long_volume(check, at, item)
        elif isinstance(item, str):
            mount = short_volume(item)
            if mount is None:
                check.fail(at, f'invalid volume "{item}"')
        else:
            check.fail(at, f"invalid volume {describe(item)}")
            mount = None
        if mount is not None:
            result.append((i, mount))
    return result


def short_volume(text: str) -> Mount | None:
    """`[source:]target[:modes]`, as a service's `volumes:` entry or `docker run -v` reads it."""
    parts = text.split(":")
    if len(parts) == 1:
        return Mount("volume", parts[0]) if parts[0].startswith("/") else None
    if len(parts) > 3:
        return None
    source, target = parts[0], parts[1]
    modes = set(parts[2].split(",")) if len(parts) == 3 else set()
    if not source or not target.startswith("/") or not modes <= {"ro", "rw", "z", "Z", "nocopy"}:
        return None
    kind = "bind" if _is_path(source) else "volume"
    return Mount(kind, target, source, read_only="ro" in modes)


def _long_volume(check: Checker, path: Path, item: dict[str, Any]) -> Mount | None:
    check.keys(
        path,
        item,
        ("type", "source", "target", "read_only", "bind", "volume", "consistency"),
        ignored=("tmpfs",),
    )
    kind = item.get("type", "volume")
    target = item.get("target")
    source = item.get("source") or ""
    if kind not in ("volume", "bind"):
        check.fail((*path, "type"), f'unsupported volume type "{kind}" (volume or bind)')
        return None
    if not isinstance(target, str) or not target.startswith("/"):
        check.fail((*path, "target"), f"must be an absolute path, not {describe(target)}")
        return None
    if not isinstance(source, str) or (kind == "bind" and not source):
        check.fail((*path, "source"), f"invalid source {describe(source)}")
        return None
    read_only = bool(item.get("read_only", False))
    return Mount(kind, target, source, read_only)


def healthcheck(check: Checker, path: Path, value: Any) -> Healthcheck | None:
    item = check.mapping(path, value)
    if item is None:
        return None
    check.keys(
        path,
        item,
        ("test", "interval", "timeout", "retries", "start_period", "disable"),
        ignored=("start_interval",),
    )
    if item.get("disable"):
        return Healthcheck(("NONE",), disable=True)
    raw = item.get("test")
    if isinstance(raw, str):
        test: tuple[str, ...] = ("CMD-SHELL", raw)
    elif isinstance(raw, list) and raw and raw[0] in ("CMD", "CMD-SHELL", "NONE"):
        test = tuple(check.string_list((*path, "test"), raw))
    else:
        check.fail(
            (*path, "test"), "must be a string or a list starting with CMD, CMD-SHELL or NONE"
        )
        return None
    retries = item.get("retries")
    if retries is not None and (not isinstance(retries, int) or isinstance(retries, bool)):
        check.fail((*path, "retries"), f"must be a number, not {describe(retries)}")
        retries = None

    def seconds(key: str) -> float | None:
        return duration(check, (*path, key), item[key]) if key in item else None

    return Healthcheck(
        test, seconds("interval"), seconds("timeout"), retries, seconds("start_period")
    )


def depends_on(check: Checker, path: Path, value: Any) -> list[Dependency]:
    if isinstance(value, list):
        return [Dependency(name) for name in check.string_list(path, value)]
    if not isinstance(value, dict):
        check.fail(path, f"must be a list or a mapping, not {describe(value)}")
        return []
    result = []
    for name, spec in value.items():
        condition = "service_started"
        if spec is not None:
            entry = check.mapping((*path, name), spec)
            if entry is None:
                continue
            check.keys((*path, name), entry, ("condition",), ignored=("restart", "required"))
            condition = entry.get("condition", condition)
            if condition not in CONDITIONS:
                check.fail((*path, name, "condition"), f'unknown condition "{condition}"')
                continue
        result.append(Dependency(name, condition))
    return result


def restart(check: Checker, path: Path, value: Any) -> str:
    text = "no" if value is False else str(value)
    name, _, count = text.partition(":")
    if name in ("no", "always", "unless-stopped") and not count:
        return text
    if name == "on-failure" and (not count or count.isdigit()):
        return text
    check.fail(path, f'invalid restart policy "{text}"')
    return "no"
