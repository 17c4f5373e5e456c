"""Profiles (which services a run enables) and scale (how many containers, which numbers)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine_adapters.compose import ComposeFileError, load_project
from engine_adapters.compose.model import PortMapping, Service
from engine_adapters.compose.replicas import scale_problem, split, wanted
from engine_adapters.models import Container, ContainerState, Labels

Write = Callable[..., Path]

PROFILED = """
services:
  web:
    image: x
  debug:
    image: x
    profiles: [tools]
    depends_on: [helper]
  helper:
    image: x
    profiles: [support]
  admin:
    image: x
    profiles: [tools, admin]
"""


def names(write: Write, **kwargs: object) -> list[str]:
    file = write("compose.yaml", PROFILED)
    env = kwargs.pop("env", {})
    project = load_project(str(file), "p", env=env, **kwargs)  # type: ignore[arg-type]
    return [s.name for s in project.services]


def test_services_without_profiles_are_always_on(write: Write) -> None:
    assert names(write) == ["web"]


def test_a_profile_turns_its_services_on(write: Write) -> None:
    assert names(write, profiles=["admin"]) == ["web", "admin"]
    assert names(write, profiles=["tools", "support"]) == ["web", "debug", "helper", "admin"]
    assert names(write, env={"COMPOSE_PROFILES": "admin, support"}) == ["web", "helper", "admin"]
    assert names(write, env={"COMPOSE_PROFILES": "*"}) == ["web", "debug", "helper", "admin"]
    # --profile wins over COMPOSE_PROFILES
    assert names(write, profiles=["admin"], env={"COMPOSE_PROFILES": "support"}) == [
        "web",
        "admin",
    ]


def test_a_named_service_comes_with_its_dependencies(write: Write) -> None:
    assert names(write, services=["debug"]) == ["web", "debug", "helper"]


def test_an_enabled_service_that_needs_a_disabled_one_is_a_problem(write: Write) -> None:
    file = write("compose.yaml", PROFILED)
    with pytest.raises(ComposeFileError) as caught:
        load_project(str(file), "p", env={}, profiles=["tools"])
    assert [str(p) for p in caught.value.problems] == [
        f'{file}:7: services.debug.depends_on: service "helper" is not enabled: '
        "no profile of it is active (support)"
    ]


def test_invalid_profiles_and_scales_name_their_line(write: Write) -> None:
    file = write(
        "compose.yaml",
        """
        services:
          a:
            image: x
            profiles: ["-bad"]
          b:
            image: x
            deploy:
              replicas: many
          c:
            image: x
            container_name: fixed
            deploy:
              replicas: 2
          d:
            image: x
            ports: ["8080:80"]
            scale: 3
          e:
            image: x
            scale: 2
            deploy: {replicas: 3}
        """,
    )
    with pytest.raises(ComposeFileError) as caught:
        load_project(str(file), "p", env={})
    assert [str(p) for p in caught.value.problems] == [
        f'{file}:4: services.a.profiles[0]: invalid profile name "-bad"',
        f'{file}:8: services.b.deploy.replicas: must be a whole number of containers, not "many"',
        f'{file}:13: services.c.deploy.replicas: service "c" cannot run 2 containers: '
        'container_name "fixed" fits one only',
        f'{file}:17: services.d.scale: service "d" cannot run 3 containers: '
        "host port 8080 can be published by one only",
        f"{file}:20: services.e.scale: differs from deploy.replicas",
    ]


def test_replicas_from_the_file_and_from_the_command_line(write: Write) -> None:
    file = write(
        "compose.yaml",
        "services:\n  a:\n    image: x\n    deploy:\n      replicas: 2\n  b:\n    image: x\n",
    )
    project = load_project(str(file), "p", env={})
    a, b = project.service("a"), project.service("b")
    assert (wanted(a), wanted(b)) == (2, 1)
    assert (wanted(a, {"a": 5}), wanted(b, {"b": 0})) == (5, 0)


def test_scale_problem_allows_one_and_container_ports() -> None:
    assert scale_problem(Service("s", container_name="x"), 1) is None
    assert scale_problem(Service("s", ports=(PortMapping(80),)), 4) is None
    assert scale_problem(Service("s", ports=(PortMapping(80, 8080),)), 2) is not None


def container(number: str | None, name: str = "") -> Container:
    labels = {"com.docker.compose.container-number": number} if number is not None else {}
    return Container(
        id=f"id{number}{name}",
        name=name or f"p-s-{number}",
        image="x",
        image_id="sha256:x",
        command="",
        state=ContainerState.RUNNING,
        status="Up",
        created=datetime(2026, 1, 1, tzinfo=UTC),
        labels=Labels(labels),
    )


def test_split_keeps_the_lowest_numbers_and_removes_the_highest() -> None:
    one, two, three = container("1"), container("2"), container("3")
    keep, extra = split([three, one, two], 1)
    assert keep == {1: one} and extra == [three, two]
    keep, extra = split([one], 3)
    assert keep == {1: one, 2: None, 3: None} and extra == []
    keep, extra = split([one, three], 3)  # a gap is filled with the lowest free number
    assert keep == {1: one, 2: None, 3: three} and extra == []
    keep, extra = split([one, two], 0)
    assert keep == {} and extra == [two, one]


def test_split_reads_a_missing_or_odd_number_as_one() -> None:
    bare, odd = container(None, "bare"), container("x", "odd")
    keep, extra = split([bare, odd], 2)
    assert keep == {1: bare, 2: None} and extra == [odd]
