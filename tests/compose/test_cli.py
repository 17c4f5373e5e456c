"""`dockyard compose ...` as a user types it: ps, logs, config, up in the foreground."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import docker
import pytest

from tests.compose.conftest import Projects
from tui.commands.compose import run_compose_command
from tui.commands.compose_args import add_compose_parser

Write = Callable[..., Path]
IMAGE = "dockyard-test/busybox:latest"


def dockyard(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="dockyard")
    parser.add_argument("--engine", "-e")
    add_compose_parser(parser.add_subparsers(dest="command"))
    return run_compose_command(parser.parse_args(["compose", *argv]))


def test_config_prints_the_resolved_file(write: Write, capsys: pytest.CaptureFixture[str]) -> None:
    write(".env", "PORT=8123\n")
    file = write("compose.yaml", "services:\n  web:\n    image: x\n    ports: ['${PORT}:80']\n")
    assert dockyard("-f", str(file), "-p", "Cfg", "config") == 0
    out = capsys.readouterr().out
    assert out.startswith("name: cfg\n") and "published: 8123" in out


def test_a_bad_file_prints_each_problem_and_fails(
    write: Write, capsys: pytest.CaptureFixture[str]
) -> None:
    file = write(
        "compose.yaml", "services:\n  web:\n    image: x\n    ports: [abc]\n    tyy: true\n"
    )
    assert dockyard("-f", str(file), "config") == 1
    assert capsys.readouterr().err.splitlines() == [
        f'{file}:4: services.web.ports[0]: invalid port "abc"',
        f'{file}:5: services.web.tyy: unknown key (did you mean "tty"?)',
    ]


@pytest.mark.docker
def test_up_ps_logs_down(
    write: Write,
    projects: Projects,
    capsys: pytest.CaptureFixture[str],
    docker_url: str,
    docker_client: docker.DockerClient,
) -> None:
    name = projects.new("cli")
    file = write(
        "compose.yaml",
        f"""
        services:
          hello:
            image: {IMAGE}
            command: sh -c "echo hello one; echo hello two"
          sleeper:
            image: {IMAGE}
            command: sh -c "echo sleeping; exec sleep 3600"
            stop_grace_period: 1s
        """,
    )
    common = ("-e", docker_url, "-f", str(file), "-p", name)
    assert dockyard(*common, "up", "-d") == 0
    capsys.readouterr()

    assert dockyard(*common, "ps") == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["NAME", "SERVICE", "STATUS", "PORTS"]
    assert [row.split()[:2] for row in table[1:]] == [
        [f"{name}-hello-1", "hello"],
        [f"{name}-sleeper-1", "sleeper"],
    ]

    docker_client.api.wait(f"{name}-hello-1", timeout=30)  # all its output is written
    deadline = time.monotonic() + 15
    while b"sleeping" not in docker_client.api.logs(f"{name}-sleeper-1"):
        assert time.monotonic() < deadline, "sleeper never logged"
        time.sleep(0.05)
    assert dockyard(*common, "logs") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["hello   | hello one", "hello   | hello two", "sleeper | sleeping"]

    assert dockyard(*common, "down") == 0
    assert f"Container {name}-sleeper-1  Removed" in capsys.readouterr().err


@pytest.mark.docker
def test_up_in_the_foreground_follows_logs_until_the_services_end(
    write: Write, projects: Projects, capsys: pytest.CaptureFixture[str], docker_url: str
) -> None:
    name = projects.new("fg")
    file = write(
        "compose.yaml",
        f"""
        services:
          one:
            image: {IMAGE}
            command: sh -c "echo first; sleep 0.5; echo done"
          two:
            image: {IMAGE}
            command: sh -c "echo second"
        """,
    )
    assert dockyard("-e", docker_url, "-f", str(file), "-p", name, "up") == 0
    out = capsys.readouterr().out.splitlines()
    assert sorted(out) == ["one | done", "one | first", "two | second"]
    assert out.index("one | first") < out.index("one | done")
    assert dockyard("-e", docker_url, "-f", str(file), "-p", name, "down") == 0
