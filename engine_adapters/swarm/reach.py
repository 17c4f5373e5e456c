"""An engine's swarm: whether it manages one (`swarm_state`), and its calls (`swarm_of`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine_adapters.docker_engine.engine import DockerEngine
from engine_adapters.docker_engine.swarm_state import read_state
from engine_adapters.protocol import Engine
from engine_adapters.swarm.state import SwarmState

if TYPE_CHECKING:
    from engine_adapters.swarm.protocol import SwarmEngine


def swarm_of(engine: Engine) -> SwarmEngine | None:
    """Any Docker-API engine has swarm endpoints (`state()` tells whether it manages one);
    an engine with no Docker API has none."""
    return engine.swarm if isinstance(engine, DockerEngine) else None


async def swarm_state(engine: Engine) -> SwarmState | None:
    """As `swarm_of(engine).state()`, without loading the swarm's calls and models."""
    return await read_state(engine) if isinstance(engine, DockerEngine) else None
