"""`SwarmState`: where an engine stands in a swarm, apart from the swarm's models.

Every Docker-API engine is asked this at start; only a manager goes on to load the rest.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SwarmState:
    """Where an engine stands in a swarm; only a manager can list and change the swarm.

    `local_state` is Docker's `LocalNodeState`: "inactive" (no swarm), "pending", "active",
    "error" or "locked"; `error` says why when the engine cannot tell (an old API, Podman).
    """

    local_state: str
    is_manager: bool
    node_id: str = ""
    node_address: str = ""
    cluster_id: str = ""
    managers: int = 0
    nodes: int = 0
    error: str = ""

    @property
    def active(self) -> bool:
        return self.local_state == "active"
