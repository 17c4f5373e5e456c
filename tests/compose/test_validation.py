"""Malformed compose files: one line per problem naming file, line and key; nothing is created."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import docker
import pytest

from engine_adapters.compose import ComposeFileError, load_project
from tests.compose.conftest import Projects

Write = Callable[..., Path]


def problems(write: Write, text: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    write("compose.yaml", text)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ComposeFileError) as caught:
        load_project("compose.yaml", "p", env={"SET": "yes"})
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            """
            services:
              web:
                image: x
                ports:
                  - "80:abc"
            """,
            'compose.yaml:5: services.web.ports[0]: invalid port "80:abc"',
        ),
        (
            """
            services:
              mysql:
                image: mysql
                env file: mysql.env
            """,
            'compose.yaml:4: services.mysql.env file: unknown key (did you mean "env_file"?)',
        ),
        (
            """
            services:
              web:
                command: sleep 1
            """,
            'compose.yaml:2: services.web: needs "image" or "build"',
        ),
        (
            """
            services:
              web:
                image: x
                networks: [front]
            """,
            'compose.yaml:4: services.web.networks: network "front" is not declared',
        ),
        (
            """
            services:
              web:
                image: x
                volumes: ["data:/data"]
            """,
            'compose.yaml:4: services.web.volumes: named volume "data" is not declared',
        ),
        (
            """
            services:
              web:
                image: x
                depends_on: [db]
            """,
            'compose.yaml:4: services.web.depends_on: unknown service "db"',
        ),
        (
            """
            services:
              a: {image: x, depends_on: [b]}
              b: {image: x, links: [a]}
            """,
            "compose.yaml:2: services.a: dependency cycle: a -> b -> a",
        ),
        (
            """
            services:
              web:
                image: x
                  bad: indent
            """,
            "compose.yaml:4: invalid YAML: mapping values are not allowed here",
        ),
        (
            """
            services:
              web:
                image: x
                image: y
            """,
            "compose.yaml:4: services.web.image: duplicate key",
        ),
        (
            """
            services:
              web:
                image: ${UNSET:?the image is required}
            """,
            "compose.yaml:3: services.web.image: required variable UNSET is missing: "
            "the image is required",
        ),
        (
            """
            version: "1"
            services:
              web: {image: x}
            """,
            'compose.yaml:1: version: unsupported version "1" (2.x, 3.x, or none)',
        ),
        (
            """
            services:
              web:
                image: x
                network_mode: host
                networks: [default]
            """,
            "compose.yaml:5: services.web.networks: cannot be used together with network_mode",
        ),
        (
            """
            services:
              web:
                image: x
                environment:
                  DEBUG: true
            """,
            'compose.yaml:5: services.web.environment.DEBUG: true must be quoted ("true")',
        ),
        (
            """
            services:
              web:
                image: x
                restart: sometimes
            """,
            'compose.yaml:4: services.web.restart: invalid restart policy "sometimes"',
        ),
        (
            """
            services:
              web:
                image: x
                healthcheck:
                  test: ["CMD", "true"]
                  interval: soon
            """,
            'compose.yaml:6: services.web.healthcheck.interval: invalid duration "soon"',
        ),
        (
            """
            services:
              web:
                image: x
                network_mode: service:ghost
            """,
            'compose.yaml:4: services.web.network_mode: unknown service "ghost"',
        ),
        (
            """
            services:
              web:
                image: x
                volumes: ["relative/in/container"]
            """,
            'compose.yaml:4: services.web.volumes[0]: invalid volume "relative/in/container"',
        ),
        (
            """
            services: []
            """,
            "compose.yaml:1: services: must be a mapping with at least one service",
        ),
    ],
)
def test_one_clear_line_per_problem(
    write: Write, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str, expected: str
) -> None:
    assert problems(write, text, monkeypatch, tmp_path) == [expected]


def test_every_problem_is_listed_in_file_order(
    write: Write, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    found = problems(
        write,
        """
        services:
          web:
            image: x
            ports: ["80:abc", "8080:80"]
            tty: maybe
          db:
            imagee: mysql
        """,
        monkeypatch,
        tmp_path,
    )
    assert found == [
        'compose.yaml:4: services.web.ports[0]: invalid port "80:abc"',
        'compose.yaml:5: services.web.tty: must be true or false, not "maybe"',
        'compose.yaml:6: services.db: needs "image" or "build"',
        'compose.yaml:7: services.db.imagee: unknown key (did you mean "image"?)',
    ]


def test_unsupported_but_valid_keys_warn(write: Write) -> None:
    file = write("compose.yaml", "services:\n  web:\n    image: x\n    privileged: true\n")
    project = load_project(str(file), "p", env={})
    assert project.warnings == (
        f"{file}:4: services.web.privileged: not supported by Dockyard, ignored",
    )


@pytest.mark.docker
def test_invalid_file_creates_nothing(
    write: Write,
    projects: Projects,
    docker_client: docker.DockerClient,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tui.commands.compose import run_compose_command

    name = projects.new("inv")
    file = write(
        "compose.yaml",
        """
        services:
          good:
            image: dockyard-test/busybox:latest
            command: sleep 3600
          bad:
            image: dockyard-test/busybox:latest
            ports: ["80:abc"]
        networks:
          extra:
        """,
    )
    args = argparse.Namespace(
        file=str(file),
        project_name=name,
        env_file=None,
        compose_engine=None,
        engine=None,
        compose_command="up",
        detach=True,
        services=[],
    )
    assert run_compose_command(args) == 1
    assert capsys.readouterr().err == f'{file}:7: services.bad.ports[0]: invalid port "80:abc"\n'
    label = f"com.docker.compose.project={name}"
    assert docker_client.api.containers(all=True, filters={"label": label}) == []
    assert docker_client.api.networks(filters={"label": label}) == []
    assert docker_client.api.volumes(filters={"label": label}).get("Volumes") in (None, [])
