"""The lecture's networks built on the real dockerd, read back through DockerEngine, exported."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot

from engine_adapters.docker_engine import DockerEngine
from engine_adapters.models import COMPOSE_PROJECT_LABEL
from engine_adapters.topology import Topology, export, load_topology
from tests.fixtures.docker import TEST_IMAGE, Resources
from tui.screens.topology import TopologyScreen
from tui.widgets.topology_view import TopologyView

pytestmark = pytest.mark.docker


@dataclass
class Lab:
    """What the test made on dockerd, by lecture name; `res` removes it all."""

    res: Resources
    containers: dict[str, Any] = field(default_factory=dict)
    networks: dict[str, Any] = field(default_factory=dict)

    @property
    def prefix(self) -> str:
        return self.res.prefix

    def run(self, name: str, **kw: Any) -> None:
        """`docker run -d` busybox sleeping, labelled so the test can pick its part of the graph."""
        self.containers[name] = self.res.client.containers.run(
            TEST_IMAGE,
            ["sleep", "3600"],
            name=self.res.container(f"{self.prefix}-{name}"),
            detach=True,
            labels={COMPOSE_PROJECT_LABEL: self.prefix},
            **kw,
        )

    def ip(self, container: str, network: str) -> str:
        c = self.containers[container]
        c.reload()
        endpoint = c.attrs["NetworkSettings"]["Networks"][self.networks[network].name]
        return str(endpoint["IPAddress"])


@pytest.fixture
def lab(res: Resources) -> Lab:
    lab = Lab(res)
    # $ docker network create --driver=bridge mynet (and mynet2)
    for name in ("mynet", "mynet2"):
        lab.networks[name] = res.client.networks.create(
            res.network(f"{lab.prefix}-{name}"),
            driver="bridge",
            labels={COMPOSE_PROJECT_LABEL: lab.prefix},
        )
    lab.run("c1", network=f"{lab.prefix}-mynet")
    lab.run("c2", network=f"{lab.prefix}-mynet")
    lab.run("c3", network=f"{lab.prefix}-mynet2")
    # $ docker network connect mynet2 c2
    lab.networks["mynet2"].connect(lab.containers["c2"])
    # network_mode: service:c2 reaches the engine as container:<id of c2>
    lab.run("side", network_mode=f"container:{lab.containers['c2'].id}")
    # $ docker run --name database ...; docker run --name tomcat --link database:db -p 8000:8080
    # (the host port is left to dockerd so parallel runs never clash)
    lab.run("database")
    lab.run("tomcat", links={f"{lab.prefix}-database": "db"}, ports={"8080/tcp": None})
    return lab


def _by_name(topology: Topology, lab: Lab) -> dict[str, str]:
    return {c.name.removeprefix(f"{lab.prefix}-"): c.id for c in topology.containers}


async def test_lecture_topology_on_dockerd(lab: Lab, engine: DockerEngine) -> None:
    whole = await load_topology(engine)
    topology = whole.only_project(lab.prefix)
    ids = _by_name(topology, lab)
    assert sorted(ids) == ["c1", "c2", "c3", "database", "side", "tomcat"]
    nets = {n.name.removeprefix(f"{lab.prefix}-"): n for n in topology.networks}
    assert {"mynet", "mynet2", "bridge"} <= set(nets)
    assert nets["mynet"].driver == "bridge" and nets["mynet"].subnets

    def members(net: str) -> list[str]:
        names = {v: k for k, v in ids.items()}
        return sorted(names[i] for i in topology.members(nets[net].id))

    assert members("mynet") == ["c1", "c2", "side"]
    assert members("mynet2") == ["c2", "c3", "side"]
    ips = {(a.container_id, a.network_id): a.ip for a in topology.attachments}
    assert ips[(ids["c2"], nets["mynet2"].id)] == lab.ip("c2", "mynet2")
    assert ips[(ids["c1"], nets["mynet"].id)] == lab.ip("c1", "mynet")
    assert [(s.source_id, s.target_id) for s in topology.shared_stacks] == [
        (ids["side"], ids["c2"])
    ]
    assert [(x.source_id, x.target_id, x.alias) for x in topology.links] == [
        (ids["tomcat"], ids["database"], "db")
    ]
    tomcat = topology.container(ids["tomcat"])
    assert tomcat is not None and len(tomcat.published) == 1
    assert tomcat.published[0].endswith("->8080/tcp")

    text = export(topology, "text")
    for name in ("c1", "c2", "c3", "side", "database", "tomcat"):
        assert f"{lab.prefix}-{name}" in text
    assert lab.ip("c2", "mynet2") in text and "link db" in text and "shares net" in text
    dot = export(topology, "dot")
    if shutil.which("dot"):
        done = subprocess.run(["dot", "-Tsvg"], input=dot.encode(), capture_output=True, timeout=60)
        assert done.returncode == 0, done.stderr.decode()


async def test_stopped_container_is_drawn_dashed(lab: Lab, engine: DockerEngine) -> None:
    lab.containers["c3"].stop(timeout=0)
    topology = (await load_topology(engine)).only_project(lab.prefix)
    c3 = next(c for c in topology.containers if c.name.endswith("-c3"))
    assert c3.state.value == "stopped"
    assert "○ " + c3.name in export(topology, "text")


class TopologyApp(App[None]):
    def __init__(self, engine: DockerEngine) -> None:
        super().__init__()
        self.engine = engine

    def on_mount(self) -> None:
        self.push_screen(TopologyScreen(self.engine))


async def _wait_for(pilot: Pilot[None], condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 20
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.pause(0.05)


async def test_screen_follows_dockerd_events(lab: Lab, engine: DockerEngine) -> None:
    app = TopologyApp(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.screen.query_one(TopologyView)

        def container(name: str) -> object:
            full = f"{lab.prefix}-{name}"
            return next((c for c in view.topology.containers if c.name == full), None)

        def attached(name: str, network: str) -> bool:
            net_id = lab.networks[network].id
            return any(
                a.container_id == lab.containers[name].id and a.network_id == net_id
                for a in view.topology.attachments
            )

        await _wait_for(pilot, lambda: container("c3") is not None, "the first load")
        c2_key = f"c:{lab.containers['c2'].id}"
        view.selected = c2_key
        lab.run("c4", network=f"{lab.prefix}-mynet2")
        await _wait_for(pilot, lambda: container("c4") is not None, "c4 to appear")
        lab.networks["mynet2"].disconnect(lab.containers["c2"])
        await _wait_for(pilot, lambda: not attached("c2", "mynet2"), "c2 to leave mynet2")
        lab.containers["c1"].stop(timeout=0)
        await _wait_for(
            pilot,
            lambda: getattr(container("c1"), "state", None) == "stopped",
            "c1 to stop",
        )
        assert view.selected == c2_key
