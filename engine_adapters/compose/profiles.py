"""Which services a run enables: those without profiles, those of an active profile, and the
ones named on the command line together with everything they depend on."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from engine_adapters.compose.checker import Checker
from engine_adapters.compose.model import Service

ALL = "*"  # COMPOSE_PROFILES=* turns every profile on, as in Docker Compose


def active_profiles(given: Sequence[str] | None, env: Mapping[str, str]) -> frozenset[str]:
    """`--profile` options when there are any, else COMPOSE_PROFILES (comma-separated)."""
    names = list(given or ()) or env.get("COMPOSE_PROFILES", "").split(",")
    return frozenset(n.strip() for n in names if n.strip())


def enabled(
    services: Sequence[Service], active: Collection[str], targets: Sequence[str]
) -> set[str]:
    by_name = {s.name: s for s in services}
    on = {
        s.name
        for s in services
        if not s.profiles or ALL in active or any(p in active for p in s.profiles)
    }
    pending = [t for t in targets if t in by_name]
    seen: set[str] = set()
    while pending:  # a service named on the command line brings what it needs
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        on.add(name)
        pending += [d for d in by_name[name].dependencies if d in by_name]
    return on


def select(
    check: Checker, services: list[Service], active: Collection[str], targets: Sequence[str]
) -> list[Service]:
    """The enabled services; an enabled one that needs a disabled one is a problem."""
    on = enabled(services, active, targets)
    by_name = {s.name: s for s in services}
    for service in services:
        if service.name not in on:
            continue
        for dep in service.dependencies:
            if dep in by_name and dep not in on:
                check.fail(
                    ("services", service.name, _field(service, dep)),
                    f'service "{dep}" is not enabled: no profile of it is active '
                    f"({', '.join(by_name[dep].profiles)})",
                )
    return [s for s in services if s.name in on]


def _field(service: Service, dep: str) -> str:
    if any(d.service == dep for d in service.depends_on):
        return "depends_on"
    if any(link.split(":", 1)[0] == dep for link in service.links):
        return "links"
    return "network_mode"
