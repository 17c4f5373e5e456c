"""Reading compose files: versions, interpolation, .env, project names and every field's syntax."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from engine_adapters.compose import load_project, normalize_project_name, render_project
from engine_adapters.compose.interpolate import InterpolationError, parse_env_file, substitute
from engine_adapters.compose.model import Dependency, Mount, PortMapping, ServiceNetwork
from engine_adapters.compose.planner import start_order, used_networks

Write = Callable[..., Path]
ENV = {"HOME": "/root"}


@pytest.mark.parametrize(
    "version", ['version: "2"', 'version: "2.4"', "version: '3'", 'version: "3.8"', ""]
)
def test_versions_2_3_and_none_load(write: Write, version: str) -> None:
    file = write("compose.yaml", f"{version}\nservices:\n  web:\n    image: busybox\n")
    project = load_project(str(file), "v", env=ENV)
    assert [s.name for s in project.services] == ["web"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$NAME", "alice"),
        ("${NAME}", "alice"),
        ("${UNSET:-fallback}", "fallback"),
        ("${EMPTY:-fallback}", "fallback"),
        ("${EMPTY-fallback}", ""),
        ("${UNSET-fallback}", "fallback"),
        ("${NAME:?needed}", "alice"),
        ("${NAME:+alt}", "alt"),
        ("${UNSET:+alt}", ""),
        ("$$NAME costs $$5", "$NAME costs $5"),
        ("pre-${NAME}-post", "pre-alice-post"),
        ("$UNSET", ""),
    ],
)
def test_every_interpolation_form(text: str, expected: str) -> None:
    assert substitute(text, {"NAME": "alice", "EMPTY": ""}) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("${UNSET:?set it please}", "required variable UNSET is missing: set it please"),
        ("${EMPTY:?}", "required variable EMPTY is missing: variable EMPTY is required"),
        ("${NAME", 'invalid interpolation format "${NAME"'),
        ("${9x}", 'invalid interpolation format "${9x}"'),
    ],
)
def test_interpolation_errors(text: str, message: str) -> None:
    with pytest.raises(InterpolationError) as caught:
        substitute(text, {"EMPTY": ""})
    assert caught.value.message == message


def test_dotenv_feeds_interpolation_and_the_shell_wins(write: Write) -> None:
    write(".env", 'IMAGE=from-dotenv\nTAG=1.0\n# comment\nexport QUOTED="a b"\n')
    file = write(
        "compose.yaml",
        """
        services:
          web:
            image: ${IMAGE}:${TAG}
            environment:
              Q: ${QUOTED}
        """,
    )
    project = load_project(str(file), "p", env={"TAG": "2.0"})
    web = project.service("web")
    assert web.image == "from-dotenv:2.0"
    assert web.environment["Q"] == "a b"


def test_env_file_parsing() -> None:
    parsed = parse_env_file(
        "A=1\n  B = two  \nC='single # kept'\nD=\"dq\\nline\"\n"
        "E=value # comment\n#F=no\nexport G=g\nBARE\n"
    )
    assert parsed == {
        "A": "1",
        "B": "two",
        "C": "single # kept",
        "D": "dq\nline",
        "E": "value",
        "G": "g",
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("MyApp", "myapp"), ("my app!", "myapp"), ("web_2-x", "web_2-x"), ("_Under", "under")],
)
def test_project_names_are_normalised(raw: str, expected: str) -> None:
    assert normalize_project_name(raw) == expected


def test_project_name_from_flag_env_top_level_or_folder(write: Write, tmp_path: Path) -> None:
    file = write("compose.yaml", "services:\n  a:\n    image: x\n", folder=tmp_path / "My_Shop")
    assert load_project(str(file), env={}).name == "my_shop"
    assert load_project(str(file), env={"COMPOSE_PROJECT_NAME": "FromEnv"}).name == "fromenv"
    assert load_project(str(file), "Flag", env={"COMPOSE_PROJECT_NAME": "x"}).name == "flag"
    named = write(
        "compose.yaml", "name: Spec\nservices:\n  a:\n    image: x\n", folder=tmp_path / "o"
    )
    assert load_project(str(named), env={}).name == "spec"


def test_a_full_service(write: Write, tmp_path: Path) -> None:
    write("web.env", "FROM_FILE=1\nOVERRIDDEN=file\n")
    file = write(
        "compose.yaml",
        """
        version: "3.8"
        services:
          web:
            build:
              context: ./app
              dockerfile: Dockerfile.dev
              args: [VERSION=3]
            image: shop/web
            command: sh -c "echo 'hi there'"
            entrypoint: ["/bin/tini", "--"]
            env_file: web.env
            environment:
              OVERRIDDEN: inline
              FROM_SHELL:
              NUMBER: 5
            ports:
              - 80
              - "8080:80"
              - "127.0.0.1:9000:9000/udp"
              - "7000-7001:8000-8001"
              - target: 443
                published: 8443
                host_ip: 127.0.0.1
            volumes:
              - data:/data
              - ./site:/site:ro
              - /scratch
              - type: bind
                source: ./conf
                target: /etc/conf
                read_only: true
            networks:
              front:
                aliases: [www]
                ipv4_address: 10.5.0.9
              back:
            links: [db:database, cache]
            depends_on:
              db:
                condition: service_healthy
              cache:
                condition: service_started
            healthcheck:
              test: wget -q -O- localhost
              interval: 1m30s
              timeout: 500ms
              retries: 3
              start_period: 10s
            restart: on-failure:3
            labels: [tier=front]
            hostname: web1
            working_dir: /srv
            user: "1000:1000"
            tty: true
            stdin_open: true
          db:
            image: db
            network_mode: host
          cache:
            image: cache
            network_mode: "service:db"
        networks:
          front:
            ipam:
              config:
                - subnet: 10.5.0.0/24
                  gateway: 10.5.0.1
          back:
            internal: true
            name: custom-back
        volumes:
          data:
        """,
    )
    project = load_project(str(file), "shop", env={"FROM_SHELL": "shell"})
    web = project.service("web")
    assert web.build is not None
    assert web.build.context == str(tmp_path / "app") and web.build.dockerfile == "Dockerfile.dev"
    assert dict(web.build.args) == {"VERSION": "3"}
    assert web.command == ("sh", "-c", "echo 'hi there'")
    assert web.entrypoint == ("/bin/tini", "--")
    assert dict(web.environment) == {
        "FROM_FILE": "1",
        "OVERRIDDEN": "inline",
        "FROM_SHELL": "shell",
        "NUMBER": "5",
    }
    assert web.ports == (
        PortMapping(80),
        PortMapping(80, 8080),
        PortMapping(9000, 9000, "udp", "127.0.0.1"),
        PortMapping(8000, 7000),
        PortMapping(8001, 7001),
        PortMapping(443, 8443, "tcp", "127.0.0.1"),
    )
    assert web.volumes == (
        Mount("volume", "/data", "data"),
        Mount("bind", "/site", str(tmp_path / "site"), True),
        Mount("volume", "/scratch"),
        Mount("bind", "/etc/conf", str(tmp_path / "conf"), True),
    )
    assert web.networks == (ServiceNetwork("front", ("www",), "10.5.0.9"), ServiceNetwork("back"))
    assert web.links == ("db:database", "cache:cache")
    assert web.depends_on == (Dependency("db", "service_healthy"), Dependency("cache"))
    assert web.healthcheck is not None
    assert web.healthcheck.test == ("CMD-SHELL", "wget -q -O- localhost")
    assert (web.healthcheck.interval, web.healthcheck.timeout) == (90.0, 0.5)
    assert (web.healthcheck.retries, web.healthcheck.start_period) == (3, 10.0)
    assert (web.restart, dict(web.labels), web.hostname) == (
        "on-failure:3",
        {"tier": "front"},
        "web1",
    )
    assert (web.working_dir, web.user, web.tty, web.stdin_open) == ("/srv", "1000:1000", True, True)
    assert project.service("db").network_mode == "host" and project.service("db").networks == ()
    assert project.service("cache").service_dependency == "db"
    front, back = project.network("front"), project.network("back")
    assert (front.name, front.subnet, front.gateway) == ("shop_front", "10.5.0.0/24", "10.5.0.1")
    assert (back.name, back.internal) == ("custom-back", True)
    assert project.volume("data").name == "shop_data"
    assert [s.name for s in start_order(project)] == ["db", "cache", "web"]


def test_external_networks_and_volumes_keep_their_names(write: Write) -> None:
    file = write(
        "compose.yaml",
        """
        version: "2"
        services:
          a:
            image: x
            networks: [outside, legacy]
            volumes: [keep:/keep]
        networks:
          outside:
            external: true
          legacy:
            external:
              name: real-legacy
        volumes:
          keep:
            external: true
            name: kept-data
        """,
    )
    project = load_project(str(file), "p", env={})
    assert project.network("outside").name == "outside" and project.network("outside").external
    assert project.network("legacy").name == "real-legacy"
    assert project.volume("keep").name == "kept-data" and project.volume("keep").external


def test_default_network_only_when_a_service_uses_it(write: Write) -> None:
    file = write(
        "compose.yaml",
        """
        services:
          a: {image: x, networks: [mine]}
          b: {image: x, network_mode: none}
        networks:
          mine:
        """,
    )
    project = load_project(str(file), "p", env={})
    assert [n.name for n in used_networks(project, list(project.services))] == ["p_mine"]
    plain = write("compose.yaml", "services:\n  a: {image: x}\n")
    project = load_project(str(plain), "p", env={})
    assert [n.name for n in used_networks(project, list(project.services))] == ["p_default"]


def test_anchors_and_merge_keys(write: Write) -> None:
    file = write(
        "compose.yaml",
        """
        x-base: &base
          image: x
          environment: {A: "1"}
        services:
          one:
            <<: *base
          two:
            <<: *base
            environment: {A: "2"}
        """,
    )
    project = load_project(str(file), "p", env={})
    assert project.service("one").environment["A"] == "1"
    assert project.service("two").environment["A"] == "2"


def test_start_order_follows_depends_on_links_and_network_mode(write: Write) -> None:
    file = write(
        "compose.yaml",
        """
        services:
          front: {image: x, depends_on: [api]}
          api: {image: x, links: [db]}
          sidecar: {image: x, network_mode: "service:front"}
          db: {image: x}
        """,
    )
    project = load_project(str(file), "p", env={})
    assert [s.name for s in start_order(project)] == ["db", "api", "front", "sidecar"]
    assert [s.name for s in start_order(project, ["api"])] == ["db", "api"]


def test_config_renders_the_resolved_project(write: Write) -> None:
    file = write(
        "compose.yaml", "services:\n  web:\n    image: ${IMG:-busybox}\n    ports: ['8080:80']\n"
    )
    text = render_project(load_project(str(file), "p", env={}))
    assert "name: p" in text and "image: busybox" in text and "published: 8080" in text
    assert "default:" in text and "name: p_default" in text
