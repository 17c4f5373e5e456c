"""Projects found by their labels: grouped, reloaded from their file, or handled without one."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import docker
import pytest

from engine_adapters.compose import (
    Orchestrator,
    group_by_project,
    load_project,
    project_from_labels,
)
from engine_adapters.docker_engine import DockerEngine
from tests.compose.conftest import Projects
from tests.compose.helpers import project_containers, project_networks

pytestmark = pytest.mark.docker
Write = Callable[..., Path]
IMAGE = "dockyard-test/busybox:latest"
FILE = f"""
services:
  a: {{image: "{IMAGE}", command: sleep 3600, stop_grace_period: 0s}}
  b: {{image: "{IMAGE}", command: sleep 3600, stop_grace_period: 0s, networks: [side]}}
networks:
  side:
"""


async def test_found_projects_reload_their_file_or_still_go_down(
    engine: DockerEngine, projects: Projects, write: Write, docker_client: docker.DockerClient
) -> None:
    first, second = projects.new("d1"), projects.new("d2")
    file_one = write("one/compose.yaml", FILE)
    file_two = write("two/compose.yaml", FILE)
    for name, file in ((first, file_one), (second, file_two)):
        await Orchestrator(engine, load_project(str(file), name, env=dict(os.environ))).up()

    groups = group_by_project(await engine.containers(all=True))
    assert sorted(c.name for c in groups[first]) == [f"{first}-a-1", f"{first}-b-1"]

    reloaded = project_from_labels(first, groups[first])
    assert [s.name for s in reloaded.services] == ["a", "b"]
    assert reloaded.config_files == (str(file_one),)

    file_two.unlink()  # the project outlives its file: labels are enough to take it down
    orphaned = project_from_labels(second, groups[second])
    assert orphaned.services == () and orphaned.working_dir == str(file_two.parent)
    await Orchestrator(engine, orphaned).down()
    assert project_containers(docker_client, second) == {}
    assert project_networks(docker_client, second) == set()
    assert len(project_containers(docker_client, first)) == 2  # the other project is untouched
