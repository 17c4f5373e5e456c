"""The demo project (examples/demo) on dockerd: light but lively, and named when left running."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import docker
import pytest
from docker.models.containers import Container

from engine_adapters.compose import load_project
from tests.compose.conftest import EXAMPLES, Projects, free_port
from tests.fixtures.docker import TEST_IMAGE, Resources
from tests.waiting import eventually

pytestmark = pytest.mark.docker
ROOT = EXAMPLES.parent
DEMO = EXAMPLES / "demo" / "compose.yaml"


def stats_of(container: Container) -> dict[str, Any]:
    """One reading of dockerd's stats for the container (it samples twice to fill precpu)."""
    return cast(dict[str, Any], container.stats(stream=False))


def cpu_seconds(stats: dict[str, Any]) -> float:
    return float(stats["cpu_stats"]["cpu_usage"]["total_usage"]) / 1e9


async def test_the_cruncher_moves_the_charts_with_a_few_percent_of_a_core(
    docker_client: docker.DockerClient, res: Resources
) -> None:
    services = load_project(str(DEMO), "demo", env={}).services
    command = next(s.command for s in services if s.name == "cruncher")
    assert command is not None
    container = docker_client.containers.run(
        TEST_IMAGE, list(command), name=res.container(), detach=True
    )
    first = stats_of(container)
    start = first["read"]

    # One whole wave of work is ten seconds: measure over at least that, as dockerd reads it.
    def later() -> dict[str, Any] | None:
        now = stats_of(container)
        span = _seconds(now["read"]) - _seconds(start)
        return now if span >= 10.5 else None

    last = await eventually(later, timeout=40, interval=0.5)
    assert last is not None
    span = _seconds(last["read"]) - _seconds(start)
    share = (cpu_seconds(last) - cpu_seconds(first)) / span
    # It was 40 % of a core; a few % now, but never idle: the CPU chart has a line to show.
    assert 0.003 < share < 0.10, f"{share:.1%} of a core"
    logs = await eventually(lambda: b"crunch round" in container.logs(), timeout=15)
    assert logs


def _seconds(stamp: str) -> float:
    """dockerd's `read` time (RFC 3339 with nanoseconds, UTC) in seconds; only differences
    of two are used, so the fraction is kept apart from what fromisoformat reads."""
    whole, _, fraction = stamp.rstrip("Z").partition(".")
    return datetime.fromisoformat(whole).timestamp() + float(f"0.{fraction or '0'}")


def left_running(project: str) -> str:
    result = subprocess.run(
        ["scripts/demo-left-running.sh", "docker", project],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


def compose(project: str, *verb: str) -> None:
    subprocess.run(
        [
            ".venv/bin/dockyard",
            "--engine",
            "docker",
            "compose",
            "-f",
            str(DEMO),
            "-p",
            project,
            *verb,
        ],
        cwd=ROOT,
        env={**os.environ, "DEMO_WEB_PORT": str(free_port())},
        check=True,
        capture_output=True,
        timeout=120,
    )


def test_what_run_sh_leaves_running_is_named_with_how_to_stop_it(projects: Projects) -> None:
    """The exit path of `make run`: after the UI quits, the demo's containers are listed and
    the one command that stops them is given; once they are down, nothing is said."""
    project = projects.new("demo")
    compose(project, "up", "-d")
    lines = left_running(project).splitlines()
    assert len(lines) == 2, lines
    assert "still running on the docker engine (5 containers:" in lines[0]
    for service in ("web", "ticker", "cruncher", "store", "probe"):
        assert f"{project}-{service}-1" in lines[0]
    stop = lines[1].removeprefix("To stop it: ")
    assert stop.endswith(f"compose -f examples/demo/compose.yaml -p {project} down")
    # The command it gives does stop them: run as written, from the repository.
    subprocess.run(stop, shell=True, cwd=ROOT, check=True, capture_output=True, timeout=120)
    assert left_running(project) == ""


def test_the_exit_path_is_wired_into_run_sh() -> None:
    script = (Path(ROOT) / "scripts" / "run.sh").read_text()
    ui = script.index('"$dockyard" --engine native "$@"')
    assert script.index("scripts/demo-left-running.sh native demo", ui) > ui
