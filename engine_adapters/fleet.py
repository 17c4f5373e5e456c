"""A fleet: several engines named on the command line or in config.toml, each its own target."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from engine_adapters.discovery import EngineTarget, resolve
from engine_adapters.errors import UnknownEngine
from engine_adapters.native import open_engine
from engine_adapters.protocol import Engine

# `lab=ssh://me@host`: a short name for an engine whose URL would make a wide column.
NAMED = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]{0,31})=(?P<spec>.*)$")


@dataclass(frozen=True, slots=True)
class FleetMember:
    """One engine of the fleet: the name its rows carry and where it is reached."""

    label: str
    target: EngineTarget

    @property
    def cli_flags(self) -> tuple[str, ...]:
        """What the docker CLI needs to reach this engine, for the command log."""
        if self.target.kind == "context":
            return ("--context", self.target.name)
        return ("--host", self.target.url)


def fleet_members(specs: Sequence[str], env: Mapping[str, str] | None = None) -> list[FleetMember]:
    """Each spec as `--engine` takes it, or `NAME=SPEC`; an engine named twice is listed once.

    A bad entry raises UnknownEngine naming that entry, so the caller can exit with one line.
    """
    env = os.environ if env is None else env
    members: list[FleetMember] = []
    urls: set[str] = set()
    labels: set[str] = set()
    for raw in specs:
        spec = raw.strip()
        named = NAMED.match(spec) if "://" not in spec.split("=", 1)[0] else None
        name, spec = (named["name"], named["spec"]) if named else ("", spec)
        if not spec:
            raise UnknownEngine(f"fleet entry {raw!r} names no engine")
        try:
            target = resolve(spec, env)
        except UnknownEngine as error:
            raise UnknownEngine(f"fleet entry {raw!r}: {error}") from None
        if target.url in urls:
            continue
        label = name or _short_label(target)
        if label in labels:
            label = f"{label}-{len(members) + 1}"
        urls.add(target.url)
        labels.add(label)
        members.append(FleetMember(label, target))
    return members


def _short_label(target: EngineTarget) -> str:
    """A context or well-known engine by its name; an ssh host as user@host; a socket's file
    name without its extension (`/tmp/lab/podman.sock` is `podman`)."""
    if target.kind in ("docker", "podman", "native", "context"):
        return target.name
    if target.kind == "ssh":
        return target.url.removeprefix("ssh://")
    path = target.url.split("://", 1)[-1].rstrip("/")
    stem = path.rsplit("/", 1)[-1].split(".", 1)[0]
    return stem or target.url


@dataclass(frozen=True, slots=True)
class FleetEngine:
    """A fleet member with its engine, opened but not necessarily answering."""

    member: FleetMember
    engine: Engine

    @property
    def label(self) -> str:
        return self.member.label


def open_fleet(members: Sequence[FleetMember], first: Engine) -> list[FleetEngine]:
    """The fleet's engines: `first` (already connected) for the first member, the others
    opened without contact, so one that is down is shown as such, not fatal."""
    return [
        FleetEngine(member, first if index == 0 else open_engine(member.target))
        for index, member in enumerate(members)
    ]
