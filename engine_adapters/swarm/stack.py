"""Stacks on a swarm: deploy from compose files, list, the tasks of one, remove."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass

from engine_adapters.errors import Conflict, InvalidRequest, NotFound
from engine_adapters.swarm.models import STACK_LABEL, SwarmObject, SwarmStack, SwarmTask
from engine_adapters.swarm.protocol import SwarmEngine
from engine_adapters.swarm.stack_file import Stack


@dataclass(frozen=True, slots=True)
class DeployStep:
    """One thing a deploy did, as the docker CLI prints it: `Creating service web_db`."""

    verb: str  # "Creating", "Updating" or "Removing"
    kind: str  # "network", "secret", "config" or "service"
    name: str

    def __str__(self) -> str:
        return f"{self.verb} {self.kind} {self.name}"


async def require_manager(swarm: SwarmEngine) -> None:
    state = await swarm.state()
    if not state.is_manager:
        where = "is not in a swarm" if not state.active else "is not a swarm manager"
        raise InvalidRequest(f"{swarm.endpoint} {where}: stacks need a manager (--engine)")


async def deploy(swarm: SwarmEngine, stack: Stack, prune: bool = False) -> list[DeployStep]:
    """Creates the stack's missing networks, then creates or updates each service; with
    `prune`, removes the stack's services that the files no longer name."""
    await require_manager(swarm)
    steps: list[DeployStep] = []
    existing = {n.name for n in await swarm.overlay_networks()}
    for network in stack.networks:
        if network.name in existing:
            continue
        if network.external:
            raise NotFound(f'external network "{network.name}" does not exist')
        labels = {STACK_LABEL: stack.name}
        await swarm.create_overlay_network(network.name, labels, network.attachable)
        steps.append(DeployStep("Creating", "network", network.name))
    steps += await _create_objects(swarm, stack)
    services = {s.name: s.id for s in await swarm.services(stack=stack.name)}
    for spec in stack.services:
        if spec.name in services:
            await swarm.replace_service(spec.name, spec)
            steps.append(DeployStep("Updating", "service", spec.name))
        else:
            await swarm.create_service(spec)
            steps.append(DeployStep("Creating", "service", spec.name))
    wanted = {spec.name for spec in stack.services}
    for name, service_id in sorted(services.items()):
        if prune and name not in wanted:
            await swarm.remove_service(service_id)
            steps.append(DeployStep("Removing", "service", name))
    return steps


async def _create_objects(swarm: SwarmEngine, stack: Stack) -> list[DeployStep]:
    """Secrets and configs cannot change once made (a swarm allows new labels only), so one
    that exists by its name is kept, as a task that reads it may be running."""
    existing = {
        "secret": {o.name for o in await swarm.secrets()} if stack.objects else set(),
        "config": {o.name for o in await swarm.configs()} if stack.objects else set(),
    }
    steps = []
    for obj in stack.objects:
        if obj.name in existing[obj.kind]:
            continue
        if obj.external:
            raise NotFound(f'external {obj.kind} "{obj.name}" does not exist')
        labels = {**obj.labels, STACK_LABEL: stack.name}
        await swarm.create_swarm_object(obj.kind, obj.name, obj.data, labels)
        steps.append(DeployStep("Creating", obj.kind, obj.name))
    return steps


async def stacks(swarm: SwarmEngine) -> list[SwarmStack]:
    await require_manager(swarm)
    services = [s for s in await swarm.services() if s.stack]
    networks = Counter(
        n.labels.get(STACK_LABEL) for n in await swarm.overlay_networks() if STACK_LABEL in n.labels
    )
    names = sorted({s.stack for s in services if s.stack})
    return [
        SwarmStack(
            name=name,
            services=sum(1 for s in services if s.stack == name),
            running=sum(1 for s in services if s.stack == name and s.running >= s.desired),
            networks=networks.get(name, 0),
        )
        for name in names
    ]


async def stack_tasks(swarm: SwarmEngine, name: str) -> list[SwarmTask]:
    await require_manager(swarm)
    if not await swarm.services(stack=name):
        raise NotFound(f'no stack "{name}"')
    return await swarm.tasks(stack=name)


async def remove(swarm: SwarmEngine, name: str, attempts: int = 20) -> list[str]:
    """Removes the stack's services, then its secrets, configs and networks; what was removed,
    in order.

    A network is refused while the manager still counts the removed services' tasks on it,
    so its removal is tried again for a few seconds.
    """
    await require_manager(swarm)
    services = await swarm.services(stack=name)
    networks = [n for n in await swarm.overlay_networks() if n.labels.get(STACK_LABEL) == name]
    objects = [
        o
        for o in [*await swarm.secrets(), *await swarm.configs()]
        if o.labels.get(STACK_LABEL) == name
    ]
    if not services and not networks and not objects:
        raise NotFound(f'no stack "{name}"')
    removed = []
    for service in services:
        await swarm.remove_service(service.id)
        removed.append(f"service {service.name}")
    for obj in objects:
        await _remove_object(swarm, obj, attempts)
        removed.append(f"{obj.kind} {obj.name}")
    for network in networks:
        for attempt in range(attempts):
            try:
                await swarm.remove_network(network.id)
                break
            except Conflict:
                if attempt == attempts - 1:
                    raise
                await asyncio.sleep(0.5)
        removed.append(f"network {network.name}")
    return removed


async def _remove_object(swarm: SwarmEngine, obj: SwarmObject, attempts: int) -> None:
    """A secret or config is refused while a removed service's task still holds it."""
    for attempt in range(attempts):
        try:
            await swarm.remove_swarm_object(obj.kind, obj.id)
            return
        except (Conflict, InvalidRequest):
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(0.5)
