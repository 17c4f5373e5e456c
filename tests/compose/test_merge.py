"""Compose files merged by the spec's rules; problems still name the file they came from."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from engine_adapters.compose import ComposeFileError, load_project, render_project
from engine_adapters.compose.loader import compose_files
from engine_adapters.compose.model import Dependency, Mount, PortMapping, ServiceNetwork
from tests.compose.helpers import dockyard

Write = Callable[..., Path]

BASE = """
services:
  web:
    image: busybox
    command: sleep 1
    entrypoint: ["/bin/sh", "-c"]
    environment:
      - A=1
      - B=2
    labels:
      team: core
    ports:
      - "8080:80"
      - 9000
    expose: ["7000"]
    dns: [1.1.1.1]
    volumes:
      - ./data:/data
      - cache:/cache
    networks: [front]
    healthcheck:
      test: ["CMD", "true"]
      interval: 5s
    build: ./ctx
    depends_on: [db]
  db:
    image: db
networks:
  front:
volumes:
  cache:
"""

OVERRIDE = """
services:
  web:
    command: ["sleep", "2"]
    entrypoint: /bin/ash
    environment:
      B: "3"
      C: "4"
    labels:
      - tier=front
    ports:
      - "8080:80"
      - 9001
    expose: ["7000", "7001"]
    dns: [1.1.1.1, 8.8.8.8]
    volumes:
      - ./other:/data
    networks:
      back:
        aliases: [w]
    healthcheck:
      test: ["CMD", "false"]
    build:
      args: {X: "1"}
    depends_on:
      cache:
        condition: service_healthy
  cache:
    image: redis
networks:
  back:
"""


def test_two_files_merge_key_by_key(write: Write, tmp_path: Path) -> None:
    base = write("compose.yaml", BASE)
    override = write("over.yaml", OVERRIDE, folder=tmp_path / "sub")
    project = load_project([str(base), str(override)], "m", env={})
    web = project.service("web")

    assert web.command == ("sleep", "2")  # replaced, not appended
    assert web.entrypoint == ("/bin/ash",)
    assert web.healthcheck is not None and web.healthcheck.test == ("CMD", "false")
    assert web.healthcheck.interval == 5.0  # the rest of healthcheck merges as a mapping
    assert dict(web.environment) == {"A": "1", "B": "3", "C": "4"}  # list and mapping forms
    assert dict(web.labels) == {"team": "core", "tier": "front"}
    assert web.ports == (PortMapping(80, 8080), PortMapping(9000), PortMapping(9001))
    assert [n.name for n in web.networks] == ["front", "back"]
    assert web.networks[1] == ServiceNetwork("back", ("w",))
    assert web.depends_on == (Dependency("db"), Dependency("cache", "service_healthy"))
    assert web.build is not None and dict(web.build.args) == {"X": "1"}
    assert [s.name for s in project.services] == ["web", "db", "cache"]
    assert [n.key for n in project.networks] == ["default", "front", "back"]
    # The project folder is the first file's; each relative path resolves against its own file.
    assert project.working_dir == str(tmp_path)
    assert project.config_files == (str(base), str(override))
    assert web.build.context == str(tmp_path / "ctx")
    assert web.volumes == (
        Mount("bind", "/data", str(tmp_path / "sub" / "other")),  # replaced by target
        Mount("volume", "/cache", "cache"),
    )


def test_config_prints_the_merged_file_with_unique_sequences(write: Write, tmp_path: Path) -> None:
    base = write("compose.yaml", BASE.replace("dns: [1.1.1.1]", "profiles: [a]"))
    override = write("over.yaml", "services:\n  web:\n    profiles: [a, b]\n")
    text = render_project(load_project([str(base), str(override)], "m", profiles=["a"], env={}))
    assert "profiles:\n    - a\n    - b\n" in text


def test_unknown_keys_are_still_named_in_their_file(write: Write, tmp_path: Path) -> None:
    base = write("compose.yaml", "services:\n  web:\n    image: x\n")
    override = write(
        "over.yaml",
        """
        services:
          web:
            ports:
              - "80:abc"
            env file: x.env
        """,
    )
    with pytest.raises(ComposeFileError) as caught:
        load_project([str(base), str(override)], "m", env={})
    assert [str(p) for p in caught.value.problems] == [
        f'{override}:4: services.web.ports[0]: invalid port "80:abc"',
        f'{override}:5: services.web.env file: unknown key (did you mean "env_file"?)',
    ]


def test_a_problem_in_the_base_keeps_its_line_after_the_merge(write: Write) -> None:
    base = write(
        "compose.yaml",
        """
        services:
          web:
            image: x
            ports:
              - "1:2"
              - "99999:80"
        """,
    )
    override = write("over.yaml", "services:\n  web:\n    ports: ['5:6']\n    restart: often\n")
    with pytest.raises(ComposeFileError) as caught:
        load_project([str(base), str(override)], "m", env={})
    assert [str(p) for p in caught.value.problems] == [
        f'{base}:6: services.web.ports[1]: invalid port "99999:80"',
        f'{override}:4: services.web.restart: invalid restart policy "often"',
    ]


def test_interpolation_happens_per_file_with_the_project_env(write: Write, tmp_path: Path) -> None:
    write(".env", "TAG=1.0\n")
    base = write("compose.yaml", "services:\n  web:\n    image: x:${TAG}\n")
    override = write("o.yaml", "services:\n  web:\n    image: y:${TAG}\n    user: ${NOPE:?}\n")
    with pytest.raises(ComposeFileError) as caught:
        load_project([str(base), str(override)], "m", env={})
    assert [str(p) for p in caught.value.problems] == [
        f"{override}:4: services.web.user: required variable NOPE is missing: "
        "variable NOPE is required"
    ]
    override.write_text("services:\n  web:\n    image: y:${TAG}\n")
    assert load_project([str(base), str(override)], "m", env={}).service("web").image == "y:1.0"


def test_reset_and_override_tags(write: Write) -> None:
    base = write(
        "compose.yaml",
        """
        services:
          web:
            image: x
            ports: ["80:80", "81:81"]
            environment: {A: "1", B: "2"}
        """,
    )
    override = write(
        "over.yaml",
        """
        services:
          web:
            ports: !override ["82:82"]
            environment:
              A: !reset null
        """,
    )
    web = load_project([str(base), str(override)], "m", env={}).service("web")
    assert web.ports == (PortMapping(82, 82),)
    assert dict(web.environment) == {"B": "2"}
    override.write_text("services:\n  web:\n    ports: !reset []\n")
    assert load_project([str(base), str(override)], "m", env={}).service("web").ports == ()


def test_a_later_scalar_replaces_and_an_empty_key_keeps(write: Write) -> None:
    base = write("compose.yaml", "services:\n  web:\n    image: x\n    ports: ['1:1']\n")
    override = write("over.yaml", "services:\n  web:\n    image: y\n    ports:\n")
    web = load_project([str(base), str(override)], "m", env={}).service("web")
    assert web.image == "y" and web.ports == (PortMapping(1, 1),)


def test_the_override_file_beside_the_default_is_picked_up(
    write: Write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write("compose.yaml", "services:\n  web:\n    image: x\n")
    write("compose.override.yaml", "services:\n  web:\n    image: y\n")
    monkeypatch.chdir(tmp_path)
    assert compose_files(None, {}) == ["./compose.yaml", "./compose.override.yaml"]
    project = load_project(None, "m", env={})
    assert project.service("web").image == "y"
    assert project.config_files == (
        str(tmp_path / "compose.yaml"),
        str(tmp_path / "compose.override.yaml"),
    )
    # -f names the files exactly: no override is added to them.
    assert load_project("compose.yaml", "m", env={}).service("web").image == "x"


def test_docker_compose_override_yml_beside_docker_compose_yml(
    write: Write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write("docker-compose.yml", "services:\n  web:\n    image: x\n")
    write("docker-compose.override.yml", "services:\n  web:\n    image: y\n")
    monkeypatch.chdir(tmp_path)
    assert load_project(None, "m", env={}).service("web").image == "y"


def test_compose_file_variable_lists_the_files(
    write: Write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write("a.yaml", "services:\n  web:\n    image: x\n")
    write("b.yaml", "services:\n  web:\n    image: y\n")
    write("compose.yaml", "services:\n  web:\n    image: default\n")
    monkeypatch.chdir(tmp_path)
    env = {"COMPOSE_FILE": "a.yaml:b.yaml"}
    assert load_project(None, "m", env=env).service("web").image == "y"
    env = {"COMPOSE_FILE": "b.yaml;a.yaml", "COMPOSE_PATH_SEPARATOR": ";"}
    assert load_project(None, "m", env=env).service("web").image == "x"
    # -f wins over COMPOSE_FILE
    assert load_project(["compose.yaml"], "m", env=env).service("web").image == "default"


def test_cli_takes_several_files_and_prints_the_merged_config(
    write: Write, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = write("compose.yaml", "services:\n  web:\n    image: x\n    command: a\n")
    override = write("over.yaml", "services:\n  web:\n    command: b\n    ports: [oops]\n")
    assert dockyard("-f", str(base), "-f", str(override), "config") == 1
    assert capsys.readouterr().err.splitlines() == [
        f'{override}:4: services.web.ports[0]: invalid port "oops"'
    ]
    override.write_text("services:\n  web:\n    command: b\n")
    assert dockyard("-f", str(base), "-f", str(override), "-p", "m", "config") == 0
    assert "    command:\n    - b\n" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        dockyard("-f", str(base), "up", "--scale", "web")
    assert '"web" is not SERVICE=NUM' in capsys.readouterr().err
