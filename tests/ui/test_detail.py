"""Pilot tests of the detail tabs (Env masking, Ports, Processes, Inspect) and the pull dialog."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
from textual.widgets import DataTable, Tree

from engine_adapters.models import PullProgress
from tests.ui.conftest import settle, wait_for
from tests.ui.fake_engine import FakeEngine, cid
from tui.app import DockyardApp
from tui.dialogs.prompt import PromptDialog
from tui.dialogs.pull import PullDialog
from tui.screens.main import MainScreen
from tui.widgets.detail.pane import MASK, EnvTable
from tui.widgets.detail.stats_panel import StatsPanel
from tui.widgets.stats_history import StatsHistory


def main(app: DockyardApp) -> MainScreen:
    screen = app.main_screen
    assert screen is not None
    return screen


async def select(app: DockyardApp, pilot: object, key: str, tab: str) -> None:
    screen = main(app)
    table = screen.containers_table
    table.move_cursor(row=table.get_row_index(key))
    await wait_for(pilot, lambda: getattr(screen.detail.item, "id", None) == key)  # type: ignore[arg-type]
    screen.detail.active = tab


async def test_env_masks_secrets_until_revealed(make_app: Callable[..., DockyardApp]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await select(app, pilot, cid(3), "tab-env")
        env = main(app).query_one(EnvTable)
        await wait_for(pilot, lambda: env.row_count == 4)
        assert env.get_cell("POSTGRES_PASSWORD", env.ordered_columns[1].key) == MASK
        assert env.get_cell("API_TOKEN", env.ordered_columns[1].key) == MASK
        assert env.get_cell("MODE", env.ordered_columns[1].key) == "prod"
        env.focus()
        await pilot.press("v")
        assert env.get_cell("POSTGRES_PASSWORD", env.ordered_columns[1].key) == "hunter2"


async def test_ports_processes_and_inspect(make_app: Callable[..., DockyardApp]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await select(app, pilot, cid(1), "tab-ports")
        ports = main(app).query_one("#ports", DataTable)
        await wait_for(pilot, lambda: ports.row_count == 1)
        assert ports.get_row_at(0) == ["80/tcp", "0.0.0.0", "8080"]
        main(app).detail.active = "tab-top"
        top = main(app).query_one("#top", DataTable)
        await wait_for(pilot, lambda: top.row_count == 2)
        assert top.get_row_at(0)[0] == "1"
        main(app).detail.active = "tab-inspect"
        tree = main(app).query_one("#inspect", Tree)
        await wait_for(pilot, lambda: len(tree.root.children) > 0)
        labels = [str(node.label) for node in tree.root.children]
        assert any("shop-web-1" in label for label in labels)


async def test_processes_of_a_stopped_container_say_so(
    make_app: Callable[..., DockyardApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await select(app, pilot, cid(4), "tab-top")
        note = main(app).query_one("#top-note")
        await wait_for(pilot, lambda: "exited" in str(note.render()))


async def test_pull_shows_progress_and_logs_the_command(
    make_app: Callable[..., DockyardApp], fake: FakeEngine
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("2", "p")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))
        app.screen.query_one("#prompt-input").value = "redis:8"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PullDialog))
        dialog = app.screen
        assert isinstance(dialog, PullDialog)
        await wait_for(pilot, lambda: dialog._layers.get("l1") == (50, 100))
        assert fake.pull_stream is not None
        fake.pull_stream.push(PullProgress("Download complete", "l1", 100, 100))
        fake.pull_stream.finish()
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
        assert ("pull", "redis:8") in fake.calls
        assert app.command_log[-1].line == "docker pull redis:8"


async def test_the_cursor_charts_nothing_while_the_stats_tab_is_hidden(
    make_app: Callable[..., DockyardApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = main(app)
        panel = screen.query_one(StatsPanel)
        charted: list[tuple[tuple[str, str], ...]] = []
        show = panel.show

        def counting(history: StatsHistory, subjects: Sequence[tuple[str, str]]) -> None:
            charted.append(tuple(subjects))
            show(history, subjects)

        monkeypatch.setattr(panel, "show", counting)
        assert screen.detail.active == "tab-logs"
        for key in (cid(2), cid(3)):
            await select(app, pilot, key, "tab-logs")
        assert charted == []

        screen.detail.active = "tab-stats"  # shown: the row under the cursor is charted
        await wait_for(pilot, lambda: charted)
        assert charted[-1] == ((cid(3), screen.containers_table.items[cid(3)].name),)
