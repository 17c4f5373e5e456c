"""What `up` must do: the start order, and per service create, recreate, start or keep."""

from __future__ import annotations

from enum import StrEnum

from engine_adapters.compose.model import NetworkConfig, Project, Service, VolumeConfig
from engine_adapters.models import Container


class Action(StrEnum):
    CREATE = "create"
    RECREATE = "recreate"
    START = "start"
    KEEP = "keep"


def start_order(project: Project, only: list[str] | None = None) -> list[Service]:
    """Dependencies before dependents, file order otherwise; `only` pulls in what it needs."""
    by_name = {s.name: s for s in project.services}
    wanted = set(only or by_name)
    pending = list(wanted)
    while pending:  # the closure over dependencies
        for dep in by_name[pending.pop()].dependencies:
            if dep not in wanted:
                wanted.add(dep)
                pending.append(dep)
    order: list[Service] = []
    placed: set[str] = set()

    def place(service: Service) -> None:
        if service.name in placed:
            return
        placed.add(service.name)  # the loader has already refused cycles
        for dep in service.dependencies:
            place(by_name[dep])
        order.append(service)

    for service in project.services:
        if service.name in wanted:
            place(service)
    return order


def decide(existing: Container | None, desired_hash: str, current_hash: str | None) -> Action:
    if existing is None:
        return Action.CREATE
    if current_hash != desired_hash:
        return Action.RECREATE
    return Action.KEEP if existing.state.is_up else Action.START


def used_networks(project: Project, services: list[Service]) -> list[NetworkConfig]:
    """Only networks some service joins: the default one exists only when a service uses it."""
    keys = {n.name for s in services for n in s.networks}
    return [n for n in project.networks if n.key in keys]


def used_volumes(project: Project, services: list[Service]) -> list[VolumeConfig]:
    keys = {m.source for s in services for m in s.volumes if m.type == "volume" and m.source}
    return [v for v in project.volumes if v.key in keys]


def depths(project: Project) -> dict[str, int]:
    """How far down the dependency chain each service sits: 0 for one that needs nothing.

    Services of equal depth do not depend on one another, so they stop together.
    """
    by_name = {s.name: s for s in project.services}
    memo: dict[str, int] = {}

    def depth(name: str) -> int:
        if name not in memo:
            deps = by_name[name].dependencies
            memo[name] = 1 + max((depth(d) for d in deps), default=-1)
        return memo[name]

    for name in by_name:
        depth(name)
    return memo
