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
    if count <= 1:
        return None
    if service.container_name:
        return (
            f'service "{service.name}" cannot run {count} containers: '
            f'container_name "{service.container_name}" fits one only'
        )
    fixed = next((p for p in service.ports if p.published is not None), None)
    if fixed is not None:
        return (
            f'service "{service.name}" cannot run {count} containers: '
            f"host port {fixed.published} can be published by one only"
        )
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
