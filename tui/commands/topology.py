"""`dockyard topology`: the network graph of an engine as text, Graphviz dot or SVG."""

from __future__ import annotations

import asyncio
import shutil
import sys

from tui.commands.connect import connect


def run_topology_command(spec: str | None, fmt: str, width: int) -> int:
    from engine_adapters.topology import export, load_topology

    async def build() -> str:
        engine = await connect(spec)
        try:
            topology = await load_topology(engine)
        finally:
            await engine.close()
        if fmt == "text":
            return export(topology, fmt, width=width or shutil.get_terminal_size().columns)
        return export(topology, fmt)

    sys.stdout.write(asyncio.run(build()))
    return 0
