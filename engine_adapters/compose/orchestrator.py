"""Compose verbs over the Engine protocol only, so one implementation drives every engine."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping

from engine_adapters.compose import conventions, hostports, replicas
from engine_adapters.compose.errors import ComposeError
from engine_adapters.compose.model import Dependency, NetworkConfig, Project, Service
from engine_adapters.compose.planner import (
    Action,
    decide,
    depths,
    start_order,
    used_networks,
    used_volumes,
)
from engine_adapters.compose.runspec import network_mode, run_spec
from engine_adapters.errors import NotFound
from engine_adapters.models import Container, ContainerState, Health
from engine_adapters.protocol import Engine

Reporter = Callable[[str], None]
HEALTH_TIMEOUT = 120.0
POLL = 0.25


def _quiet(_: str) -> None:
    return None


class Orchestrator:
    """One project on one engine; `report` receives a line per step (`Container x  Started`)."""

    def __init__(self, engine: Engine, project: Project, report: Reporter = _quiet) -> None:
        self.engine = engine
        self.project = project
        self.report = report

    # queries
    async def containers(self, services: list[str] | None = None) -> list[Container]:
        """The project's containers (running or not), in start order."""
        rank = {s.name: i for i, s in enumerate(start_order(self.project))}
        found = [
            c
            for c in await self.engine.containers(all=True)
            if c.compose_project == self.project.name
            and c.labels.get(conventions.ONEOFF, "False") == "False"
            and (not services or c.compose_service in services)
        ]
        return sorted(
            found,
            key=lambda c: (
                rank.get(c.compose_service or "", len(rank)),
                c.compose_service or "",
                replicas.number_of(c),
                c.name,
            ),
        )

    async def _by_service(self) -> dict[str, list[Container]]:
        found: dict[str, list[Container]] = {}
        for container in await self.containers():
            found.setdefault(container.compose_service or "", []).append(container)
        return found

    # up
    async def up(
        self,
        services: list[str] | None = None,
        health_timeout: float = HEALTH_TIMEOUT,
        scale: Mapping[str, int] | None = None,
    ) -> None:
        """Creates what is missing, recreates what changed, starts what is stopped, and runs
        as many containers of each service as `scale` (else its `deploy.replicas`) says.

        Services of one dependency level start together; a level waits for the one before.
        Nothing is created when a service or a scale is refused.
        """
        known = {s.name for s in self.project.services}
        unknown = sorted((set(services or ()) | set(scale or ())) - known)
        if unknown:
            raise ComposeError(f"no such service: {', '.join(unknown)}")
        order = start_order(self.project, services)
        counts = {s.name: replicas.wanted(s, scale) for s in order}
        for service in order:
            problem = replicas.scale_refusal(service, counts[service.name])
            if problem is not None:
                raise ComposeError(problem)
        await self._ensure_networks(used_networks(self.project, order))
        await self._ensure_volumes(order)
        existing = await self._by_service()
        ids: dict[str, str] = {}
        level = depths(self.project)
        for depth in sorted({level[s.name] for s in order}):
            try:
                async with asyncio.TaskGroup() as group:
                    for service in order:
                        if level[service.name] == depth:
                            group.create_task(
                                self._up_one(
                                    service, counts[service.name], existing, ids, health_timeout
                                )
                            )
            except ExceptionGroup as failed:  # the first failure is the one to tell
                raise failed.exceptions[0] from None

    async def _up_one(
        self,
        service: Service,
        count: int,
        existing: dict[str, list[Container]],
        ids: dict[str, str],
        health_timeout: float,
    ) -> None:
        """The service's containers numbered 1..count (or the lowest free numbers), each
        created, recreated or started as needed; the highest numbers beyond count removed."""
        await self._wait_for(service.depends_on, existing, ids, health_timeout)
        image_id = await self._ensure_image(service)
        mode = network_mode(service, ids)
        digest = conventions.config_hash(
            service,
            {
                "image_id": image_id,
                "network_mode": mode,
                "networks": [self.project.network(n.name).name for n in service.networks],
            },
        )
        keep, extra = replicas.split(existing.get(service.name, []), count)
        await asyncio.gather(*(self._remove_extra(c) for c in extra))
        ports = hostports.assign(service, keep)
        started = [
            await self._converge(service, number, current, digest, mode, ports[number])
            for number, current in keep.items()
        ]
        if started:
            ids[service.name] = started[0].id
        existing[service.name] = started

    async def _remove_extra(self, container: Container) -> None:
        """A replica beyond the wanted count: stopped within its grace period, then removed."""
        if container.state.is_up:
            await self.engine.stop(container.id, self._timeout(container, None))
        await self.engine.remove(container.id, force=True)
        self.report(f"Container {container.name}  Removed")

    async def _converge(
        self,
        service: Service,
        number: int,
        current: Container | None,
        digest: str,
        mode: str | None,
        host_ports: hostports.Assigned,
    ) -> Container:
        """One numbered container brought to the wanted config and running."""
        action = decide(
            current, digest, current.labels.get(conventions.CONFIG_HASH) if current else None
        )
        name = conventions.container_name(self.project, service, number)
        if action is Action.RECREATE and current is not None:
            self.report(f"Container {name}  Recreate")
            if current.state.is_up:
                await self.engine.stop(current.id, self._timeout(current, None))
            await self.engine.remove(current.id, force=True)
        if action in (Action.CREATE, Action.RECREATE):
            container_id = await self._create(service, digest, mode, number, host_ports)
            self.report(f"Container {name}  {'Recreated' if current else 'Created'}")
        else:
            assert current is not None
            container_id = current.id
        if action is not Action.KEEP:
            await self.engine.start(container_id)
            self.report(f"Container {name}  Started")
        else:
            self.report(f"Container {name}  Running")
        return (await self.engine.inspect_container(container_id)).container

    async def _ensure_networks(self, networks: list[NetworkConfig]) -> None:
        for network in networks:
            try:
                await self.engine.inspect_network(network.name)
                continue
            except NotFound:
                if network.external:
                    raise ComposeError(
                        f'network "{network.name}" is declared external but does not exist'
                    ) from None
            await self.engine.create_network(
                network.name,
                driver=network.driver,
                subnet=network.subnet,
                gateway=network.gateway,
                internal=network.internal,
                labels=conventions.network_labels(self.project, network),
            )
            self.report(f"Network {network.name}  Created")

    async def _ensure_volumes(self, services: list[Service]) -> None:
        names = {v.name for v in await self.engine.volumes()}
        for volume in used_volumes(self.project, services):
            if volume.name in names:
                continue
            if volume.external:
                raise ComposeError(
                    f'volume "{volume.name}" is declared external but does not exist'
                )
            await self.engine.create_volume(
                volume.name, volume.driver, conventions.volume_labels(self.project, volume)
            )
            self.report(f"Volume {volume.name}  Created")

    async def _ensure_image(self, service: Service) -> str:
        """The image id, building or pulling the image first when the engine lacks it."""
        ref = conventions.image_of(self.project, service)
        try:
            return (await self.engine.inspect_image(ref)).image.id
        except NotFound:
            pass
        if service.build is not None:
            await self.build_service(service)
        else:
            await self.pull_service(service)
        return (await self.engine.inspect_image(ref)).image.id

    async def _create(
        self,
        service: Service,
        digest: str,
        mode: str | None,
        number: int,
        host_ports: hostports.Assigned,
    ) -> str:
        spec, extra = run_spec(self.project, service, digest, mode, number, host_ports)
        container = await self.engine.run(spec)
        try:
            for network in extra:
                await self.engine.connect(network.name, container.id, network.aliases, network.ipv4)
        except BaseException:
            await self.engine.remove(container.id, force=True)
            raise
        return container.id

    async def _wait_for(
        self,
        dependencies: tuple[Dependency, ...],
        existing: dict[str, list[Container]],
        ids: dict[str, str],
        timeout: float,
    ) -> None:
        """Waits on the first container of each dependency (its lowest number)."""
        for dep in dependencies:
            running = existing.get(dep.service)
            ref = ids.get(dep.service) or (running[0].id if running else None)
            if ref is None or dep.condition == "service_started":
                continue
            name = conventions.container_name(self.project, self.project.service(dep.service))
            if dep.condition == "service_completed_successfully":
                self.report(f"Container {name}  Waiting")
                code = await self.engine.wait(ref, timeout=timeout)
                if code != 0:
                    raise ComposeError(f"service {dep.service} exited with code {code}")
                self.report(f"Container {name}  Exited")
                continue
            self.report(f"Container {name}  Waiting")
            await self._wait_healthy(dep.service, ref, timeout)
            self.report(f"Container {name}  Healthy")

    async def _wait_healthy(self, service: str, ref: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            container = (await self.engine.inspect_container(ref)).container
            if container.health is Health.HEALTHY:
                return
            if container.health is Health.UNHEALTHY:
                raise ComposeError(f"dependency {service} is unhealthy")
            if container.health is Health.NONE:
                raise ComposeError(f"dependency {service} has no healthcheck")
            if not container.state.is_up:
                raise ComposeError(f"dependency {service} exited before it became healthy")
            if time.monotonic() > deadline:
                raise ComposeError(f"dependency {service} not healthy after {timeout:.0f}s")
            await asyncio.sleep(POLL)

    # images
    async def pull_service(self, service: Service) -> None:
        ref = conventions.image_of(self.project, service)
        self.report(f"Image {ref}  Pulling")
        stream = self.engine.pull(ref)
        try:
            async for _ in stream:
                pass
        finally:
            await stream.aclose()
        self.report(f"Image {ref}  Pulled")

    async def build_service(self, service: Service) -> str | None:
        if service.build is None:
            return None
        tag = conventions.image_of(self.project, service)
        self.report(f"Image {tag}  Building")
        image_id = None
        stream = self.engine.build_image(
            service.build.context, tag, service.build.dockerfile, dict(service.build.args)
        )
        try:
            async for progress in stream:
                image_id = progress.image_id or image_id
        finally:
            await stream.aclose()
        self.report(f"Image {tag}  Built")
        return image_id

    async def pull(self, services: list[str] | None = None) -> None:
        for service in self._selected(services):
            if service.image is not None and service.build is None:
                await self.pull_service(service)

    async def build(self, services: list[str] | None = None) -> None:
        for service in self._selected(services):
            await self.build_service(service)

    def _selected(self, services: list[str] | None) -> list[Service]:
        return [s for s in self.project.services if not services or s.name in services]

    # lifecycle
    async def start(self, services: list[str] | None = None) -> None:
        for container in await self.containers(services):
            if not container.state.is_up:
                await self.engine.start(container.id)
                self.report(f"Container {container.name}  Started")

    async def stop(self, services: list[str] | None = None, timeout: int | None = None) -> None:
        async def stop_one(container: Container) -> None:
            if container.state.is_up:
                await self.engine.stop(container.id, self._timeout(container, timeout))
                self.report(f"Container {container.name}  Stopped")

        await self._in_reverse_levels(await self.containers(services), stop_one)

    async def _in_reverse_levels(
        self, containers: list[Container], action: Callable[[Container], Awaitable[None]]
    ) -> None:
        """Dependents before what they depend on; containers of one level in parallel,
        so a project whose processes ignore SIGTERM stops in one timeout, not one each."""
        level = depths(self.project)
        orphan = max(level.values(), default=0) + 1  # no longer in the file: first to go
        groups: dict[int, list[Container]] = {}
        for container in containers:
            groups.setdefault(level.get(container.compose_service or "", orphan), []).append(
                container
            )
        for depth in sorted(groups, reverse=True):
            await asyncio.gather(*(action(c) for c in groups[depth]))

    async def restart(self, services: list[str] | None = None, timeout: int | None = None) -> None:
        for container in await self.containers(services):
            await self.engine.restart(container.id, self._timeout(container, timeout))
            self.report(f"Container {container.name}  Restarted")

    def _timeout(self, container: Container, timeout: int | None) -> int | None:
        if timeout is not None:
            return timeout
        for service in self.project.services:
            if service.name == container.compose_service and service.stop_grace_period is not None:
                return int(service.stop_grace_period)
        return None

    async def down(self, volumes: bool = False, timeout: int | None = None) -> None:
        """Removes the project's containers and networks, and with `volumes` its volumes."""

        async def remove(container: Container) -> None:
            if container.state is ContainerState.RUNNING:
                await self.engine.stop(container.id, self._timeout(container, timeout))
            await self.engine.remove(container.id, force=True, volumes=volumes)
            self.report(f"Container {container.name}  Removed")

        await self._in_reverse_levels(await self.containers(), remove)
        for network in await self.engine.networks():
            if network.compose_project == self.project.name:
                await self.engine.remove_network(network.id)
                self.report(f"Network {network.name}  Removed")
        if not volumes:
            return
        declared = {v.name for v in self.project.volumes if not v.external}
        for volume in await self.engine.volumes():
            if volume.compose_project == self.project.name or volume.name in declared:
                try:
                    await self.engine.remove_volume(volume.name)
                except NotFound:
                    continue
                self.report(f"Volume {volume.name}  Removed")
