"""The Swarm view (`5`) on the real three-node swarm: every swarm key pressed, as a user would.

This is the swarm owner's key walk: tests/ui_keys walks the host dockerd, which manages no
swarm, so the key-walk coverage test counts the `swarm.*` keys as walked here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from engine_adapters.docker_engine import DockerEngine
from engine_adapters.docker_engine.swarm import DockerSwarm
from engine_adapters.swarm.models import SwarmNode, SwarmService
from engine_adapters.swarm.spec import ServiceSpec, UpdatePolicy
from tests.swarm.conftest import unique
from tests.waiting import eventually
from tui.app import DockyardApp
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.prompt import PromptDialog
from tui.keymap import BY_ID, specs_for
from tui.screens.main import MainScreen
from tui.screens.service_logs import ServiceLogsScreen
from tui.widgets.views.swarm_table import SwarmTable, TasksTable

IMAGE = "dockyard-test/busybox:latest"
IMAGE_V2 = "dockyard-test/busybox:v2"
SLEEPER = ("sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done")
pytestmark = pytest.mark.swarm


class SwarmWalk:
    def __init__(self, pilot: Pilot[None]) -> None:
        self.pilot = pilot
        self.pressed: list[str] = []

    @property
    def app(self) -> DockyardApp:
        app = self.pilot.app
        assert isinstance(app, DockyardApp)
        return app

    @property
    def main(self) -> MainScreen:
        main = self.app.main_screen
        assert main is not None
        return main

    @property
    def table(self) -> SwarmTable:
        return self.main.query_one("#swarm-table", SwarmTable)

    async def press(self, spec_id: str) -> None:
        self.pressed.append(spec_id)
        await self.pilot.press(BY_ID[spec_id].key)

    async def until(self, probe: Callable[[], object], timeout: float = 90) -> None:
        async def probed() -> object:
            await self.pilot.pause()
            return probe()

        try:
            await eventually(probed, timeout=timeout, interval=0.1)
        except AssertionError as error:
            notes = "; ".join(n.message for n in self.app._notifications)
            raise AssertionError(f"{error} after {self.pressed[-1:]}; notes: {notes}") from None

    async def answer(self, dialog: type[object], *keys: str) -> None:
        await self.until(lambda: isinstance(self.app.screen, dialog))
        await self.pilot.press(*keys)
        await self.until(lambda: self.app.screen is self.main)

    async def select(self, text: str, key: str) -> None:
        await self.until(lambda: key in self.table.items)
        await self.pilot.press("slash", "ctrl+a", "ctrl+k", *text, "enter")
        await self.until(lambda: self.table.current_key == key)

    def logged(self, line: str) -> bool:
        return any(c.line == line and c.ok for c in self.app.command_log)

    def notified(self, words: str) -> bool:
        return any(words in n.message for n in self.app._notifications)

    def running_tasks(self) -> int:
        tasks = self.main.query_one("#swarm-tasks", TasksTable).tasks
        return sum(t.state == "running" and t.desired_state == "running" for t in tasks)


@pytest.mark.timeout(600)
async def test_swarm_view_lists_services_and_every_key_acts_on_the_swarm(
    manager: DockerEngine,
    swarm: DockerSwarm,
    names: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    name = unique()
    names.append(name)
    policy = UpdatePolicy(parallelism=1, delay=0.2, monitor=1.0)
    spec = ServiceSpec(
        name=name, image=IMAGE, args=SLEEPER, update_config=policy, stop_grace_period=1.0
    )
    service = await swarm.create_service(spec)

    app = DockyardApp(manager, config_path=tmp_path / "xdg" / "dockyard" / "config.toml")
    async with app.run_test(size=(140, 40)) as pilot:
        w = SwarmWalk(pilot)
        await w.until(lambda: app.main_screen is not None)
        await w.until(lambda: w.main.swarm_feed.is_manager)
        await w.until(lambda: " 5 Swarm " in str(w.main.query_one("#view-tabs", Static).content))

        await w.press("main.view('swarm')")
        await w.until(lambda: w.main.current_view == "swarm")
        await w.select(name, service.id)
        await w.until(lambda: w.running_tasks() == 1)

        # scale: a bad number is one line, a good one changes the tasks the view lists
        await w.press("swarm.scale")
        await w.answer(PromptDialog, "ctrl+a", "ctrl+k", *"three", "enter")
        await w.until(lambda: w.notified("whole number"))
        await w.press("swarm.scale")
        await w.answer(PromptDialog, "ctrl+a", "ctrl+k", "3", "enter")
        await w.until(lambda: w.running_tasks() == 3)
        await w.until(lambda: w.table.items[service.id].replicas_text == "3/3")
        assert w.logged(f"docker service scale {name}=3")
        assert (await swarm.inspect_service(name)).desired == 3

        # logs: a screen of the service's merged task logs (tests/swarm/test_service_logs.py
        # reads lines from every node); escape comes back
        await w.press("swarm.logs")
        await w.until(lambda: isinstance(app.screen, ServiceLogsScreen))
        await pilot.press("escape")
        await w.until(lambda: app.screen is w.main)

        await w.press("swarm.update_image")
        await w.answer(PromptDialog, "ctrl+a", "ctrl+k", *IMAGE_V2, "enter")
        await w.until(lambda: _state(w.table.items[service.id]) == "completed", timeout=120)
        assert (await swarm.inspect_service(name)).image == IMAGE_V2
        assert w.logged(f"docker service update --image {IMAGE_V2} {name}")

        await w.press("swarm.rollback")
        await w.answer(ConfirmDialog, "y")
        await w.until(
            lambda: _state(w.table.items[service.id]) == "rollback_completed", timeout=120
        )
        assert (await swarm.inspect_service(name)).image == IMAGE
        assert w.logged(f"docker service rollback {name}")

        # the nodes: drain the worker, then bring it back
        await w.press("swarm.toggle_nodes")
        await w.until(lambda: len(w.table.items) == 3)
        header = w.table.render_line(0).text  # the header row says which
        assert "AVAILABILITY" in header and "ADDRESS" in header
        worker = next(n for n in await swarm.nodes() if n.hostname == "swarm-node3")
        await w.select("swarm-node3", worker.id)
        await w.press("swarm.drain")
        await w.answer(ConfirmDialog, "y")
        await w.until(lambda: _availability(w.table.items[worker.id]) == "drain")
        assert next(n for n in await swarm.nodes() if n.id == worker.id).availability == "drain"
        await w.press("swarm.activate")
        await w.until(lambda: _availability(w.table.items[worker.id]) == "active")
        assert w.logged("docker node update --availability active swarm-node3")
        await w.press("swarm.pause_node")
        await w.until(lambda: _availability(w.table.items[worker.id]) == "pause")
        assert w.logged("docker node update --availability pause swarm-node3")
        await w.press("swarm.activate")
        await w.until(lambda: _availability(w.table.items[worker.id]) == "active")

        # labels: a bad entry is one line; the set given replaces the node's, then none again
        await w.press("swarm.label_node")
        await w.answer(PromptDialog, "ctrl+a", "ctrl+k", *"zone", "enter")
        await w.until(lambda: w.notified("key=value"))
        await w.press("swarm.label_node")
        await w.answer(PromptDialog, "ctrl+a", "ctrl+k", *"zone=eu, disk=ssd", "enter")
        await w.until(lambda: _labels(w.table.items[worker.id]) == {"zone": "eu", "disk": "ssd"})
        assert w.logged("docker node update --label-add=zone=eu --label-add=disk=ssd swarm-node3")
        await w.press("swarm.label_node")
        await w.answer(PromptDialog, "ctrl+a", "ctrl+k", "enter")
        await w.until(lambda: _labels(w.table.items[worker.id]) == {})
        assert next(n for n in await swarm.nodes() if n.id == worker.id).labels == {}

        # the worker made a manager and a worker again (asked first: quorum is at stake)
        await w.press("swarm.promote")
        await w.until(lambda: _role(w.table.items[worker.id]) == "manager", timeout=60)
        assert w.logged("docker node promote swarm-node3")
        await w.press("swarm.demote")
        await w.answer(ConfirmDialog, "y")
        await w.until(lambda: _role(w.table.items[worker.id]) == "worker", timeout=60)
        assert next(n for n in await swarm.nodes() if n.id == worker.id).role == "worker"

        await w.press("swarm.toggle_nodes")
        await w.select(name, service.id)
        assert "REPLICAS" in w.table.render_line(0).text and "STACK" in w.table.render_line(0).text

        # a new service from the prompt: a bad line is one line, a good one runs its tasks
        await w.press("swarm.create")
        await w.answer(PromptDialog, *"lonely", "enter")
        await w.until(lambda: w.notified("NAME IMAGE [REPLICAS] [COMMAND]"))
        created = unique()
        names.append(created)
        await w.press("swarm.create")
        await w.answer(PromptDialog, *f"{created} {IMAGE} 2 sleep 600", "enter")
        await w.until(lambda: any(s.name == created and s.running == 2
                                  for s in w.table.items.values()))  # fmt: skip
        assert w.logged(f"docker service create --name {created} --replicas 2 {IMAGE} sleep 600")
        await w.select(name, service.id)
        await w.press("swarm.remove")
        await w.answer(ConfirmDialog, "y")
        await w.until(lambda: service.id not in w.table.items)
        assert name not in {s.name for s in await swarm.services()}
    assert sorted({s.id for s in specs_for("swarm")} - set(w.pressed)) == []


def _state(service: object) -> str:
    assert isinstance(service, SwarmService)
    return service.update_status.state if service.update_status else ""


def _availability(node: object) -> str:
    assert isinstance(node, SwarmNode)
    return node.availability


def _labels(node: object) -> dict[str, str]:
    assert isinstance(node, SwarmNode)
    return dict(node.labels)


def _role(node: object) -> str:
    assert isinstance(node, SwarmNode)
    return node.role
