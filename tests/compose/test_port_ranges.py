"""Host port ranges for scaled services: parsing, one port per replica, validation (no engine)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from engine_adapters.compose import (
    ComposeError,
    ComposeFileError,
    conventions,
    load_project,
    render_project,
)
from engine_adapters.compose.fields import short_port
from engine_adapters.compose.hostports import assign, label, recorded
from engine_adapters.compose.model import PortMapping, Project, Service
from engine_adapters.compose.replicas import scale_problem, scale_refusal
from engine_adapters.compose.runspec import run_spec
from engine_adapters.models import Container, ContainerState, Labels, PortSpec

Write = Callable[..., Path]


def replica(number: int, ports: str | None = None) -> Container:
    """A replica as the engine lists it; `ports` is its host-ports label, None for no label."""
    labels = {conventions.NUMBER: str(number)}
    if ports is not None:
        labels[conventions.HOST_PORTS] = ports
    return Container(
        id=f"id{number}",
        name=f"p-web-{number}",
        image="x",
        image_id="sha256:x",
        command="",
        state=ContainerState.EXITED,
        status="Exited (0)",
        created=datetime(2026, 1, 1, tzinfo=UTC),
        labels=Labels(labels),
    )


RANGE = PortMapping(80, 8080, published_end=8082)
WEB = Service("web", image="x", ports=(RANGE,))


def test_short_syntax_host_ranges() -> None:
    assert short_port("8080-8082:80") == [PortMapping(80, 8080, "tcp", "", 8082)]
    assert short_port("127.0.0.1:8080-8082:80/udp") == [
        PortMapping(80, 8080, "udp", "127.0.0.1", 8082)
    ]
    assert short_port("[::1]:8080-8081:80") == [PortMapping(80, 8080, "tcp", "::1", 8081)]
    # a container range maps one to one, as Docker does: fixed ports, no range left
    assert short_port("8080-8081:80-81") == [PortMapping(80, 8080), PortMapping(81, 8081)]
    assert short_port("8080-8080:80") == [PortMapping(80, 8080)]
    for bad in ("8082-8080:80", "8080-8083:80-81", "8080-70000:80", "8080-:80"):
        assert short_port(bad) is None, bad


def test_long_syntax_ranges_and_config_prints_them_as_given(write: Write) -> None:
    file = write(
        "compose.yaml",
        """
        services:
          web:
            image: x
            ports:
              - "8080-8082:80"
              - target: 53
                published: "9053-9055"
                protocol: udp
                host_ip: 127.0.0.1
              - "127.0.0.1:7000-7001:70-71"
              - "90"
        """,
    )
    project = load_project(str(file), "p", env={})
    ports = project.service("web").ports
    assert ports == (
        PortMapping(80, 8080, "tcp", "", 8082),
        PortMapping(53, 9053, "udp", "127.0.0.1", 9055),
        PortMapping(70, 7000, "tcp", "127.0.0.1"),
        PortMapping(71, 7001, "tcp", "127.0.0.1"),
        PortMapping(90),
    )
    assert [p.origin for p in ports] == [
        f"{file}:5: services.web.ports[0]",
        f"{file}:6: services.web.ports[1]",
        f"{file}:10: services.web.ports[2]",
        f"{file}:10: services.web.ports[2]",
        f"{file}:11: services.web.ports[3]",
    ]
    printed = yaml.safe_load(render_project(project))["services"]["web"]["ports"]
    assert [p.get("published") for p in printed] == ["8080-8082", "9053-9055", 7000, 7001, None]
    # what config prints loads back to the same ports
    again = write("again.yaml", render_project(project))
    assert load_project(str(again), "p", env={}).service("web").ports == ports


def test_a_range_too_small_or_a_fixed_port_is_one_problem_at_its_line(write: Write) -> None:
    file = write(
        "compose.yaml",
        """
        services:
          small:
            image: x
            ports: ["8080-8081:80", "8090-8091:81"]
            deploy:
              replicas: 3
          fixed:
            image: x
            ports: ["8085-8087:80", "8088:81"]
            scale: 2
          fits:
            image: x
            ports: [{target: 80, published: "8100-8102"}, "82"]
            scale: 3
        """,
    )
    with pytest.raises(ComposeFileError) as caught:
        load_project(str(file), "p", env={})
    assert [str(p) for p in caught.value.problems] == [
        f'{file}:6: services.small.deploy.replicas: service "small" cannot run 3 containers: '
        "host port range 8080-8081 has 2 ports",
        f'{file}:10: services.fixed.scale: service "fixed" cannot run 2 containers: '
        "host port 8088 can be published by one only",
    ]


def test_a_refused_scale_names_the_port_line() -> None:
    small = replace(RANGE, published_end=8081, origin="compose.yaml:7: services.web.ports[0]")
    service = Service("web", image="x", ports=(PortMapping(90), small))
    assert scale_problem(service, 2) is None
    assert scale_refusal(service, 2) is None
    assert scale_refusal(service, 3) == (
        'compose.yaml:7: services.web.ports[0]: service "web" cannot run 3 containers: '
        "host port range 8080-8081 has 2 ports"
    )
    # nothing to point at: the message alone
    assert scale_refusal(Service("web", container_name="c"), 2) == (
        'service "web" cannot run 2 containers: container_name "c" fits one only'
    )


def test_replicas_take_the_range_in_number_order() -> None:
    assert assign(WEB, {1: None, 2: None, 3: None}) == {
        1: {"80/tcp": 8080},
        2: {"80/tcp": 8081},
        3: {"80/tcp": 8082},
    }
    assert assign(WEB, {1: None}) == {1: {"80/tcp": 8080}}
    assert assign(Service("web", ports=(PortMapping(80, 8080),)), {1: None}) == {1: {}}


def test_a_replica_keeps_its_port_and_a_new_one_takes_the_lowest_free() -> None:
    # replica 1 once took 8081 (8080 was its neighbour's); a new replica 2 takes 8080
    assert assign(WEB, {1: replica(1, "80/tcp=8081"), 2: None}) == {
        1: {"80/tcp": 8081},
        2: {"80/tcp": 8080},
    }
    # after a scale down to 1 and up to 3 again, replica 3 gets back the highest free port
    kept = {1: replica(1, "80/tcp=8080"), 2: replica(2, "80/tcp=8081"), 3: None}
    assert assign(WEB, kept)[3] == {"80/tcp": 8082}


def test_a_recorded_port_outside_the_range_or_taken_is_given_again() -> None:
    keep = {
        1: replica(1, "80/tcp=8081"),
        2: replica(2, "80/tcp=8081"),  # the same port twice: the lower number keeps it
        3: replica(3, "80/tcp=9999,garbage,=1,x=y"),  # outside the range, and noise
    }
    assert assign(WEB, keep) == {1: {"80/tcp": 8081}, 2: {"80/tcp": 8080}, 3: {"80/tcp": 8082}}
    assert assign(WEB, {1: replica(1)}) == {1: {"80/tcp": 8080}}


def test_each_ranged_mapping_is_shared_out_on_its_own() -> None:
    udp = PortMapping(53, 9053, "udp", "127.0.0.1", 9054)
    service = Service("dns", ports=(RANGE, udp, PortMapping(81)))
    keep = {1: replica(1, "127.0.0.1:53/udp=9054,80/tcp=8080"), 2: None}
    assert assign(service, keep) == {
        1: {"80/tcp": 8080, "127.0.0.1:53/udp": 9054},
        2: {"80/tcp": 8081, "127.0.0.1:53/udp": 9053},
    }


def test_two_ranges_of_one_container_port_are_told_apart() -> None:
    other = PortMapping(80, 9080, published_end=9082)
    service = Service("web", image="x", ports=(RANGE, other))
    given = assign(service, {1: replica(1, "80/tcp#2=9081"), 2: None})
    assert given == {1: {"80/tcp": 8080, "80/tcp#2": 9081}, 2: {"80/tcp": 8081, "80/tcp#2": 9080}}
    project = Project("p", "/w", ("/w/compose.yaml",), (service,))
    spec, _ = run_spec(project, service, "digest", None, 1, given[1])
    assert spec.ports == (PortSpec(80, 8080), PortSpec(80, 9081))


def test_too_few_ports_at_assignment_is_an_error_not_a_shared_port() -> None:
    with pytest.raises(ComposeError, match="8080-8082 are too few for 4 containers"):
        assign(WEB, {n: None for n in range(1, 5)})


def test_the_label_reads_back() -> None:
    given = {"80/tcp": 8081, "[::1]:53/udp": 9053}
    assert recorded(replica(1, label(given))) == given


def test_the_run_spec_publishes_the_replicas_port_and_records_it() -> None:
    service = Service("web", image="x", ports=(RANGE, PortMapping(81), PortMapping(82, 9000)))
    project = Project("p", "/w", ("/w/compose.yaml",), (service,))
    spec, _ = run_spec(project, service, "digest", None, 2, {"80/tcp": 8081})
    assert spec.ports == (PortSpec(80, 8081), PortSpec(81), PortSpec(82, 9000))
    assert spec.labels[conventions.HOST_PORTS] == "80/tcp=8081"
    plain, _ = run_spec(project, replace(service, ports=(PortMapping(81),)), "digest", None)
    assert conventions.HOST_PORTS not in plain.labels
    # network_mode host publishes nothing
    host, _ = run_spec(project, service, "digest", "host", 1, {"80/tcp": 8080})
    assert host.ports == () and conventions.HOST_PORTS not in host.labels


def test_the_config_hash_ignores_where_a_port_was_written_but_not_its_range() -> None:
    def digest(*ports: PortMapping) -> str:
        return conventions.config_hash(Service("web", image="x", ports=ports), {})

    assert digest(PortMapping(80, 8080)) == digest(PortMapping(80, 8080, origin="a.yaml:3"))
    assert digest(RANGE) != digest(replace(RANGE, published_end=8083))
    assert digest(RANGE) != digest(PortMapping(80, 8080))
    # a port without a range hashes as it did before ranges existed: containers made
    # before them are not recreated
    raw = conventions._service_dict(Service("web", ports=(PortMapping(80, 8080),)))
    assert list(raw["ports"]) == [
        {"target": 80, "published": 8080, "protocol": "tcp", "host_ip": ""}
    ]
