"""How many containers a service runs, and which to keep, create or remove to get there."""

from __future__ import annotations

from collections.abc import Mapping

from engine_adapters.compose import conventions
from engine_adapters.compose.model import Service
from engine_adapters.models import Container


def number_of(container: Container) -> int:
    """The container's `container-number` label; 1 when it has none we can read."""
    try:
        return int(container.labels.get(conventions.NUMBER, "1"))
    except ValueError:
        return 1


def wanted(service: Service, scale: Mapping[str, int] | None = None) -> int:
    """`--scale` wins over the file's `deploy.replicas`; one container when neither says."""
    if scale and service.name in scale:
        return scale[service.name]
    return 1 if service.scale is None else service.scale


def scale_problem(service: Service, count: int) -> str | None:
    """Why `service` cannot run `count` containers, or None when it can."""
    found = _problem(service, count)
    return None if found is None else found[1]


def scale_refusal(service: Service, count: int) -> str | None:
    """scale_problem led by the place in the file of the port at fault, for `up --scale`."""
    found = _problem(service, count)
    if found is None:
        return None
    origin, problem = found
    return f"{origin}: {problem}" if origin else problem


def _problem(service: Service, count: int) -> tuple[str, str] | None:
    """Where the obstacle was written ("" when nowhere in particular) and what it is."""
    if count <= 1:
        return None
    cannot = f'service "{service.name}" cannot run {count} containers'
    if service.container_name:
        return "", f'{cannot}: container_name "{service.container_name}" fits one only'
    for port in service.ports:
        room = port.host_port_count
        if room == 1:
            return port.origin, f"{cannot}: host port {port.published} can be published by one only"
        if 1 < room < count:
            return port.origin, f"{cannot}: host port range {port.published_text} has {room} ports"
    return None


def split(
    existing: list[Container], count: int
) -> tuple[dict[int, Container | None], list[Container]]:
    """The numbers to run, each with its container when there is one, and the containers to
    remove (the highest numbers first).

    The `count` lowest-numbered containers stay; new ones take the lowest free numbers.
    """
    ordered = sorted(existing, key=lambda c: (number_of(c), c.name))
    keep: dict[int, Container | None] = {}
    extra: list[Container] = []
    for container in ordered:
        number = number_of(container)
        if len(keep) < count and number not in keep:
            keep[number] = container
        else:
            extra.append(container)
    number = 1
    while len(keep) < count:
        if number not in keep:
            keep[number] = None
        number += 1
    return dict(sorted(keep.items())), sorted(extra, key=number_of, reverse=True)
