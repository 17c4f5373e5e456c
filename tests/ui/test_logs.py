"""Pilot tests of the Logs tab: search, filter, toggles, copy, save, merged logs, 100k lines."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from textual.widgets import Static

from engine_adapters.models import ContainerState, LogLine
from tests.ui.conftest import settle, wait_for
from tests.ui.fake_engine import NOW, FakeEngine, cid
from tui.app import DockyardApp
from tui.dialogs.prompt import PromptDialog
from tui.screens.main import MainScreen
from tui.widgets.detail.log_panel import LogPanel, compile_pattern
from tui.widgets.detail.log_view import Entry


def logs_of(app: DockyardApp) -> LogPanel:
    screen = app.main_screen
    assert isinstance(screen, MainScreen)
    return screen.detail.logs


async def open_logs(app: DockyardApp, pilot: object, key: str) -> LogPanel:
    screen = app.main_screen
    assert screen is not None
    table = screen.containers_table
    table.move_cursor(row=table.get_row_index(key))
    panel = screen.detail.logs
    await wait_for(pilot, lambda: panel.title == screen.containers_table.items[key].name)  # type: ignore[arg-type]
    await wait_for(pilot, lambda: panel.view.row_count == 40)  # type: ignore[arg-type]
    panel.view.focus()
    return panel


async def test_search_highlights_and_n_moves(make_app: Callable[..., DockyardApp]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        panel = await open_logs(app, pilot, cid(1))
        await pilot.press("slash", *"ERROR", "enter")
        first = panel.view.current_match
        assert first is not None and "ERROR" in panel.view.entries[first].text
        await pilot.press("n")
        second = panel.view.current_match
        # The search starts where the view is (the tail, while following) and wraps round.
        assert second is not None and second != first and "ERROR" in panel.view.entries[second].text
        await pilot.press("N")
        assert panel.view.current_match == first
        assert panel.view.match_count() == 6


async def test_filter_keeps_matching_lines_regex(make_app: Callable[..., DockyardApp]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        panel = await open_logs(app, pilot, cid(1))
        await pilot.press("F", *r"request 1\d ", "enter")
        assert panel.view.row_count == 10
        assert all("request 1" in e.text for e in panel.view.visible_entries())
        await pilot.press("F")
        panel.query_one("#log-prompt").value = ""  # type: ignore[attr-defined]
        await pilot.press("enter")
        assert panel.view.row_count == 40


async def test_toggles_and_copy(make_app: Callable[..., DockyardApp]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        panel = await open_logs(app, pilot, cid(1))
        copied: list[str] = []
        app.copy_to_clipboard = copied.append  # type: ignore[method-assign,assignment]
        await pilot.press("t")
        assert panel.view.show_timestamps
        await pilot.press("y")
        assert copied and copied[0].splitlines()[0].startswith("2026-01-15T11:59:20 INFO")
        await pilot.press("w", "f")
        assert panel.view.wrap and not panel.view.follow


async def test_save_writes_visible_lines(
    make_app: Callable[..., DockyardApp], tmp_path: Path
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_logs(app, pilot, cid(1))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))
        target = tmp_path / "web.log"
        app.screen.query_one("#prompt-input").value = str(target)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, target.exists)
        assert len(target.read_text().splitlines()) == 40


async def test_merged_project_logs_are_coloured_by_service(
    make_app: Callable[..., DockyardApp], fake: FakeEngine
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        panel = logs_of(app)
        await wait_for(pilot, lambda: panel.view.row_count == 120)  # header row selected: 3 x 40
        sources = {e.source for e in panel.view.entries}
        assert sources == {"web", "api", "db"}
        assert len({e.colour for e in panel.view.entries}) == 3
        fake.log_streams[0].push(LogLine("stdout", "late line"))
        await wait_for(pilot, lambda: panel.view.row_count == 121)


async def test_hundred_thousand_lines_render_only_what_shows(
    make_app: Callable[..., DockyardApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        view = logs_of(app).view
        view.append(
            [Entry(f"line {i} {'needle' if i % 1000 == 0 else ''}") for i in range(100_000)]
        )
        assert view.row_count >= 100_000
        view.filter = compile_pattern("needle")
        view._rebuild()
        assert view.row_count == 100
        view.filter = None
        view.wrap = True
        view._rebuild()
        await pilot.pause()
        assert view.render_line(0).cell_length == view.scrollable_content_region.width


def test_invalid_regex_is_searched_literally() -> None:
    assert compile_pattern("a[b").search("xa[by")
    assert compile_pattern(r"\d+").search("abc 42")


async def test_the_logs_follow_on_when_the_shown_container_runs_again(
    make_app: Callable[..., DockyardApp], fake: FakeEngine
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.main_screen
        assert screen is not None
        assert fake._containers[cid(1)].state == ContainerState.RUNNING
        panel = await open_logs(app, pilot, cid(1))
        screen.containers_table.focus()
        fake.log_streams[-1].push(LogLine("stdout", "before the stop", NOW))
        await wait_for(pilot, lambda: panel.view.row_count == 41)

        await pilot.press("x")  # stop: the engine ends the stream
        await wait_for(pilot, lambda: "stream ended" in status_of(panel))
        table = screen.containers_table
        await wait_for(pilot, lambda: table.items[cid(1)].state == ContainerState.EXITED)
        followed = len(fake.log_streams)
        await pilot.press("s")
        await wait_for(pilot, lambda: len(fake.log_streams) == followed + 1)
        assert "follow:on" in status_of(panel)
        fake.log_streams[-1].push(LogLine("stdout", "after the start", NOW + timedelta(seconds=1)))
        await wait_for(pilot, lambda: panel.view.row_count == 42)
        # On from the last line shown: nothing twice, nothing lost.
        texts = [e.text for e in panel.view.entries]
        assert texts[-2:] == ["before the stop", "after the start"]
        assert len(set(texts)) == len(texts)


def status_of(panel: LogPanel) -> str:
    return str(panel.query_one("#log-status", Static).content)


async def test_a_projects_merged_logs_after_an_ended_stream_do_not_say_it_ended(
    make_app: Callable[..., DockyardApp], fake: FakeEngine
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.main_screen
        assert screen is not None
        table = screen.containers_table
        exited = next(k for k, c in table.items.items() if c.state == ContainerState.EXITED)
        table.move_cursor(row=table.get_row_index(exited))
        panel = screen.detail.logs
        await wait_for(pilot, lambda: "stream ended" in status_of(panel))  # it has stopped
        table.move_cursor(row=0)  # the project's row: its members' logs merged
        await wait_for(pilot, lambda: panel.title.endswith("(merged)"))
        assert "stream ended" not in status_of(panel)
