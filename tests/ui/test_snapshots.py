"""SVG snapshots of each main view in two themes at 100x30, and the containers view at 80x24."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Tree

from tests.ui.conftest import settle, wait_for
from tui.app import DockyardApp

VIEW_KEYS = {"containers": "1", "images": "2", "volumes": "3", "networks": "4"}


def prepare(view: str, theme: str) -> Callable[[Pilot[None]], Any]:
    async def run_before(pilot: Pilot[None]) -> None:
        app = pilot.app
        app.theme = theme
        await settle(pilot)
        if view != "containers":
            await pilot.press(VIEW_KEYS[view])
            tree = app.screen.query_one("#inspect", Tree)
            await wait_for(pilot, lambda: len(tree.root.children) > 0)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("theme", ["dockyard-dark", "dockyard-light"])
@pytest.mark.parametrize("view", list(VIEW_KEYS))
def test_main_views(
    snap_compare: Any, make_app: Callable[..., DockyardApp], view: str, theme: str
) -> None:
    assert snap_compare(make_app(), terminal_size=(100, 30), run_before=prepare(view, theme))


def test_containers_at_80x24(snap_compare: Any, make_app: Callable[..., DockyardApp]) -> None:
    assert snap_compare(
        make_app(), terminal_size=(80, 24), run_before=prepare("containers", "fjord")
    )


def test_read_only_header_and_greyed_footer(
    snap_compare: Any, make_app: Callable[..., DockyardApp]
) -> None:
    assert snap_compare(
        make_app(read_only=True),
        terminal_size=(100, 30),
        run_before=prepare("containers", "dockyard-dark"),
    )


def test_stats_dashboard(snap_compare: Any, make_app: Callable[..., DockyardApp]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("S")
        await wait_for(pilot, lambda: pilot.app.screen.query("#dashboard-table"))
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(100, 30), run_before=run_before)
