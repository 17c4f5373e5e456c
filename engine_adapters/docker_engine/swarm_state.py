"""Whether a Docker engine manages a swarm, read from `/info` without the swarm's calls."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine_adapters.errors import EngineError, EngineUnavailable
from engine_adapters.swarm.state import SwarmState

if TYPE_CHECKING:
    from engine_adapters.docker_engine.engine import DockerEngine


async def read_state(engine: DockerEngine) -> SwarmState:
    """An engine that answers but cannot tell (an old API, Podman) is "inactive", with why."""
    try:
        info = await engine.call(lambda: engine.api.info())
    except EngineError as exc:
        if isinstance(exc, EngineUnavailable):
            raise
        return SwarmState(local_state="inactive", is_manager=False, error=str(exc))
    return state_from_info(info)


def state_from_info(info: dict[str, Any]) -> SwarmState:
    swarm = info.get("Swarm") or {}
    return SwarmState(
        local_state=str(swarm.get("LocalNodeState") or "inactive"),
        is_manager=bool(swarm.get("ControlAvailable")),
        node_id=str(swarm.get("NodeID") or ""),
        node_address=str(swarm.get("NodeAddr") or ""),
        cluster_id=str((swarm.get("Cluster") or {}).get("ID") or ""),
        managers=int(swarm.get("Managers") or 0),
        nodes=int(swarm.get("Nodes") or 0),
        error=str(swarm.get("Error") or ""),
    )
