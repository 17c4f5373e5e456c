"""`swarm_of`: the swarm calls of an engine that speaks the Docker API, else None."""

from __future__ import annotations

from engine_adapters.docker_engine.engine import DockerEngine
from engine_adapters.protocol import Engine
from engine_adapters.swarm.protocol import SwarmEngine


def swarm_of(engine: Engine) -> SwarmEngine | None:
    """Any Docker-API engine has swarm endpoints (`state()` tells whether it manages one);
    an engine with no Docker API has none."""
    return engine.swarm if isinstance(engine, DockerEngine) else None
