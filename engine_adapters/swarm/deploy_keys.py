"""A compose service's `deploy:` block read for a swarm, every problem named by file:line."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine_adapters.compose.checker import Checker, describe
from engine_adapters.compose.fields import duration
from engine_adapters.compose.source import Path
from engine_adapters.models import EMPTY, Labels
from engine_adapters.swarm.spec import Resources, RestartPolicy, UpdatePolicy

DEPLOY_KEYS = (
    "mode",
    "replicas",
    "labels",
    "placement",
    "resources",
    "restart_policy",
    "update_config",
    "rollback_config",
    "endpoint_mode",
)
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


@dataclass(frozen=True, slots=True)
class Deploy:
    mode: str = "replicated"
    labels: Mapping[str, str] = EMPTY
    constraints: tuple[str, ...] = ()
    preferences: tuple[str, ...] = ()
    max_replicas_per_node: int = 0
    resources: Resources | None = None
    restart_policy: RestartPolicy | None = None
    update_config: UpdatePolicy | None = None
    rollback_config: UpdatePolicy | None = None
    endpoint_mode: str = "vip"


def read_deploy(check: Checker, path: Path, raw: Any) -> Deploy:
    """`raw` is the service's `deploy` value (replicas are the compose loader's)."""
    if raw is None:
        return Deploy()
    entry = check.mapping(path, raw)
    if entry is None:
        return Deploy()
    check.keys(path, entry, DEPLOY_KEYS)
    modes = ("replicated", "global")
    mode = _choice(check, (*path, "mode"), entry.get("mode", "replicated"), modes)
    if mode == "global" and entry.get("replicas") is not None:
        check.fail((*path, "replicas"), "a global service runs one task per node: no replicas")
    endpoint_mode = _choice(
        check, (*path, "endpoint_mode"), entry.get("endpoint_mode", "vip"), ("vip", "dnsrr")
    )
    labels = check.string_map((*path, "labels"), entry.get("labels") or {}, "labels")
    placement = _placement(check, (*path, "placement"), entry.get("placement"))
    return Deploy(
        mode=mode,
        labels=Labels({k: v or "" for k, v in labels.items()}),
        constraints=placement[0],
        preferences=placement[1],
        max_replicas_per_node=placement[2],
        resources=_resources(check, (*path, "resources"), entry.get("resources")),
        restart_policy=_restart(check, (*path, "restart_policy"), entry.get("restart_policy")),
        update_config=_policy(check, (*path, "update_config"), entry.get("update_config")),
        rollback_config=_policy(check, (*path, "rollback_config"), entry.get("rollback_config")),
        endpoint_mode=endpoint_mode,
    )


def _choice(check: Checker, path: Path, value: Any, allowed: tuple[str, ...]) -> str:
    if value in allowed:
        return str(value)
    check.fail(path, f"must be {' or '.join(allowed)}, not {describe(value)}")
    return allowed[0]


def _whole(check: Checker, path: Path, value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    check.fail(path, f"must be a whole number, not {describe(value)}")
    return 0


Placement = tuple[tuple[str, ...], tuple[str, ...], int]


def _placement(check: Checker, path: Path, raw: Any) -> Placement:
    if raw is None:
        return (), (), 0
    entry = check.mapping(path, raw) or {}
    check.keys(path, entry, ("constraints", "preferences", "max_replicas_per_node"))
    constraints = check.string_list((*path, "constraints"), entry.get("constraints") or [])
    for i, constraint in enumerate(constraints):
        if not re.fullmatch(r"\s*[\w.\-]+\s*(==|!=)\s*\S.*", constraint):
            check.fail((*path, "constraints", i), f'invalid constraint "{constraint}"')
    preferences = []
    for i, item in enumerate(entry.get("preferences") or []):
        pref = check.mapping((*path, "preferences", i), item) or {}
        check.keys((*path, "preferences", i), pref, ("spread",))
        if "spread" in pref:
            spread = check.string((*path, "preferences", i, "spread"), pref["spread"])
            if spread:
                preferences.append(spread)
    max_per_node = (
        _whole(check, (*path, "max_replicas_per_node"), entry["max_replicas_per_node"])
        if "max_replicas_per_node" in entry
        else 0
    )
    return tuple(constraints), tuple(preferences), max_per_node


def _cpus(check: Checker, path: Path, value: Any) -> float:
    try:
        cpus = float(value)
    except (TypeError, ValueError):
        cpus = -1.0
    if cpus < 0 or isinstance(value, bool):
        check.fail(path, f"must be a number of CPUs such as 0.5, not {describe(value)}")
        return 0.0
    return cpus


def memory_bytes(value: Any) -> int | None:
    """`512M`, `1g`, `64mb`, `1.5GiB` or a number of bytes; None when it is none of those."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    match = _SIZE.fullmatch(str(value).strip()) if isinstance(value, str) else None
    if match is None:
        return None
    return int(float(match.group(1)) * _SIZE_UNITS[match.group(2).lower()])


def _limits(check: Checker, path: Path, raw: Any) -> tuple[float, int]:
    if raw is None:
        return 0.0, 0
    entry = check.mapping(path, raw) or {}
    check.keys(path, entry, ("cpus", "memory"), ignored=("pids", "devices", "generic_resources"))
    cpus = _cpus(check, (*path, "cpus"), entry["cpus"]) if "cpus" in entry else 0.0
    memory = 0
    if "memory" in entry:
        found = memory_bytes(entry["memory"])
        if found is None:
            check.fail((*path, "memory"), f"invalid size {describe(entry['memory'])}")
        memory = found or 0
    return cpus, memory


def _resources(check: Checker, path: Path, raw: Any) -> Resources | None:
    if raw is None:
        return None
    entry = check.mapping(path, raw) or {}
    check.keys(path, entry, ("limits", "reservations"))
    cpus_limit, memory_limit = _limits(check, (*path, "limits"), entry.get("limits"))
    cpus_res, memory_res = _limits(check, (*path, "reservations"), entry.get("reservations"))
    return Resources(cpus_limit, memory_limit, cpus_res, memory_res)


def _seconds(check: Checker, path: Path, entry: dict[str, Any], key: str, default: float) -> float:
    if key not in entry:
        return default
    return duration(check, (*path, key), entry[key]) or 0.0


def _restart(check: Checker, path: Path, raw: Any) -> RestartPolicy | None:
    if raw is None:
        return None
    entry = check.mapping(path, raw) or {}
    check.keys(path, entry, ("condition", "delay", "max_attempts", "window"))
    condition = _choice(
        check, (*path, "condition"), entry.get("condition", "any"), ("any", "on-failure", "none")
    )
    return RestartPolicy(
        condition=condition,
        delay=_seconds(check, path, entry, "delay", 5.0),
        max_attempts=_whole(check, (*path, "max_attempts"), entry["max_attempts"])
        if "max_attempts" in entry
        else 0,
        window=_seconds(check, path, entry, "window", 0.0),
    )


def _policy(check: Checker, path: Path, raw: Any) -> UpdatePolicy | None:
    if raw is None:
        return None
    entry = check.mapping(path, raw) or {}
    check.keys(
        path,
        entry,
        ("parallelism", "delay", "failure_action", "monitor", "max_failure_ratio", "order"),
    )
    actions: tuple[str, ...] = ("pause", "continue")
    if path[-1] == "update_config":
        actions = (*actions, "rollback")
    ratio = entry.get("max_failure_ratio", 0.0)
    if not isinstance(ratio, (int, float)) or isinstance(ratio, bool) or not 0 <= ratio <= 1:
        check.fail((*path, "max_failure_ratio"), f"must be between 0 and 1, not {describe(ratio)}")
        ratio = 0.0
    return UpdatePolicy(
        parallelism=_whole(check, (*path, "parallelism"), entry["parallelism"])
        if "parallelism" in entry
        else 1,
        delay=_seconds(check, path, entry, "delay", 0.0),
        failure_action=_choice(
            check, (*path, "failure_action"), entry.get("failure_action", "pause"), actions
        ),
        monitor=_seconds(check, path, entry, "monitor", 5.0),
        max_failure_ratio=float(ratio),
        order=_choice(
            check, (*path, "order"), entry.get("order", "stop-first"), ("stop-first", "start-first")
        ),
    )
