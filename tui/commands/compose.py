"""`dockyard compose ...`: Compose verbs over whichever engine `--engine` picks."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections import Counter
from collections.abc import Awaitable, Callable

from engine_adapters import Engine
from engine_adapters.compose import (
    ComposeFileError,
    Orchestrator,
    Project,
    load_project,
    merged_logs,
    render_project,
)
from engine_adapters.compose.conventions import NUMBER as CONTAINER_NUMBER
from engine_adapters.models import Container
from tui.commands.connect import connect

_COLOURS = ("36", "33", "32", "35", "34", "96", "93", "92", "95", "94")


def run_compose_command(args: argparse.Namespace) -> int:
    """Runs one verb; a bad compose file prints every problem and changes nothing."""
    try:
        project = load_project(
            args.file,
            args.project_name,
            env_file=args.env_file,
            profiles=getattr(args, "profile", None),
            services=getattr(args, "services", None) or (),
        )
    except ComposeFileError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    for warning in project.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.compose_command == "config":
        sys.stdout.write(render_project(project))
        return 0
    spec = getattr(args, "compose_engine", None) or getattr(args, "engine", None)
    return asyncio.run(_run(spec, project, args))


async def _run(spec: str | None, project: Project, args: argparse.Namespace) -> int:
    engine = await connect(spec)
    try:
        runner = Orchestrator(engine, project, report=lambda line: print(line, file=sys.stderr))
        services = list(getattr(args, "services", None) or ()) or None
        verb = args.compose_command
        if verb == "up":
            await runner.up(services, scale=dict(args.scale))
            if args.detach:
                return 0
            return await _follow_until_interrupted(engine, runner, services)
        actions: dict[str, Callable[[], Awaitable[None]]] = {
            "down": lambda: runner.down(volumes=args.volumes, timeout=args.timeout),
            "start": lambda: runner.start(services),
            "stop": lambda: runner.stop(services, args.timeout),
            "restart": lambda: runner.restart(services, args.timeout),
            "pull": lambda: runner.pull(services),
            "build": lambda: runner.build(services),
        }
        if verb in actions:
            await actions[verb]()
            return 0
        if verb == "ps":
            _print_ps(await runner.containers(services))
            return 0
        if verb == "logs":
            await _print_logs(engine, await runner.containers(services), args.follow, args.tail)
            return 0
        raise AssertionError(f"unknown compose verb {verb}")
    finally:
        await engine.close()


async def _follow_until_interrupted(
    engine: Engine, runner: Orchestrator, services: list[str] | None
) -> int:
    """`up` without -d: the merged logs until every container ends or Ctrl+C, which stops them."""
    try:
        await _print_logs(engine, await runner.containers(services), True, None)
        return 0
    except asyncio.CancelledError:
        print("Gracefully stopping...", file=sys.stderr)
        await runner.stop(services)
        return 130


async def _print_logs(
    engine: Engine, containers: list[Container], follow: bool, tail: int | None
) -> None:
    colour = sys.stdout.isatty()
    labels = _log_labels(containers)
    width = max((len(s) for s in labels.values()), default=0)
    palette = {s: _COLOURS[i % len(_COLOURS)] for i, s in enumerate(dict.fromkeys(labels.values()))}
    async for container, line in merged_logs(engine, containers, follow=follow, tail=tail):
        label = labels[container.id]
        prefix = f"{label:<{width}} | "
        if colour:
            prefix = f"\x1b[{palette[label]}m{prefix}\x1b[0m"
        sys.stdout.write(prefix + line.text.rstrip("\n") + "\n")
        sys.stdout.flush()


def _log_labels(containers: list[Container]) -> dict[str, str]:
    """The service's name, or `service-N` when the service runs several containers."""
    counts = Counter(c.compose_service or c.name for c in containers)
    labels = {}
    for c in containers:
        service = c.compose_service or c.name
        number = c.labels.get(CONTAINER_NUMBER, "1")
        labels[c.id] = service if counts[service] == 1 else f"{service}-{number}"
    return labels


def _print_ps(containers: list[Container]) -> None:
    rows = [("NAME", "SERVICE", "STATUS", "PORTS")]
    for c in containers:
        ports = ", ".join(str(p) for p in c.ports if p.published)
        rows.append((c.name, c.compose_service or "", c.status, ports))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print(
            "   ".join(cell.ljust(w) for cell, w in zip(row[:3], widths, strict=True))
            + "   "
            + row[3]
        )
