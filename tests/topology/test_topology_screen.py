"""The topology screen with Pilot: navigation, highlight, enter, project filter, live updates."""

from __future__ import annotations

from dataclasses import replace

from rich.style import Style
from textual.app import App
from textual.pilot import Pilot

from engine_adapters.models import Container, ContainerDetails, Network
from engine_adapters.topology import Topology, build_topology
from tests.topology import scenarios
from tui.screens.topology import TopologyScreen
from tui.widgets.topology_view import TopologyView


class TinyEngine:
    """Serves fixed models: enough for deterministic UI tests, never evidence an engine works."""

    name = "fake"
    endpoint = "fake://"

    def __init__(self, containers: list[Container], networks: list[Network]) -> None:
        self._containers = containers
        self._networks = networks

    async def containers(self, all: bool = True) -> list[Container]:
        return list(self._containers)

    async def networks(self) -> list[Network]:
        return list(self._networks)

    async def inspect_container(self, ref: str) -> ContainerDetails:
        return ContainerDetails(container=next(c for c in self._containers if c.id == ref))


class TopologyApp(App[None]):
    def __init__(self, containers: list[Container], networks: list[Network]) -> None:
        super().__init__()
        self.engine = TinyEngine(containers, networks)
        self.opened: list[str] = []

    def on_mount(self) -> None:
        self.push_screen(TopologyScreen(self.engine, follow_events=False))  # type: ignore[arg-type]

    def on_topology_view_container_selected(self, message: TopologyView.ContainerSelected) -> None:
        self.opened.append(message.container_id)


async def _loaded(pilot: Pilot[None]) -> TopologyView:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return pilot.app.screen.query_one(TopologyView)


def _key(name: str) -> str:
    return f"c:{scenarios.fake_id(name)}"


async def test_arrows_and_hjkl_move_between_nodes() -> None:
    app = TopologyApp(*scenarios.user_networks())
    async with app.run_test(size=(80, 24)) as pilot:
        view = await _loaded(pilot)
        assert view.selected == _key("c1")
        await pilot.press("down")
        assert view.selected == _key("c2")
        await pilot.press("j")
        assert view.selected == _key("c3")
        await pilot.press("k", "up")
        assert view.selected == _key("c1")
        await pilot.press("l")
        assert view.selected is not None and view.selected.startswith("n:")
        await pilot.press("h")
        assert view.selected == _key("c1")


async def test_tab_cycles_through_every_node() -> None:
    app = TopologyApp(*scenarios.user_networks())
    async with app.run_test(size=(80, 24)) as pilot:
        view = await _loaded(pilot)
        seen = []
        for _ in range(5):
            await pilot.press("tab")
            seen.append(view.selected)
        assert len(set(seen)) == 5
        assert seen[-1] == _key("c1")
        await pilot.press("shift+tab")
        assert view.selected == seen[-2]


async def test_focusing_a_network_highlights_its_members() -> None:
    containers, networks = scenarios.user_networks()
    app = TopologyApp(containers, networks)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await _loaded(pilot)
        mynet2 = next(n for n in networks if n.name == "mynet2")
        view.selected = f"n:{mynet2.id}"
        await pilot.pause()
        assert view.highlighted == {f"n:{mynet2.id}", _key("c2"), _key("c3")}
        mynet = next(n for n in networks if n.name == "mynet")
        await pilot.press("down")  # the caption just below
        assert view.highlighted == {f"n:{mynet.id}", _key("c1"), _key("c2")}
        await pilot.press("down")
        assert view.selected == _key("c1")
        assert view.highlighted == frozenset()


async def test_enter_on_a_container_asks_for_its_details() -> None:
    app = TopologyApp(*scenarios.user_networks())
    async with app.run_test(size=(80, 24)) as pilot:
        view = await _loaded(pilot)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.opened == [scenarios.fake_id("c2")]
        view.selected = view.layout_result.nodes[0].key  # a network: nothing to open
        await pilot.press("enter")
        await pilot.pause()
        assert app.opened == [scenarios.fake_id("c2")]


async def test_project_filter_cycles_through_projects() -> None:
    containers, networks = scenarios.compose_service_mode()
    other = scenarios.container("other_web_1", scenarios.attach(networks[0]), project="other")
    loose = scenarios.container("loose", scenarios.attach(networks[0], "172.20.0.9"))
    app = TopologyApp([*containers, other, loose], networks)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await _loaded(pilot)
        status = pilot.app.screen.query_one("#topology-status")
        assert len(view.shown.containers) == 5
        await pilot.press("p")
        assert view.project == "lecture"
        assert {c.name for c in view.shown.containers} == {
            "lecture_c1_1",
            "lecture_c2_1",
            "lecture_c3_1",
        }
        assert "lecture" in str(status.render())
        await pilot.press("p")
        assert view.project == "other"
        assert [c.name for c in view.shown.containers] == ["other_web_1"]
        assert view.selected == _key("other_web_1")
        await pilot.press("p")
        assert view.project is None
        assert len(view.shown.containers) == 5


async def test_update_keeps_the_selected_node_and_scrolls_to_it() -> None:
    containers, networks = scenarios.large()
    app = TopologyApp(containers, networks)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await _loaded(pilot)
        for _ in range(12):
            await pilot.press("down")
        chosen = view.selected
        assert chosen is not None and view.scroll_y > 0
        # Live: a new container appears at the top and another goes away.
        newcomer = scenarios.container("aaa-new", scenarios.attach(networks[0], "10.0.0.200"))
        changed = [newcomer, *containers[1:]]
        screen = pilot.app.screen
        assert isinstance(screen, TopologyScreen)
        screen.update_topology(scenarios_topology(changed, networks))
        await pilot.pause()
        assert view.selected == chosen
        node = view.selected_node
        assert node is not None
        top = int(view.scroll_y)
        assert top <= node.y and node.y + node.height <= top + view.scrollable_content_region.height


async def test_removed_selection_falls_back_to_a_node() -> None:
    containers, networks = scenarios.user_networks()
    app = TopologyApp(containers, networks)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await _loaded(pilot)
        await pilot.press("down")
        view.update_topology(scenarios_topology([containers[0], containers[2]], networks))
        await pilot.pause()
        assert view.selected == _key("c1")


def scenarios_topology(containers: list[Container], networks: list[Network]) -> Topology:
    return build_topology(containers, networks)


def test_snapshot_lecture_topology(snap_compare: object) -> None:
    containers, networks = scenarios.user_networks()
    stopped = replace(scenarios.published_port()[0][2], networks=(scenarios.attach(networks[1]),))
    app = TopologyApp([*containers, stopped], networks)
    assert snap_compare(app, terminal_size=(80, 24))  # type: ignore[operator]


def test_snapshot_network_highlight(snap_compare: object) -> None:
    app = TopologyApp(*scenarios.compose_service_mode())

    async def focus_network(pilot: Pilot[None]) -> None:
        await pilot.app.workers.wait_for_complete()
        await pilot.press("tab")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=focus_network)  # type: ignore[operator]


async def test_stopped_containers_are_drawn_unlike_running_ones() -> None:
    containers, networks = scenarios.published_port()
    app = TopologyApp(containers, networks)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await _loaded(pilot)
        # Neither container selected nor highlighted: focus the host network.
        view.selected = next(n.key for n in view.shown.networks if n.name == "host")

        def name_style(name: str) -> Style:
            node = view.layout_result.node(_key(name))
            assert node is not None
            strip = view.render_line(node.y + 1 - int(view.scroll_y))
            segment = next(s for s in strip if name in s.text)
            assert segment.style is not None
            return segment.style

        running, stopped = name_style("tomcat"), name_style("isolated")
        assert stopped.dim and not running.dim
        assert running.color != stopped.color


async def test_reload_key_reads_the_engine_again() -> None:
    containers, networks = scenarios.user_networks()
    app = TopologyApp(containers[:2], networks)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await _loaded(pilot)
        assert len(view.shown.containers) == 2
        app.engine._containers = containers
        await pilot.press("r")
        await _loaded(pilot)
        assert len(view.shown.containers) == 3
        assert view.selected == _key("c1")


async def test_click_selects_a_node() -> None:
    app = TopologyApp(*scenarios.user_networks())
    async with app.run_test(size=(80, 24)) as pilot:
        view = await _loaded(pilot)
        node = view.layout_result.node(_key("c3"))
        assert node is not None
        await pilot.click(TopologyView, offset=(node.x + 3, node.y + 1))
        assert view.selected == _key("c3")
