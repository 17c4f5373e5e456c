"""Docker's swarm mode through a manager's API: models, the SwarmEngine protocol, stacks."""

from engine_adapters.swarm.models import (
    STACK_LABEL,
    OverlayNetwork,
    PublishedPort,
    RollingProgress,
    ServiceLogLine,
    SwarmNode,
    SwarmObject,
    SwarmService,
    SwarmStack,
    SwarmState,
    SwarmTask,
    TaskAddress,
    UpdateStatus,
)
from engine_adapters.swarm.protocol import SwarmEngine
from engine_adapters.swarm.spec import ServiceSpec

__all__ = [
    "STACK_LABEL",
    "OverlayNetwork",
    "PublishedPort",
    "RollingProgress",
    "ServiceLogLine",
    "ServiceSpec",
    "SwarmEngine",
    "SwarmNode",
    "SwarmObject",
    "SwarmService",
    "SwarmStack",
    "SwarmState",
    "SwarmTask",
    "TaskAddress",
    "UpdateStatus",
]
