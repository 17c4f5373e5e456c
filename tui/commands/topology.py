"""`dockyard topology`: the network graph of an engine, or of its swarm, as text, dot or SVG."""

from __future__ import annotations

import asyncio
import shutil
import sys

from engine_adapters.errors import InvalidRequest
from engine_adapters.protocol import Engine
from tui.commands.connect import connect


def run_topology_command(spec: str | None, fmt: str, width: int, swarm: bool = False) -> int:
    from engine_adapters.topology import export, load_topology

    text_width = width or shutil.get_terminal_size().columns

    async def build() -> str:
        engine = await connect(spec)
        try:
            if swarm:
                return await _swarm_graph(engine, fmt, text_width)
            topology = await load_topology(engine)
        finally:
            await engine.close()
        return export(topology, fmt, width=text_width if fmt == "text" else None)

    sys.stdout.write(asyncio.run(build()))
    return 0


async def _swarm_graph(engine: Engine, fmt: str, width: int) -> str:
    """The swarm's nodes as groups, their tasks and the overlay networks across them."""
    from engine_adapters.swarm.reach import swarm_of
    from engine_adapters.topology.swarm_graph import load_swarm_graph
    from engine_adapters.topology.swarm_render import export_swarm

    swarm = swarm_of(engine)
    state = await swarm.state() if swarm is not None else None
    if swarm is None or state is None or not state.is_manager:
        raise InvalidRequest(f"{engine.endpoint} is not a swarm manager")
    return export_swarm(await load_swarm_graph(swarm), fmt, width)
