"""Following logs: a quiet container does not block closing; Ctrl+C on `up` stops the project."""

from __future__ import annotations

import asyncio
import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import docker
import pytest

from engine_adapters.compose import Orchestrator, load_project, merged_logs
from engine_adapters.docker_engine import DockerEngine
from tests.compose.conftest import Projects
from tests.compose.helpers import project_containers

pytestmark = pytest.mark.docker
Write = Callable[..., Path]
IMAGE = "dockyard-test/busybox:latest"
ROOT = Path(__file__).resolve().parents[2]
PROJECT = f"""
services:
  chatty:
    image: {IMAGE}
    command: sh -c 'i=0; while true; do i=$$((i+1)); echo tick $$i; sleep 0.2; done'
    stop_grace_period: 1s
  quiet:
    image: {IMAGE}
    command: sleep 3600
    stop_grace_period: 1s
"""
# The CLI entry as the lead wires it, without depending on tui/cli.py here.
LAUNCHER = """
import argparse, sys
from tui.commands.compose import run_compose_command
from tui.commands.compose_args import add_compose_parser
parser = argparse.ArgumentParser(prog="dockyard")
parser.add_argument("--engine", "-e")
add_compose_parser(parser.add_subparsers(dest="command"))
sys.exit(run_compose_command(parser.parse_args(sys.argv[1:])))
"""


async def test_following_a_quiet_container_closes_promptly(
    engine: DockerEngine, projects: Projects, write: Write
) -> None:
    name = projects.new("q")
    project = load_project(str(write("compose.yaml", PROJECT)), name, env={})
    compose = Orchestrator(engine, project)
    await compose.up()
    lines = merged_logs(engine, await compose.containers(), follow=True, tail=0)
    container, line = await asyncio.wait_for(anext(lines), 20)
    assert container.compose_service == "chatty" and line.text.startswith("tick")
    # Closing must not wait for the quiet container to say something.
    await asyncio.wait_for(lines.aclose(), 10)


def test_ctrl_c_on_up_stops_the_services(
    projects: Projects, write: Write, docker_client: docker.DockerClient, docker_url: str
) -> None:
    name = projects.new("int")
    file = write("compose.yaml", PROJECT)
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            LAUNCHER,
            "compose",
            "-e",
            docker_url,
            "-f",
            str(file),
            "-p",
            name,
            "up",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # a child of a non-interactive shell may inherit SIGINT ignored; a terminal's would not
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert process.stdout is not None
        selector = selectors.DefaultSelector()
        selector.register(process.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + 30
        seen = b""
        while b"chatty | tick" not in seen:
            assert time.monotonic() < deadline, f"no logs followed: {seen!r}"
            if selector.select(timeout=1):
                seen += os.read(process.stdout.fileno(), 4096)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130, err.decode()
    assert b"Gracefully stopping..." in err
    states = {c["State"] for c in project_containers(docker_client, name).values()}
    assert states == {"exited"}
