"""Pilot tests of the resource tables' row diff: rows come and go without re-adding the others."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets.data_table import ColumnKey, RowKey
from textual.widgets.data_table import Row as DataRow

from engine_adapters.discovery import EngineTarget
from engine_adapters.fleet import FleetEngine, FleetMember
from engine_adapters.models import COMPOSE_PROJECT_LABEL, Container, ContainerState, Event
from tests.ui.conftest import wait_for
from tests.ui.fake_engine import NOW, FakeEngine, cid
from tui.app import DockyardApp
from tui.screens.main import MainScreen
from tui.widgets.bars.key_bar import KeyBar
from tui.widgets.views.containers_table import GROUP_PREFIX, ContainersTable
from tui.widgets.views.fleet_table import ENGINE_PREFIX, FleetTable
from tui.widgets.views.resource_table import fit_widths

LOOSE = range(10, 60)  # 50 containers outside any compose project, named svc-10 .. svc-59


def make_container(n: int, name: str, project: str | None = None) -> Container:
    labels = {COMPOSE_PROJECT_LABEL: project} if project else {}
    return Container(
        cid(n),
        name,
        "busybox:latest",
        "sha256:" + "f" * 64,
        "sh",
        ContainerState.RUNNING,
        "Up",
        NOW,
        started_at=NOW,
        labels=labels,
    )


@pytest.fixture
def many(fake: FakeEngine) -> FakeEngine:
    """The fake engine with 50 more containers, so a change is one row among many."""
    for n in LOOSE:
        fake._containers[cid(n)] = make_container(n, f"svc-{n}")
    return fake


@dataclass
class RowCalls:
    """What the table did to its rows since `watch`: the keys added and removed, and clears."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    clears: int = 0


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Callable[[ContainersTable], RowCalls]:
    """Counts a table's add_row, remove_row and clear calls from now on."""

    def watch(table: ContainersTable) -> RowCalls:
        seen = RowCalls()
        add_row, remove_row, clear = table.add_row, table.remove_row, table.clear

        def counting_add(*cells: Any, key: str | None = None, **kwargs: Any) -> RowKey:
            seen.added.append(str(key))
            return add_row(*cells, key=key, **kwargs)

        def counting_remove(row_key: RowKey | str) -> None:
            seen.removed.append(str(row_key.value if isinstance(row_key, RowKey) else row_key))
            remove_row(row_key)

        def counting_clear(columns: bool = False) -> Any:
            seen.clears += 1
            return clear(columns)

        monkeypatch.setattr(table, "add_row", counting_add)
        monkeypatch.setattr(table, "remove_row", counting_remove)
        monkeypatch.setattr(table, "clear", counting_clear)
        return seen

    return watch


async def start(pilot: Pilot[None], rows: int) -> ContainersTable:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
    screen = app.screen
    assert isinstance(screen, MainScreen)
    table = screen.containers_table
    await wait_for(pilot, lambda: table.row_count == rows)
    await pilot.pause()
    return table


def shown_order(table: ContainersTable) -> list[str]:
    """The keys in the order the table draws them (from DataTable's own row map)."""
    return [str(row.key.value) for row in table.ordered_rows]


def row_objects(table: ContainersTable) -> dict[str, DataRow]:
    return {str(key.value): row for key, row in table.rows.items()}


def assert_consistent(table: ContainersTable) -> None:
    assert shown_order(table) == table._order
    assert table.row_count == len(table._order) == len(table._cells)
    assert table._order == [key for key, _ in table.build_rows()]


def name_cell(table: ContainersTable, key: str) -> str:
    return str(table.get_cell(key, "name"))


async def test_adding_one_container_among_many_re_adds_nothing_else(
    make_app: Callable[..., DockyardApp],
    many: FakeEngine,
    calls: Callable[[ContainersTable], RowCalls],
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        table = await start(pilot, 57)
        table.move_cursor(row=table.get_row_index(cid(40)))
        await pilot.pause()
        before = row_objects(table)
        seen = calls(table)

        many.add_container(make_container(99, "aaa-new"))  # sorts above the cursor
        await wait_for(pilot, lambda: cid(99) in table._order)
        await pilot.pause()

        assert seen.added == [cid(99)]
        assert seen.removed == [] and seen.clears == 0
        after = row_objects(table)
        assert all(after[key] is row for key, row in before.items())  # the same Row objects
        assert table.current_key == cid(40)
        assert table.get_row_index(cid(99)) == table.get_row_index(GROUP_PREFIX + "shop") + 4
        assert name_cell(table, cid(99)) == "aaa-new"
        assert_consistent(table)


async def test_removing_the_selected_container_moves_to_a_neighbour(
    make_app: Callable[..., DockyardApp],
    many: FakeEngine,
    calls: Callable[[ContainersTable], RowCalls],
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        table = await start(pilot, 57)
        table.move_cursor(row=table.get_row_index(cid(40)))
        await pilot.pause()
        before = row_objects(table)
        seen = calls(table)

        await many.remove(cid(40))
        await many.remove(cid(15))  # a row above goes in the same refresh
        await wait_for(pilot, lambda: cid(40) not in table._order and cid(15) not in table._order)
        await pilot.pause()
        assert table.current_key == cid(41)  # the row that took its place
        assert sorted(seen.removed) == [cid(15), cid(40)]
        assert seen.added == [] and seen.clears == 0
        after = row_objects(table)
        assert all(after[key] is row for key, row in before.items() if key in after)
        assert_consistent(table)

        # The last row has no row after it: the cursor goes to the one before.
        table.move_cursor(row=table.row_count - 1)
        await pilot.pause()
        last = table.current_key
        assert last is not None
        above = table._order[-2]
        await many.remove(last)
        await wait_for(pilot, lambda: last not in table._order)
        await pilot.pause()
        assert table.current_row_key == above
        assert_consistent(table)


async def test_rows_above_coming_and_going_keep_the_cursor_on_its_item(
    make_app: Callable[..., DockyardApp], many: FakeEngine
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        table = await start(pilot, 57)
        table.move_cursor(row=table.get_row_index(cid(30)))
        await pilot.pause()
        await many.remove(cid(12))
        for n, name in ((98, "svc-2a"), (97, "svc-2b"), (96, "aaa")):  # all sort above svc-30
            many.add_container(make_container(n, name))
        await wait_for(pilot, lambda: cid(96) in table._order and cid(12) not in table._order)
        await pilot.pause()
        assert table.current_key == cid(30)
        assert table.cursor_row == table.get_row_index(cid(30))
        assert_consistent(table)


async def test_group_header_follows_its_project(
    make_app: Callable[..., DockyardApp],
    fake: FakeEngine,
    calls: Callable[[ContainersTable], RowCalls],
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        table = await start(pilot, 7)
        header = GROUP_PREFIX + "shop"
        table.move_cursor(row=table.get_row_index(header))
        await pilot.pause()
        seen = calls(table)

        # shop-web-1 was the project's last row: shop-db-1 takes its corner.
        await fake.remove(cid(1))
        await wait_for(pilot, lambda: cid(1) not in table._order)
        await pilot.pause()
        assert name_cell(table, cid(3)) == "└ shop-db-1"
        assert str(table.get_cell(header, "state")) == "2/2 up"
        assert table.current_row_key == header
        assert_consistent(table)

        await fake.remove(cid(3))
        await fake.remove(cid(2))
        await wait_for(pilot, lambda: header not in table._order)
        await pilot.pause()
        assert header not in row_objects(table)
        assert table.current_row_key == cid(4)  # batch-job, the row after the project
        assert table.current_key == cid(4)
        assert seen.added == [] and seen.clears == 0
        assert set(seen.removed) == {cid(1), cid(2), cid(3), header}
        assert_consistent(table)

        # A new project's first container brings its header, in name order.
        fake.add_container(make_container(97, "alpha-web-1", project="alpha"))
        await wait_for(pilot, lambda: cid(97) in table._order)
        await pilot.pause()
        assert table._order[:2] == [GROUP_PREFIX + "alpha", cid(97)]
        assert name_cell(table, cid(97)) == "└ alpha-web-1"
        assert table.current_key == cid(4)
        assert seen.added == [GROUP_PREFIX + "alpha", cid(97)]
        assert_consistent(table)


async def test_filter_then_insert_adds_only_matching_rows(
    make_app: Callable[..., DockyardApp],
    many: FakeEngine,
    calls: Callable[[ContainersTable], RowCalls],
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        table = await start(pilot, 57)
        await pilot.press("slash", *"svc-4")
        await wait_for(pilot, lambda: table.row_count == 10)
        table.move_cursor(row=table.get_row_index(cid(45)))
        await pilot.press("enter")  # back to the table, the filter stays
        await pilot.pause()
        assert table.current_key == cid(45)
        seen = calls(table)

        many.add_container(make_container(96, "svc-4-new"))  # matches, sorts above svc-45
        many.add_container(make_container(95, "other"))  # does not match
        await wait_for(pilot, lambda: cid(95) in table.items and cid(96) in table._order)
        await pilot.pause()
        assert seen.added == [cid(96)] and seen.removed == [] and seen.clears == 0
        assert cid(95) not in table._order
        assert table.current_key == cid(45)
        assert_consistent(table)

        await pilot.press("slash")
        await pilot.press("escape")  # clears the filter: every row is back
        await wait_for(pilot, lambda: table.row_count == 59)
        assert table.current_key == cid(45)
        assert_consistent(table)


async def test_marks_survive_rows_coming_and_going(
    make_app: Callable[..., DockyardApp], many: FakeEngine
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        table = await start(pilot, 57)
        table.focus()
        table.move_cursor(row=table.get_row_index(cid(20)))
        await pilot.press("space", "space")  # marks svc-20 and svc-21
        assert table.marked == {cid(20), cid(21)}
        many.add_container(make_container(94, "aaa-first"))
        await many.remove(cid(20))
        await wait_for(pilot, lambda: cid(94) in table._order and cid(20) not in table._order)
        await pilot.pause()
        assert table.marked == {cid(21)}
        assert table.targets() == [cid(21)]
        assert str(table.get_cell(cid(21), "mark")) == "●"
        assert_consistent(table)


async def test_many_rows_fit_80_columns_without_a_horizontal_scrollbar(
    make_app: Callable[..., DockyardApp], many: FakeEngine
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        table = await start(pilot, 57)
        await pilot.pause()
        assert table.show_vertical_scrollbar
        assert not table.show_horizontal_scrollbar
        assert table.virtual_size.width <= table.scrollable_content_region.width
        assert table.columns[ColumnKey("name")].auto_width  # the name stays whole
        image = table.columns[ColumnKey("image")]
        assert not image.auto_width and image.width == 0  # hidden: the detail pane shows it

        await pilot.resize_terminal(160, 30)
        await wait_for(pilot, lambda: all(c.auto_width for c in table.columns.values()))
        assert not table.show_horizontal_scrollbar


def test_fit_trims_the_widest_free_text_first_then_hides() -> None:
    natural = {"name": 14, "state": 7, "image": 28, "ports": 20}
    steps = ((("image", 12), ("ports", 12), ("name", 16)), (("ports", 0),), (("name", 8),))
    assert fit_widths(natural, 100, steps) == natural
    assert fit_widths(natural, 60, steps) == {**natural, "image": 19}  # widest trimmed
    assert fit_widths(natural, 50, steps) == {**natural, "image": 14, "ports": 15}
    # Hiding ports frees more than needed: image gets the surplus back.
    assert fit_widths(natural, 40, steps) == {**natural, "image": 19, "ports": 0}
    assert fit_widths(natural, 27, steps) == {**natural, "image": 12, "ports": 0, "name": 8}
    # Past every step the floors stay: the table scrolls rather than lose more.
    assert fit_widths(natural, 10, steps) == {**natural, "image": 12, "ports": 0, "name": 8}


def cpu_cell(table: ContainersTable, key: str) -> str:
    return str(table.get_cell(key, "cpu")).strip()


def sample_cpu(fake: FakeEngine, key: str, step: int) -> str:
    sample = next(s for s in fake.stats_batch(step) if s.container_id == key)
    return f"{sample.cpu_percent:5.1f}".strip()


async def test_a_stats_sample_redraws_rows_on_screen_now_and_the_others_once_scrolled_to(
    make_app: Callable[..., DockyardApp], many: FakeEngine
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        table = await start(pilot, 57)
        await wait_for(pilot, lambda: many.stats_streams)
        first, last = table._order[1], table._order[-1]  # the top row under the header, the end
        await wait_for(pilot, lambda: cpu_cell(table, first) == sample_cpu(many, first, 0))
        old_last = cpu_cell(table, last)

        many.stats_streams[-1].push(many.stats_batch(step=3))
        await wait_for(pilot, lambda: cpu_cell(table, first) == sample_cpu(many, first, 3))
        assert cpu_cell(table, last) == old_last  # off screen: not computed yet
        assert last in table._stale

        await pilot.press("G")  # to the bottom, as a person scrolls there
        await wait_for(pilot, lambda: cpu_cell(table, last) == sample_cpu(many, last, 3))
        assert last not in table._stale
        assert_consistent(table)


def count_computed_rows(table: ContainersTable, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the rows the table computes from now on, in order."""
    computed: list[str] = []
    cells = table.cells

    def counting(c: Container, branch: str) -> Any:
        computed.append(c.id)
        return cells(c, branch)

    monkeypatch.setattr(table, "cells", counting)
    return computed


async def test_a_reread_of_many_containers_computes_only_the_rows_on_screen(
    make_app: Callable[..., DockyardApp], many: FakeEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        table = await start(pilot, 57)
        computed = count_computed_rows(table, monkeypatch)
        table.refresh_rows()
        assert 0 < len(computed) < table.row_count
        assert table._order[-1] not in computed
        await pilot.press("G")
        await wait_for(pilot, lambda: table._order[-1] in computed)
        assert_consistent(table)


async def test_a_list_not_shown_computes_no_rows_for_samples_until_shown(
    make_app: Callable[..., DockyardApp], fake: FakeEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
        screen = app.screen
        assert isinstance(screen, MainScreen)
        table = screen.containers_table
        await wait_for(pilot, lambda: fake.stats_streams and table.row_count)
        mine = next(s for s in fake.stats_batch(step=3))
        await wait_for(pilot, lambda: screen.stats.latest(mine.container_id))
        await pilot.press("2")  # the images view: the containers list is hidden
        await wait_for(pilot, lambda: not table.display)
        computed = count_computed_rows(table, monkeypatch)
        fake.stats_streams[-1].push(fake.stats_batch(step=3))
        await wait_for(pilot, lambda: screen.stats.latest(mine.container_id).at == mine.at)
        for _ in range(5):
            await pilot.pause(0.02)
        assert computed == []
        assert mine.container_id in table._stale

        await pilot.press("1")  # shown again: the rows on screen catch up
        cpu = f"{mine.cpu_percent:5.1f}"
        await wait_for(pilot, lambda: str(table.get_cell(mine.container_id, "cpu")) == cpu)
        assert mine.container_id in computed


def fleet_status(table: FleetTable, label: str) -> str:
    return str(table.get_cell(ENGINE_PREFIX + label, "state"))


async def test_fleet_status_rows_keep_their_counts_with_rows_computed_on_screen_only(
    many: FakeEngine, isolated_config: Path
) -> None:
    """Two engines of many rows: the second's status row is below the screen when its list
    comes in, yet it says the count once scrolled to, and again after that list changed."""
    other = FakeEngine("other")
    other._containers = {cid(n): make_container(n, f"far-{n}") for n in range(100, 140)}
    fleet = [
        FleetEngine(FleetMember(label, EngineTarget(label, f"unix:///{label}.sock", "url")), e)
        for label, e in (("near", many), ("far", other))
    ]
    app = DockyardApp(many, config_path=isolated_config, fleet=fleet)
    app.clock = lambda: NOW
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
        await pilot.press("6")
        screen = app.screen
        assert isinstance(screen, MainScreen)
        table = screen.fleet_table
        near = len(many._containers)
        await wait_for(pilot, lambda: table.row_count == 2 + near + 40)
        running = sum(c.state == ContainerState.RUNNING for c in many._containers.values())
        assert fleet_status(table, "near") == f"● {running}/{near} up"
        assert fleet_status(table, "far") == "… connecting"  # below the screen: not yet redrawn
        await pilot.press("G", *"k" * 40)  # up from the end to far's first container
        await wait_for(pilot, lambda: fleet_status(table, "far") == "● 40/40 up")

        # one of far's containers stops: its list comes in again after the event
        stopped = other._containers[cid(139)]
        other._containers[cid(139)] = replace(stopped, state=ContainerState.EXITED)
        other.event_streams[-1].push(Event("container", "die", cid(139), NOW))
        await wait_for(pilot, lambda: fleet_status(table, "far") == "● 39/40 up")
        assert_consistent(table)


async def test_the_guards_of_a_cursor_move_and_the_key_bar_list_the_marked_targets_once(
    make_app: Callable[..., DockyardApp], many: FakeEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Listing the marked targets walks every row; the key bar's guards share one listing."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        table = await start(pilot, 57)
        table.focus()
        table.move_cursor(row=table.get_row_index(cid(20)))
        await pilot.press("space")
        listings: list[int] = []
        targets = table.targets

        def counting() -> list[str]:
            listings.append(1)
            return targets()

        monkeypatch.setattr(table, "targets", counting)
        table.refresh_guards()
        assert len(listings) == 1
        listings.clear()
        app.screen.query_one(KeyBar)._bindings_changed(app.screen)
        assert len(listings) == 1
