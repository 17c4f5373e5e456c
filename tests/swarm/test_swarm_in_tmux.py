"""The Swarm view in a real terminal against the three-node rig: `5`, the nodes, a scale by keys."""

from __future__ import annotations

import sys
from pathlib import Path

import docker
import pytest

from tests.e2e.tmux import TmuxSession
from tests.swarm.conftest import SwarmRig, unique
from tests.swarm.test_swarm_view import IMAGE, SLEEPER

pytestmark = [pytest.mark.swarm, pytest.mark.e2e]
DOCKYARD = str(Path(sys.executable).with_name("dockyard"))


def _row(screen: str, name: str) -> str:
    """The table row of `name` (not the filter line, nor a task `name.N`)."""
    return next((line for line in screen.splitlines() if line.startswith(f" {name} ")), "")


def _replace_prompt(app: TmuxSession, text: str) -> None:
    """Keys that reach the dialog before its input has focus are dropped (the dialog is
    drawn a frame earlier): type again until the input shows the text."""
    for _ in range(10):
        app.send("C-a", "C-k")
        app.type(text)
        try:
            app.wait_for(f"▊  {text} ", timeout=2)
            return
        except AssertionError:
            continue
    raise AssertionError(f"the prompt never showed {text!r}:\n{app.screen()}")


@pytest.mark.timeout(300)
def test_the_swarm_view_in_tmux_lists_nodes_and_scales_by_keys(
    swarm_rig: SwarmRig, names: list[str], tmp_path: Path
) -> None:
    name = unique()
    names.append(name)
    client = swarm_rig.client(0)
    task = docker.types.TaskTemplate(docker.types.ContainerSpec(IMAGE, args=list(SLEEPER)))
    client.create_service(task, name=name)
    client.close()

    command = ["env", f"XDG_CONFIG_HOME={tmp_path}", DOCKYARD, "--engine", swarm_rig.manager]
    app = TmuxSession(command, width=140, height=36)
    try:
        app.wait_for("5 Swarm", timeout=30)  # the view tabs list Swarm on a manager
        app.send("5")
        screen = app.wait_for(lambda s: "1/1" in _row(s, name), timeout=60)
        assert "SERVICE" in screen and "REPLICAS" in screen and "Traceback" not in screen

        app.send("n")  # the nodes, the leader marked
        screen = app.wait_for(lambda s: all(f"swarm-node{n}" in s for n in (1, 2, 3)))
        assert "leader" in _row(screen, "swarm-node1") and "worker" in _row(screen, "swarm-node3")
        app.send("n")
        app.wait_for(lambda s: "1/1" in _row(s, name))

        app.send("/")
        app.type(name)
        app.wait_for(f"▊  {name} ")
        app.send("Enter")
        # The key bar has the service's keys once the table, not the filter line, has focus.
        app.wait_for(" s Scale ")
        app.send("s")  # scale: the prompt holds the current count
        app.wait_for(f"Scale {name}")
        _replace_prompt(app, "4")
        app.send("Enter")
        screen = app.wait_for(lambda s: "4/4" in _row(s, name), timeout=90)
        # The tasks pane below lists the four, each on a node.
        app.wait_for(lambda s: sum(f"{name}.{slot}" in s for slot in (1, 2, 3, 4)) == 4)
    finally:
        app.close()
