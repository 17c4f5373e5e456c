"""The async `SwarmEngine` protocol: a swarm as reached through one of its managers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from engine_adapters.protocol import Stream
from engine_adapters.swarm.models import (
    ObjectKind,
    OverlayNetwork,
    RollingProgress,
    ServiceLogLine,
    SwarmNode,
    SwarmObject,
    SwarmService,
    SwarmTask,
)
from engine_adapters.swarm.spec import ServiceSpec
from engine_adapters.swarm.state import SwarmState


class SwarmEngine(Protocol):
    """Every call but `state()` needs a manager and may raise an `EngineError`.

    `state()` never raises for an engine that answers: an engine outside a swarm, a worker,
    or one that has no swarm endpoints at all (Podman) says so in the `SwarmState`.
    """

    @property
    def endpoint(self) -> str: ...

    async def state(self) -> SwarmState: ...

    # reading
    async def nodes(self) -> list[SwarmNode]: ...

    async def services(self, stack: str | None = None) -> list[SwarmService]: ...

    async def inspect_service(self, ref: str) -> SwarmService: ...

    async def tasks(
        self, service: str | None = None, stack: str | None = None, node: str | None = None
    ) -> list[SwarmTask]: ...

    async def secrets(self) -> list[SwarmObject]: ...

    async def configs(self) -> list[SwarmObject]: ...

    async def overlay_networks(self) -> list[OverlayNetwork]: ...

    # services
    async def create_service(self, spec: ServiceSpec) -> SwarmService: ...

    async def replace_service(self, ref: str, spec: ServiceSpec) -> SwarmService:
        """Updates a service to `spec` as a whole (a stack redeploy); tasks roll by its policy."""
        ...

    async def scale(self, ref: str, replicas: int) -> None: ...

    async def update_image(self, ref: str, image: str) -> None:
        """Starts a rolling update to `image`; follow it with `rolling_progress`."""
        ...

    async def rolling_progress(self, ref: str) -> RollingProgress: ...

    async def rollback(self, ref: str) -> None: ...

    async def remove_service(self, ref: str) -> None: ...

    def service_logs(
        self, ref: str, tail: int | None = 200, follow: bool = False, timestamps: bool = False
    ) -> Stream[ServiceLogLine]:
        """The logs of every task of the service, merged as they arrive."""
        ...

    # nodes
    async def set_availability(self, node: str, availability: str) -> None:
        """`active`, `pause` (no new tasks) or `drain` (its tasks move elsewhere)."""
        ...

    async def set_role(self, node: str, role: str) -> None:
        """`manager` (promote) or `worker` (demote)."""
        ...

    async def set_node_labels(self, node: str, labels: Mapping[str, str]) -> None: ...

    # secrets and configs: made from data that is never read back
    async def create_swarm_object(
        self, kind: ObjectKind, name: str, data: bytes, labels: Mapping[str, str]
    ) -> str: ...

    async def remove_swarm_object(self, kind: ObjectKind, ref: str) -> None: ...

    # networks for stacks
    async def create_overlay_network(
        self, name: str, labels: Mapping[str, str], attachable: bool = False
    ) -> str: ...

    async def remove_network(self, ref: str) -> None: ...
