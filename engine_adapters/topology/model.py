"""The topology model: networks as hubs, containers as nodes, built from engine models alone."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from engine_adapters.errors import NotFound
from engine_adapters.models import Container, ContainerDetails, ContainerState, Event, Network

if TYPE_CHECKING:
    from engine_adapters.protocol import Engine


class NodeState(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class NetworkNode:
    """A network drawn as a hub that its containers join."""

    id: str
    name: str
    driver: str
    subnets: tuple[str, ...] = ()
    internal: bool = False
    compose_project: str | None = None

    @property
    def key(self) -> str:
        return f"n:{self.id}"

    @property
    def caption(self) -> str:
        details = " ".join((self.driver, *self.subnets)).strip()
        if self.internal:
            details += ", internal"
        return f"{self.name} ({details})" if details else self.name


@dataclass(frozen=True, slots=True)
class ContainerNode:
    id: str
    name: str
    state: NodeState
    status: str = ""
    image: str = ""
    compose_project: str | None = None
    compose_service: str | None = None
    published: tuple[str, ...] = ()
    # A `container:X` network mode whose X is not in the topology (removed, or filtered out).
    missing_stack: str | None = None

    @property
    def key(self) -> str:
        return f"c:{self.id}"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A container's endpoint on a network: the edge container -> network."""

    container_id: str
    network_id: str
    ip: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return " ".join(part for part in (self.ip, ",".join(self.aliases)) if part)


@dataclass(frozen=True, slots=True)
class Link:
    """A legacy `--link target:alias`: source resolves target under alias."""

    source_id: str
    target_id: str
    alias: str

    @property
    def label(self) -> str:
        return f"link {self.alias}"


@dataclass(frozen=True, slots=True)
class SharedStack:
    """`--net container:X` or compose `network_mode: service:x`: source lives in X's netns."""

    source_id: str
    target_id: str

    label = "shares net"


@dataclass(frozen=True, slots=True)
class Cluster:
    project: str
    container_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Topology:
    networks: tuple[NetworkNode, ...] = ()
    containers: tuple[ContainerNode, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    links: tuple[Link, ...] = ()
    shared_stacks: tuple[SharedStack, ...] = ()
    clusters: tuple[Cluster, ...] = ()

    def container(self, container_id: str) -> ContainerNode | None:
        return next((c for c in self.containers if c.id == container_id), None)

    def network(self, network_id: str) -> NetworkNode | None:
        return next((n for n in self.networks if n.id == network_id), None)

    def members(self, network_id: str) -> tuple[str, ...]:
        """Container ids on a network, including those sharing a member's stack."""
        direct = {a.container_id for a in self.attachments if a.network_id == network_id}
        sharing = {s.source_id for s in self.shared_stacks if s.target_id in direct}
        return tuple(sorted(direct | sharing))

    @property
    def projects(self) -> tuple[str, ...]:
        return tuple(cluster.project for cluster in self.clusters)

    def only_project(self, project: str) -> Topology:
        """The part of the graph one compose project uses: its containers and their networks."""
        keep = {c.id for c in self.containers if c.compose_project == project}
        attachments = tuple(a for a in self.attachments if a.container_id in keep)
        used = {a.network_id for a in attachments}
        networks = tuple(n for n in self.networks if n.id in used or n.compose_project == project)
        return Topology(
            networks=networks,
            containers=tuple(c for c in self.containers if c.id in keep),
            attachments=attachments,
            links=tuple(x for x in self.links if x.source_id in keep and x.target_id in keep),
            shared_stacks=tuple(
                s for s in self.shared_stacks if s.source_id in keep and s.target_id in keep
            ),
            clusters=tuple(c for c in self.clusters if c.project == project),
        )


def _node_state(state: ContainerState) -> NodeState:
    if state is ContainerState.PAUSED:
        return NodeState.PAUSED
    if state in (ContainerState.RUNNING, ContainerState.RESTARTING):
        return NodeState.RUNNING
    return NodeState.STOPPED


class _Resolver:
    """Finds a container by full id, id prefix or name, as the engine accepts them."""

    def __init__(self, containers: Iterable[Container]) -> None:
        self._by_name = {c.name.lstrip("/"): c.id for c in containers}
        self._ids = sorted(self._by_name.values())

    def find(self, ref: str) -> str | None:
        ref = ref.strip().lstrip("/")
        if not ref:
            return None
        if ref in self._by_name:
            return self._by_name[ref]
        matches = [cid for cid in self._ids if cid.startswith(ref)]
        return matches[0] if len(matches) == 1 else None


def _parse_link(entry: str) -> tuple[str, str]:
    """Target and alias of a link entry.

    HostConfig.Links reads "/db:/web/database" (target, then this container's
    path to the alias); endpoint settings on user networks read "db:database".
    """
    target, _, alias = entry.partition(":")
    alias = alias.rsplit("/", 1)[-1] or target
    return target.lstrip("/"), alias.lstrip("/")


def _is_own_alias(container: Container, alias: str) -> bool:
    """Docker adds the name and short id as aliases on user networks; they say nothing new."""
    name = container.name.lstrip("/")
    return alias == name or (len(alias) >= 12 and container.id.startswith(alias))


def _network_nodes(
    containers: Sequence[Container], networks: Sequence[Network]
) -> tuple[list[NetworkNode], dict[str, str]]:
    """Hub nodes plus a map from every network name and id to the hub id."""
    nodes = {
        n.id: NetworkNode(
            id=n.id,
            name=n.name,
            driver=n.driver,
            subnets=tuple(sorted(s.subnet for s in n.subnets if s.subnet)),
            internal=n.internal,
            compose_project=n.compose_project,
        )
        for n in networks
    }
    index = {n.name: n.id for n in networks} | {n.id: n.id for n in networks}
    # An attachment to a network the list missed (created between the two calls) still shows.
    for container in containers:
        for att in container.networks:
            if att.network_id not in index and att.network not in index:
                hub_id = att.network_id or att.network
                nodes[hub_id] = NetworkNode(id=hub_id, name=att.network, driver="")
                index[att.network] = index[hub_id] = hub_id
    return sorted(nodes.values(), key=lambda n: (n.name, n.id)), index


def build_topology(
    containers: Sequence[Container],
    networks: Sequence[Network],
    links: Mapping[str, Sequence[str]] | None = None,
) -> Topology:
    """The graph of `containers` and `networks`; the same input always gives the same graph.

    `links` maps a container id to its legacy links as inspect reports them
    (HostConfig.Links); links on user networks come with the attachments.
    """
    hubs, hub_index = _network_nodes(containers, networks)
    resolver = _Resolver(containers)
    names = {c.id: c.name.lstrip("/") for c in containers}
    attachments: set[Attachment] = set()
    edges: set[Link] = set()
    shared: set[SharedStack] = set()
    nodes: list[ContainerNode] = []
    for c in containers:
        node = ContainerNode(
            id=c.id,
            name=names[c.id],
            state=_node_state(c.state),
            status=c.state.value,
            image=c.image,
            compose_project=c.compose_project,
            compose_service=c.compose_service,
            published=tuple(sorted({str(p) for p in c.ports if p.published})),
        )
        for att in c.networks:
            hub_id = hub_index.get(att.network_id) or hub_index[att.network]
            aliases = tuple(sorted({a for a in att.aliases if not _is_own_alias(c, a)}))
            attachments.add(Attachment(c.id, hub_id, att.ip, aliases))
        for entry in [*(e for att in c.networks for e in att.links), *(links or {}).get(c.id, ())]:
            target, alias = _parse_link(entry)
            target_id = resolver.find(target)
            if target_id is not None:
                edges.add(Link(c.id, target_id, alias))
        mode = c.network_mode
        if mode in ("host", "none") and not c.networks and mode in hub_index:
            attachments.add(Attachment(c.id, hub_index[mode]))
        if c.shares_network_of is not None:
            target_id = resolver.find(c.shares_network_of)
            if target_id is None or target_id == c.id:
                node = replace(node, missing_stack=c.shares_network_of[:12])
            else:
                shared.add(SharedStack(c.id, target_id))
        nodes.append(node)
    projects: dict[str, list[str]] = {}
    for node in nodes:
        if node.compose_project:
            projects.setdefault(node.compose_project, []).append(node.id)
    return Topology(
        networks=tuple(hubs),
        containers=tuple(sorted(nodes, key=lambda n: (n.name, n.id))),
        attachments=tuple(sorted(attachments, key=lambda a: (a.container_id, a.network_id))),
        links=tuple(sorted(edges, key=lambda x: (x.source_id, x.target_id, x.alias))),
        shared_stacks=tuple(sorted(shared, key=lambda s: (s.source_id, s.target_id))),
        clusters=tuple(
            Cluster(project, tuple(sorted(ids, key=lambda i: (names[i], i))))
            for project, ids in sorted(projects.items())
        ),
    )


INSPECT_CONCURRENCY = 8
# Engine events after which the graph may look different (Docker's type and action names).
TOPOLOGY_EVENTS = {
    "container": {
        "create",
        "start",
        "stop",
        "die",
        "kill",
        "pause",
        "unpause",
        "destroy",
        "rename",
    },
    "network": {"create", "connect", "disconnect", "destroy"},
}


def changes_topology(event: Event) -> bool:
    """Whether `event` is worth reloading the graph for; exec, health and stats noise is not."""
    # Docker sends "exec_start: sh" style actions; only the verb before the colon matters.
    return event.action.split(":", 1)[0] in TOPOLOGY_EVENTS.get(event.type, set())


async def load_topology(engine: Engine, *, inspect: bool = True) -> Topology:
    """Read every container and network from any engine and build their graph.

    Engine lists leave out aliases and links, so each container is inspected too
    (a few at a time); one removed meanwhile keeps its list entry.
    """
    containers = await engine.containers(all=True)
    networks = await engine.networks()
    if not inspect:
        return build_topology(containers, networks)
    gate = asyncio.Semaphore(INSPECT_CONCURRENCY)

    async def details(container: Container) -> ContainerDetails:
        async with gate:
            try:
                return await engine.inspect_container(container.id)
            except NotFound:
                return ContainerDetails(container=container)

    inspected = await asyncio.gather(*(details(c) for c in containers))
    return build_topology(
        [d.container for d in inspected],
        networks,
        {d.container.id: d.links for d in inspected if d.links},
    )
