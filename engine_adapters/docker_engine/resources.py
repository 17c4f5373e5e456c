"""List, inspect and act on containers, images, volumes and networks over the Docker API."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast

from engine_adapters.docker_engine import convert
from engine_adapters.models import (
    Container,
    ContainerDetails,
    Image,
    ImageDetails,
    Listed,
    ListKind,
    Network,
    NetworkMember,
    Process,
    PruneReport,
    Volume,
)

if TYPE_CHECKING:
    import docker

Json = dict[str, Any]
P = ParamSpec("P")
R = TypeVar("R")


def split_top_columns(
    titles: list[str], rows: list[list[str]]
) -> tuple[list[str], list[list[str]]]:
    """`ps` output as columns. Podman, running a busybox `ps`, answers one column whose
    title and values are whole lines; the last column keeps its spaces (the command)."""
    if len(titles) != 1 or len(titles[0].split()) < 2:
        return titles, rows
    names = titles[0].split()
    return names, [row[0].split(None, len(names) - 1) for row in rows if row]


def by_name(containers: Iterable[Container]) -> list[Container]:
    return sorted(containers, key=lambda c: c.name)


def image_users(containers: Iterable[Container]) -> dict[str, list[str]]:
    users: dict[str, list[str]] = defaultdict(list)
    for c in containers:
        users[c.image_id].append(c.name)
    return users


def images_with_users(raw: list[Json], containers: list[Container]) -> list[Image]:
    users = image_users(containers)
    images = (convert.image_from_list(i, tuple(users.get(i["Id"], ()))) for i in raw)
    return sorted(images, key=lambda i: (i.dangling, i.display_name))


def volumes_with_users(raw: list[Json], containers: list[Container]) -> list[Volume]:
    users: dict[str, list[str]] = defaultdict(list)
    for c in containers:
        for m in c.mounts:
            if m.name:
                users[m.name].append(c.name)
    volumes = (convert.volume_from_api(v, tuple(users.get(v["Name"], ()))) for v in raw)
    return sorted(volumes, key=lambda v: v.name)


def networks_with_members(raw: list[Json], containers: list[Container]) -> list[Network]:
    """Listing networks leaves out their members; the container list has them (stopped
    ones included, with no address)."""
    members: dict[str, list[NetworkMember]] = defaultdict(list)
    for c in containers:
        for ep in c.networks:
            members[ep.network_id].append(NetworkMember(c.id, c.name, ep.ip, ep.mac))
    networks = (
        convert.network_from_api(n, tuple(sorted(members.get(n["Id"], ()), key=lambda m: m.name)))
        for n in raw
    )
    return sorted(networks, key=lambda n: n.name)


class ResourceCalls:
    """The request/response half of DockerEngine; `api` and `call` come from the engine."""

    @property
    def api(self) -> docker.APIClient:
        raise NotImplementedError

    async def call(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        raise NotImplementedError

    # several lists at once
    async def lists(self, kinds: Collection[ListKind]) -> dict[ListKind, Sequence[Listed]]:
        """The lists asked for, read together. Images, volumes and networks each name the
        containers using them, so the container list is read once and serves them all."""

        def fetch() -> dict[ListKind, Sequence[Listed]]:
            containers = self._listed()
            found: dict[ListKind, Sequence[Listed]] = {}
            if "containers" in kinds:
                found["containers"] = by_name(containers)
            if "images" in kinds:
                found["images"] = images_with_users(self.api.images(all=False), containers)
            if "volumes" in kinds:
                raw = self.api.volumes().get("Volumes") or []
                found["volumes"] = volumes_with_users(raw, containers)
            if "networks" in kinds:
                found["networks"] = networks_with_members(self.api.networks(), containers)
            return found

        return await self.call(fetch)

    def _listed(self) -> list[Container]:
        """Every container, stopped ones too, in the engine's order; blocking."""
        return [convert.container_from_list(c) for c in self.api.containers(all=True)]

    # containers
    async def containers(self, all: bool = True) -> list[Container]:
        raw = await self.call(lambda: self.api.containers(all=all))
        return by_name(convert.container_from_list(c) for c in raw)

    async def inspect_container(self, ref: str) -> ContainerDetails:
        return convert.details_from_inspect(await self.call(self.api.inspect_container, ref))

    async def start(self, ref: str) -> None:
        await self.call(self.api.start, ref)

    async def stop(self, ref: str, timeout: int | None = None) -> None:
        await self.call(self.api.stop, ref, timeout=timeout)

    async def restart(self, ref: str, timeout: int | None = None) -> None:
        await self.call(self.api.restart, ref, timeout=10 if timeout is None else timeout)

    async def kill(self, ref: str, signal: str = "SIGKILL") -> None:
        await self.call(self.api.kill, ref, signal=signal)

    async def pause(self, ref: str) -> None:
        await self.call(self.api.pause, ref)

    async def unpause(self, ref: str) -> None:
        await self.call(self.api.unpause, ref)

    async def remove(self, ref: str, force: bool = False, volumes: bool = False) -> None:
        await self.call(self.api.remove_container, ref, force=force, v=volumes)

    async def rename(self, ref: str, new_name: str) -> None:
        await self.call(self.api.rename, ref, new_name)

    async def wait(self, ref: str, timeout: float | None = None) -> int:
        result = await self.call(
            lambda: self.api.wait(ref, timeout=int(timeout) if timeout else None)
        )
        return int(result.get("StatusCode", -1))

    async def top(self, ref: str) -> list[Process]:
        raw = await self.call(self.api.top, ref)
        titles, rows = split_top_columns(
            [str(t) for t in raw.get("Titles") or ()],
            [[str(v) for v in row] for row in raw.get("Processes") or ()],
        )

        def pick(row: Sequence[str], *names: str) -> str:
            for name in names:
                if name in titles:
                    return str(row[titles.index(name)])
            return ""

        return [
            Process(
                pid=pick(row, "PID"),
                user=pick(row, "UID", "USER"),
                command=pick(row, "CMD", "COMMAND"),
                fields=tuple(zip(titles, (str(v) for v in row), strict=False)),
            )
            for row in rows
        ]

    async def prune_containers(self) -> PruneReport:
        raw = await self.call(self.api.prune_containers)
        return PruneReport(
            tuple(raw.get("ContainersDeleted") or ()), int(raw.get("SpaceReclaimed") or 0)
        )

    # images
    async def images(self) -> list[Image]:
        raw, containers = await self.call(lambda: (self.api.images(all=False), self._listed()))
        return images_with_users(raw, containers)

    async def inspect_image(self, ref: str) -> ImageDetails:
        def fetch() -> tuple[Json, list[Container]]:
            image = self.api.inspect_image(ref)  # type: ignore[no-untyped-call]
            return cast(Json, image), self._listed()

        raw, containers = await self.call(fetch)
        users = image_users(containers)
        return convert.image_details(raw, tuple(users.get(raw["Id"], ())))

    async def remove_image(self, ref: str, force: bool = False) -> None:
        await self.call(self.api.remove_image, ref, force=force)

    async def prune_images(self, dangling_only: bool = True) -> PruneReport:
        raw = await self.call(self.api.prune_images, filters={"dangling": dangling_only})
        deleted = tuple(
            str(e.get("Deleted") or e.get("Untagged")) for e in raw.get("ImagesDeleted") or ()
        )
        return PruneReport(deleted, int(raw.get("SpaceReclaimed") or 0))

    # volumes
    async def volumes(self) -> list[Volume]:
        raw, containers = await self.call(
            lambda: (self.api.volumes().get("Volumes") or [], self._listed())
        )
        return volumes_with_users(raw, containers)

    async def create_volume(
        self, name: str | None = None, driver: str = "local", labels: dict[str, str] | None = None
    ) -> Volume:
        raw = await self.call(self.api.create_volume, name=name, driver=driver, labels=labels)
        return convert.volume_from_api(raw)

    async def remove_volume(self, name: str, force: bool = False) -> None:
        await self.call(self.api.remove_volume, name, force=force)

    async def prune_volumes(self) -> PruneReport:
        raw = await self.call(self.api.prune_volumes)
        return PruneReport(
            tuple(raw.get("VolumesDeleted") or ()), int(raw.get("SpaceReclaimed") or 0)
        )

    # networks
    async def networks(self) -> list[Network]:
        raw, containers = await self.call(lambda: (self.api.networks(), self._listed()))
        return networks_with_members(raw, containers)

    async def inspect_network(self, ref: str) -> Network:
        return convert.network_from_api(await self.call(self.api.inspect_network, ref))

    async def create_network(
        self,
        name: str,
        driver: str = "bridge",
        subnet: str | None = None,
        gateway: str | None = None,
        internal: bool = False,
        labels: dict[str, str] | None = None,
    ) -> Network:
        def create() -> dict[str, Any]:
            import docker.types

            ipam = None
            if subnet or gateway:
                pool = docker.types.IPAMPool(subnet=subnet, gateway=gateway)
                ipam = docker.types.IPAMConfig(pool_configs=[pool])
            created = self.api.create_network(
                name,
                driver=driver,
                ipam=ipam,
                internal=internal,
                labels=labels,
                check_duplicate=True,
            )
            return cast(dict[str, Any], self.api.inspect_network(created["Id"]))

        return convert.network_from_api(await self.call(create))

    async def remove_network(self, ref: str) -> None:
        await self.call(self.api.remove_network, ref)

    async def connect(
        self,
        network: str,
        container: str,
        aliases: Sequence[str] = (),
        ipv4: str | None = None,
    ) -> None:
        await self.call(
            self.api.connect_container_to_network,
            container,
            network,
            aliases=list(aliases) or None,
            ipv4_address=ipv4,
        )

    async def disconnect(self, network: str, container: str, force: bool = False) -> None:
        await self.call(self.api.disconnect_container_from_network, container, network, force=force)

    async def prune_networks(self) -> PruneReport:
        raw = await self.call(self.api.prune_networks)
        return PruneReport(tuple(raw.get("NetworksDeleted") or ()), 0)
