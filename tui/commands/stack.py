"""`dockyard stack ...`: stacks on the swarm whose manager `--engine` picks."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from engine_adapters.compose import ComposeFileError
from engine_adapters.errors import InvalidRequest
from engine_adapters.swarm.reach import swarm_of
from engine_adapters.swarm.stack import deploy, remove, stack_tasks, stacks
from engine_adapters.swarm.stack_file import Stack, load_stack
from tui.commands.connect import connect


def run_stack_command(args: argparse.Namespace) -> int:
    """Runs one verb; a bad compose file prints every problem and changes nothing."""
    stack = None
    if args.stack_command == "deploy":
        try:
            stack = load_stack(args.compose_file, args.name)
        except ComposeFileError as exc:
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            return 1
        for warning in stack.warnings:
            print(f"warning: {warning}", file=sys.stderr)
    spec = getattr(args, "stack_engine", None) or getattr(args, "engine", None)
    return asyncio.run(_run(spec, args, stack))


async def _run(spec: str | None, args: argparse.Namespace, stack: Stack | None) -> int:
    engine = await connect(spec)
    try:
        swarm = swarm_of(engine)
        if swarm is None:
            raise InvalidRequest(f"{engine.endpoint} has no swarm mode")
        verb = args.stack_command
        if verb == "deploy" and stack is not None:
            for step in await deploy(swarm, stack, prune=args.prune):
                print(step)
        elif verb == "ls":
            _table(
                [("NAME", "SERVICES", "RUNNING", "NETWORKS")]
                + [
                    (s.name, str(s.services), str(s.running), str(s.networks))
                    for s in await stacks(swarm)
                ]
            )
        elif verb == "ps":
            tasks = await stack_tasks(swarm, args.name)
            shown = [t for t in tasks if args.all or t.desired_state == "running"]
            _table(
                [("ID", "NAME", "IMAGE", "NODE", "DESIRED", "CURRENT", "ERROR")]
                + [
                    (
                        t.id[:12],
                        t.name,
                        t.image,
                        t.node_hostname,
                        t.desired_state,
                        t.state,
                        t.error,
                    )
                    for t in shown
                ]
            )
        elif verb == "services":
            await stack_tasks(swarm, args.name)  # an unknown stack is an error, not an empty list
            _table(
                [("ID", "NAME", "MODE", "REPLICAS", "IMAGE", "PORTS")]
                + [
                    (
                        s.id[:12],
                        s.name,
                        s.mode,
                        s.replicas_text,
                        s.image,
                        ", ".join(str(p) for p in s.ports),
                    )
                    for s in await swarm.services(stack=args.name)
                ]
            )
        elif verb == "rm":
            for name in args.names:
                for removed in await remove(swarm, name):
                    print(f"Removing {removed}")
        return 0
    finally:
        await engine.close()


def _table(rows: Sequence[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("   ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
