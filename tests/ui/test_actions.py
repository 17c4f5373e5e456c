"""Pilot tests of actions: engine calls, state guards, confirmations, read-only, command log."""

from __future__ import annotations

from collections.abc import Callable

from engine_adapters.models import ContainerState
from tests.ui.conftest import settle, wait_for
from tests.ui.fake_engine import FakeEngine, cid
from tui.app import DockyardApp
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.prompt import PromptDialog
from tui.dialogs.run_form import RunDialog
from tui.screens.main import MainScreen
from tui.widgets.views.containers_table import GROUP_PREFIX


def main(app: DockyardApp) -> MainScreen:
    screen = app.main_screen
    assert screen is not None
    return screen


def cursor_to(app: DockyardApp, key: str) -> None:
    table = main(app).containers_table
    table.move_cursor(row=table.get_row_index(key))


async def test_stop_calls_engine_and_row_follows_the_event(
    make_app: Callable[..., DockyardApp], fake: FakeEngine
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        cursor_to(app, cid(1))
        await pilot.press("x")
        await wait_for(pilot, lambda: ("stop", cid(1)) in fake.calls)
        table = main(app).containers_table
        await wait_for(pilot, lambda: str(table.get_cell(cid(1), "state")) == "exited")
        assert app.command_log[-1].line == "docker stop shop-web-1"


async def test_state_guards_grey_out_actions(
    make_app: Callable[..., DockyardApp], fake: FakeEngine
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = main(app).containers_table
        cursor_to(app, cid(1))  # running
        assert table.check_action("start", ()) is None
        assert table.check_action("stop", ()) is True
        await pilot.press("s")
        assert not any(call[0] == "start" for call in fake.calls)
        cursor_to(app, cid(4))  # exited
        assert table.check_action("stop", ()) is None
        assert table.check_action("pause", ()) is None
        await pilot.press("s")
        await wait_for(pilot, lambda: ("start", cid(4)) in fake.calls)


async def test_pause_toggles_to_unpause(
    make_app: Callable[..., DockyardApp], fake: FakeEngine
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        cursor_to(app, cid(5))  # paused
        await pilot.press("p")
        await wait_for(pilot, lambda: ("unpause", cid(5)) in fake.calls)


async def test_remove_asks_first(make_app: Callable[..., DockyardApp], fake: FakeEngine) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        cursor_to(app, cid(6))
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
        assert not any(call[0] == "remove" for call in fake.calls)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: ("remove", cid(6), False) in fake.calls)
        await wait_for(pilot, lambda: cid(6) not in main(app).containers_table.items)


async def test_bulk_marks_and_project_header_act_on_many(
    make_app: Callable[..., DockyardApp], fake: FakeEngine
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        cursor_to(app, GROUP_PREFIX + "shop")
        await pilot.press("r")  # restart the whole compose project
        restarted = {("restart", cid(n)) for n in (1, 2, 3)}
        await wait_for(pilot, lambda: restarted <= set(fake.calls))
        cursor_to(app, cid(4))
        await pilot.press("space")  # marks batch-job, cursor moves to cache
        cursor_to(app, cid(6))
        await pilot.press("space")
        assert main(app).containers_table.targets() == [cid(4), cid(6)]
        await pilot.press("s")
        await wait_for(pilot, lambda: ("start", cid(6)) in fake.calls)
        assert ("start", cid(4)) in fake.calls


async def test_prune_says_what_goes(make_app: Callable[..., DockyardApp], fake: FakeEngine) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("P")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert "batch-job" in dialog.body and "done-task" in dialog.body
        assert "shop-web-1" not in dialog.body
        await pilot.press("y")
        await wait_for(pilot, lambda: ("prune_containers",) in fake.calls)
        assert app.command_log[-1].line == "docker container prune -f"


async def test_read_only_disables_every_change(
    make_app: Callable[..., DockyardApp], fake: FakeEngine
) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = main(app).containers_table
        cursor_to(app, cid(1))
        for action in ("stop", "restart", "kill", "pause", "remove"):
            assert table.check_action(action, ()) is None
        assert main(app).check_action("prune", ()) is None
        await pilot.press("x", "d", "P")
        await pilot.press("2", "d", "r", "p")
        assert isinstance(app.screen, MainScreen)
        assert fake.calls == []


async def test_run_form_builds_a_runspec(
    make_app: Callable[..., DockyardApp], fake: FakeEngine
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("2", "r")
        await wait_for(pilot, lambda: isinstance(app.screen, RunDialog))
        await pilot.press(*"web2")
        app.screen.query_one("#run-ports").value = "8081:80"  # type: ignore[attr-defined]
        app.screen.query_one("#run-env").value = "A=1"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: any(call[0] == "run" for call in fake.calls))
        spec = next(call[1] for call in fake.calls if call[0] == "run")
        assert spec.name == "web2" and spec.image == "postgres:16"  # type: ignore[attr-defined]
        assert spec.ports[0].host_port == 8081 and dict(spec.env) == {"A": "1"}  # type: ignore[attr-defined]
        await wait_for(
            pilot, lambda: "docker run -d --name web2 -e A=1 -p 8081:80" in app.command_log[-1].line
        )


async def test_create_network_and_connect(
    make_app: Callable[..., DockyardApp], fake: FakeEngine
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("4", "n")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))
        await pilot.press(*"backend", "enter")
        await wait_for(pilot, lambda: ("create_network", "backend") in fake.calls)
        await wait_for(pilot, lambda: main(app).networks_table.row_count == 5)
        await pilot.press("1")
        cursor_to(app, cid(5))
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))
        await pilot.press(*"backend", "enter")
        await wait_for(pilot, lambda: ("connect", "backend", cid(5)) in fake.calls)


async def test_command_log_screen_lists_cli(
    make_app: Callable[..., DockyardApp], fake: FakeEngine
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        cursor_to(app, cid(3))
        await pilot.press("K")
        await wait_for(pilot, lambda: fake._containers[cid(3)].state == ContainerState.EXITED)
        await pilot.press("L")
        table = app.screen.query_one("#command-log")
        assert table.get_row_at(0)[2] == "docker kill shop-db-1"  # type: ignore[attr-defined]


async def test_shell_needs_a_running_container_and_reports_errors(
    make_app: Callable[..., DockyardApp], fake: FakeEngine
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = main(app).containers_table
        cursor_to(app, cid(4))  # exited: no shell
        assert table.check_action("exec", ()) is None
        cursor_to(app, cid(1))
        await pilot.press("e")  # the fake has no exec: the error is a notification
        await wait_for(
            pilot, lambda: any("exec is not available" in n.message for n in app._notifications)
        )
        assert isinstance(app.screen, MainScreen)
        assert app.command_log[-1].line == "docker exec -it shop-web-1 sh"
