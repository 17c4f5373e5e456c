"""The topology model: what build_topology makes of engine models."""

from __future__ import annotations

from dataclasses import replace

from engine_adapters.models import ContainerState, Event, NetworkAttachment
from engine_adapters.topology import Link, NodeState, SharedStack, build_topology, changes_topology
from tests.topology import scenarios


def _names(topology: object, ids: object) -> list[str]:
    by_id = {c.id: c.name for c in topology.containers}  # type: ignore[attr-defined]
    return sorted(by_id[i] for i in ids)  # type: ignore[attr-defined]


def test_lecture_user_networks() -> None:
    topology = build_topology(*scenarios.user_networks())
    nets = {n.name: n for n in topology.networks}
    assert [n.caption for n in topology.networks] == [
        "mynet (bridge 172.18.0.0/16)",
        "mynet2 (bridge 172.19.0.0/16)",
    ]
    assert _names(topology, topology.members(nets["mynet"].id)) == ["c1", "c2"]
    assert _names(topology, topology.members(nets["mynet2"].id)) == ["c2", "c3"]
    c2 = scenarios.fake_id("c2")
    assert {a.ip for a in topology.attachments if a.container_id == c2} == {
        "172.18.0.3",
        "172.19.0.3",
    }


def test_service_network_mode_becomes_a_shared_stack() -> None:
    topology = build_topology(*scenarios.compose_service_mode())
    c1, c2 = scenarios.fake_id("lecture_c1_1"), scenarios.fake_id("lecture_c2_1")
    assert topology.shared_stacks == (SharedStack(c1, c2),)
    assert not [a for a in topology.attachments if a.container_id == c1]
    # c1 lives in c2's network namespace, so it is a member of c2's networks too.
    assert all(
        c1 in topology.members(n.id) for n in topology.networks if c2 in topology.members(n.id)
    )
    assert topology.projects == ("lecture",)
    assert len(topology.clusters[0].container_ids) == 3


def test_shared_stack_resolves_names_and_id_prefixes() -> None:
    containers, networks = scenarios.user_networks()
    target = containers[0]
    by_name = scenarios.container("n", network_mode="container:c1")
    by_prefix = scenarios.container("p", network_mode=f"container:{target.id[:12]}")
    gone = scenarios.container("g", network_mode="container:0123456789ab")
    topology = build_topology([*containers, by_name, by_prefix, gone], networks)
    assert {(s.source_id, s.target_id) for s in topology.shared_stacks} == {
        (by_name.id, target.id),
        (by_prefix.id, target.id),
    }
    assert topology.container(gone.id).missing_stack == "0123456789ab"  # type: ignore[union-attr]


def test_links_in_both_engine_formats() -> None:
    containers, networks = scenarios.tomcat_mysql_link()
    database, tomcat = containers
    expected = (Link(tomcat.id, database.id, "db"),)
    assert build_topology(containers, networks).links == expected
    # On a user network the endpoint says "database:db"; inspect's HostConfig says
    # "/database:/tomcat/db". Both name the same edge.
    plain = replace(tomcat, networks=(replace(tomcat.networks[0], links=("database:db",)),))
    assert build_topology([database, plain], networks).links == expected
    bare = replace(tomcat, networks=(replace(tomcat.networks[0], links=()),))
    inspected = build_topology([database, bare], networks, {tomcat.id: ("/database:/tomcat/db",)})
    assert inspected.links == expected


def test_published_ports_states_and_builtin_networks() -> None:
    topology = build_topology(*scenarios.published_port())
    tomcat = topology.container(scenarios.fake_id("tomcat"))
    assert tomcat is not None and tomcat.published == ("8000->8080/tcp",)
    isolated = topology.container(scenarios.fake_id("isolated"))
    assert isolated is not None and isolated.state is NodeState.STOPPED
    drivers = {n.name: n.driver for n in topology.networks}
    assert drivers == {"bridge": "bridge", "host": "host", "none": "null"}
    host = next(n for n in topology.networks if n.name == "host")
    assert _names(topology, topology.members(host.id)) == ["hostnet"]


def test_host_mode_without_endpoint_still_joins_host() -> None:
    networks = scenarios.builtin_networks()
    lonely = scenarios.container("lonely", network_mode="host")
    topology = build_topology([lonely], networks)
    host = next(n for n in topology.networks if n.name == "host")
    assert topology.members(host.id) == (lonely.id,)


def test_own_name_and_short_id_are_not_shown_as_aliases() -> None:
    net = scenarios.network("web")
    c = scenarios.container("api", NetworkAttachment("web", net.id, "10.0.0.2"))
    c = replace(
        c,
        networks=(replace(c.networks[0], aliases=("api", c.id[:12], "backend")),),
    )
    (attachment,) = build_topology([c], [net]).attachments
    assert attachment.aliases == ("backend",)
    assert attachment.label == "10.0.0.2 backend"


def test_attachment_to_an_unlisted_network_gets_a_hub() -> None:
    c = scenarios.container("late", NetworkAttachment("newnet", "abc123", "10.9.0.2"))
    topology = build_topology([c], [])
    assert [n.name for n in topology.networks] == ["newnet"]
    assert topology.attachments[0].network_id == "abc123"


def test_paused_and_restarting_states() -> None:
    paused = scenarios.container("p", state=ContainerState.PAUSED)
    restarting = scenarios.container("r", state=ContainerState.RESTARTING)
    created = scenarios.container("c", state=ContainerState.CREATED)
    topology = build_topology([paused, restarting, created], [])
    assert [n.state for n in topology.containers] == [
        NodeState.STOPPED,
        NodeState.PAUSED,
        NodeState.RUNNING,
    ]


def test_only_project_keeps_its_containers_and_their_networks() -> None:
    containers, networks = scenarios.compose_service_mode()
    loose = scenarios.container("loose", scenarios.attach(networks[0], "172.20.0.9"))
    extra = scenarios.network("unused")
    topology = build_topology([*containers, loose], [*networks, extra])
    part = topology.only_project("lecture")
    assert len(part.containers) == 3
    assert {n.name for n in part.networks} == {"lecture_mynet", "lecture_mynet2"}
    assert part.shared_stacks == topology.shared_stacks
    assert loose.id not in {a.container_id for a in part.attachments}


def test_only_graph_changing_events_ask_for_a_reload() -> None:
    def event(type_: str, action: str) -> Event:
        return Event(type=type_, action=action, actor_id="x", time=0.0)

    assert changes_topology(event("network", "connect"))
    assert changes_topology(event("network", "disconnect"))
    assert changes_topology(event("container", "start"))
    assert changes_topology(event("container", "destroy"))
    assert not changes_topology(event("container", "exec_start: sh"))
    assert not changes_topology(event("container", "health_status: healthy"))
    assert not changes_topology(event("image", "pull"))
