"""Hand-made engine models for the lecture's networking examples and a large case."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from hashlib import sha256

from engine_adapters.models import (
    COMPOSE_PROJECT_LABEL,
    COMPOSE_SERVICE_LABEL,
    Container,
    ContainerState,
    Network,
    NetworkAttachment,
    PortBinding,
    Subnet,
)

CREATED = datetime(2026, 1, 15, 12, 0, 0, tzinfo=UTC)


def fake_id(name: str) -> str:
    return sha256(name.encode()).hexdigest()


def network(name: str, subnet: str = "", driver: str = "bridge", **kw: object) -> Network:
    subnets = (Subnet(subnet),) if subnet else ()
    return Network(id=fake_id("net-" + name), name=name, driver=driver, subnets=subnets, **kw)  # type: ignore[arg-type]


def attach(net: Network, ip: str = "", **kw: object) -> NetworkAttachment:
    return NetworkAttachment(network=net.name, network_id=net.id, ip=ip, **kw)  # type: ignore[arg-type]


def container(
    name: str,
    *networks: NetworkAttachment,
    state: ContainerState = ContainerState.RUNNING,
    project: str | None = None,
    **kw: object,
) -> Container:
    labels = {}
    if project:
        labels = {COMPOSE_PROJECT_LABEL: project, COMPOSE_SERVICE_LABEL: name}
    return Container(
        id=fake_id(name),
        name=name,
        image="ubuntu:14.04",
        image_id="sha256:" + fake_id("img"),
        command="bash",
        state=state,
        status="Up 5 minutes" if state is ContainerState.RUNNING else "Exited (0) 1 minute ago",
        created=CREATED,
        networks=networks,
        labels=labels,
        **kw,  # type: ignore[arg-type]
    )


def builtin_networks() -> list[Network]:
    return [
        network("bridge", "172.17.0.0/16"),
        network("host", driver="host"),
        network("none", driver="null"),
    ]


def user_networks() -> tuple[list[Container], list[Network]]:
    """`network create mynet`, c1 c2 on it, c3 on mynet2, then `network connect mynet2 c2`."""
    mynet, mynet2 = network("mynet", "172.18.0.0/16"), network("mynet2", "172.19.0.0/16")
    containers = [
        container("c1", attach(mynet, "172.18.0.2")),
        container("c2", attach(mynet, "172.18.0.3"), attach(mynet2, "172.19.0.3")),
        container("c3", attach(mynet2, "172.19.0.2")),
    ]
    return containers, [mynet, mynet2]


def compose_service_mode() -> tuple[list[Container], list[Network]]:
    """The compose example 2: c1 has `network_mode: service:c2`, all in project `lecture`."""
    mynet = network("lecture_mynet", "172.20.0.0/16")
    mynet2 = network("lecture_mynet2", "172.21.0.0/16")
    c2 = container(
        "lecture_c2_1",
        attach(mynet, "172.20.0.2", aliases=("c2",)),
        attach(mynet2, "172.21.0.3", aliases=("c2",)),
        project="lecture",
    )
    c1 = container("lecture_c1_1", project="lecture", network_mode=f"container:{c2.id}")
    c3 = container("lecture_c3_1", attach(mynet2, "172.21.0.2", aliases=("c3",)), project="lecture")
    return [c1, c2, c3], [mynet, mynet2]


def tomcat_mysql_link() -> tuple[list[Container], list[Network]]:
    """`run --name database mysql`, `run --name tomcat --link database:db tomcat:7`."""
    bridge = network("bridge", "172.17.0.0/16")
    database = container("database", attach(bridge, "172.17.0.2"))
    tomcat = container("tomcat", attach(bridge, "172.17.0.3", links=("/database:/tomcat/db",)))
    return [database, tomcat], [bridge]


def published_port() -> tuple[list[Container], list[Network]]:
    """`run -td -p 8000:8080 tomcat:7`, next to a stopped container on host and none."""
    bridge, host, none = builtin_networks()
    web = container(
        "tomcat",
        attach(bridge, "172.17.0.2"),
        ports=(PortBinding(8080, "tcp", "0.0.0.0", 8000), PortBinding(8009)),
    )
    hostnet = container("hostnet", attach(host), network_mode="host")
    isolated = container("isolated", attach(none), state=ContainerState.EXITED, network_mode="none")
    return [web, hostnet, isolated], [bridge, host, none]


def large(n_containers: int = 50, n_networks: int = 8) -> tuple[list[Container], list[Network]]:
    """Many containers over many networks, some in projects, some stopped, links, shared stacks."""
    nets = [network(f"net{k}", f"10.{k}.0.0/16") for k in range(n_networks)]
    containers = []
    for i in range(n_containers):
        picks = sorted(
            {(i * 3) % n_networks, (i * 5 + 1) % n_networks} if i % 4 else {i % n_networks}
        )
        atts = tuple(attach(nets[k], f"10.{k}.0.{i + 2}") for k in picks)
        kw: dict[str, object] = {}
        if i % 10 == 9:
            atts, kw = (), {"network_mode": f"container:{fake_id(f'svc{i - 1:02d}')}"}
        elif i % 7 == 3 and i > 3:
            link = f"/svc{i - 3:02d}:/svc{i:02d}/peer"
            atts = (replace(atts[0], links=(link,)), *atts[1:])
        state = ContainerState.EXITED if i % 6 == 5 else ContainerState.RUNNING
        project = f"proj{i % 3}" if i % 2 else None
        containers.append(container(f"svc{i:02d}", *atts, state=state, project=project, **kw))
    return containers, nets
