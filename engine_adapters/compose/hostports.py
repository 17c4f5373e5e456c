"""Host port ranges shared out among a service's replicas: one port each, kept across `up` runs."""

from __future__ import annotations

from collections.abc import Mapping

from engine_adapters.compose import conventions
from engine_adapters.compose.errors import ComposeError
from engine_adapters.compose.model import Service
from engine_adapters.models import Container

# A replica's ports: the name of each ranged mapping (see `keys`) to its host port.
Assigned = dict[str, int]


def keys(service: Service) -> dict[int, str]:
    """A name for each ranged mapping, by its index in `service.ports`: `80/tcp`, or
    `127.0.0.1:80/udp` with an address; `80/tcp#2` for a second range of the same port."""
    names: dict[int, str] = {}
    for i, mapping in enumerate(service.ports):
        if mapping.published_end is None:
            continue
        where = f"{mapping.host_ip}:" if mapping.host_ip else ""
        name = base = f"{where}{mapping.target}/{mapping.protocol}"
        repeat = 1
        while name in names.values():
            repeat += 1
            name = f"{base}#{repeat}"
        names[i] = name
    return names


def label(assigned: Mapping[str, int]) -> str:
    """The HOST_PORTS label's value: `80/tcp=8081,443/tcp=8444`."""
    return ",".join(f"{k}={port}" for k, port in sorted(assigned.items()))


def recorded(container: Container) -> Assigned:
    """The ports a replica was given, from its label; nothing when it has none we can read."""
    found: Assigned = {}
    text = container.labels.get(conventions.HOST_PORTS, "")
    for item in filter(None, text.split(",")):
        name, _, port = item.rpartition("=")
        if name and port.isdigit():
            found[name] = int(port)
    return found


def assign(service: Service, keep: Mapping[int, Container | None]) -> dict[int, Assigned]:
    """Each replica number's host port for every ranged mapping of the service.

    A replica keeps the port it recorded while that port is still in the range and no
    lower-numbered replica holds it; the others take the lowest free ports, in number order.
    """
    result: dict[int, Assigned] = {number: {} for number in keep}
    numbers = sorted(keep)
    for index, name in keys(service).items():
        mapping = service.ports[index]
        assert mapping.published is not None and mapping.published_end is not None
        pool = range(mapping.published, mapping.published_end + 1)
        given: dict[int, int] = {}
        for number in numbers:
            current = keep[number]
            port = recorded(current).get(name) if current is not None else None
            if port is not None and port in pool and port not in given.values():
                given[number] = port
        free = iter(sorted(set(pool) - set(given.values())))
        for number in numbers:
            if number in given:
                continue
            port = next(free, None)
            if port is None:  # scale_problem refuses this before anything is created
                raise ComposeError(
                    f'service "{service.name}": host ports {mapping.published_text} '
                    f"are too few for {len(numbers)} containers"
                )
            given[number] = port
        for number, port in given.items():
            result[number][name] = port
    return result
