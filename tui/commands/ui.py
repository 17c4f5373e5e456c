"""`dockyard [--engine E]...`: connect, then open the UI on that engine or on a fleet of them."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from engine_adapters import Engine, discover, open_engine
from engine_adapters.fleet import FleetMember, fleet_members, open_fleet
from tui.commands.connect import connect_listing, connect_target


def engine_choices() -> list[tuple[str, Callable[[], Engine]]]:
    """The engines found on this machine and the ssh hosts of the config, for the switcher."""
    from tui.config import Config

    return [
        (f"{t.name}  {t.url}", lambda t=t: open_engine(t))  # type: ignore[misc]
        for t in discover(ssh_hosts=Config.load().ssh_hosts)
    ]


def fleet_specs(engines: Sequence[str]) -> list[str] | None:
    """`--engine` given more than once, or none given and `[fleet] engines` in the config:
    the engines of a fleet. None for one engine (today's single-engine UI); ValueError for a
    config whose fleet is not a list of strings."""
    if len(engines) > 1:
        return list(engines)
    if engines:
        return None
    from tui.config import Config

    configured = Config.load().fleet
    return configured if configured else None


def run_ui(engines: Sequence[str], read_only: bool = False) -> int:
    try:
        specs = fleet_specs(engines)
    except ValueError as error:
        print(f"dockyard: {error}", file=sys.stderr)
        return 2
    members: list[FleetMember] = fleet_members(specs) if specs else []
    connecting = (
        connect_target(members[0].target)
        if members
        else connect_listing(engines[0] if engines else None)
    )
    # The engine is asked while Textual loads: the answer costs little CPU but some waiting.
    with ThreadPoolExecutor(1, thread_name_prefix="connect") as pool:
        answer = pool.submit(asyncio.run, connecting)
        from tui.app import DockyardApp

        engine, containers = answer.result()
    app = DockyardApp(
        engine,
        read_only=read_only,
        engines=engine_choices(),
        containers=containers,
        fleet=open_fleet(members, engine) if len(members) > 1 else None,
    )
    app.run()
    return app.return_code or 0
