"""Pilot tests of selecting log text (mouse drag, V and j/k) and copying it through OSC 52."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

import tui.app
from engine_adapters.models import LogLine
from tests.ui.conftest import settle, wait_for
from tests.ui.fake_engine import NOW, FakeEngine, cid
from tests.ui.test_logs import open_logs
from tui.app import DockyardApp
from tui.widgets.detail import log_view
from tui.widgets.detail.log_panel import LogPanel
from tui.widgets.detail.log_view import Entry, LogView

SIZE = (100, 30)  # the log view shows 7 rows of 98 columns at this size


class ClipboardApp(DockyardApp):
    """The real app; what it sends to the terminal's clipboard (OSC 52) is also kept here."""

    CSS_PATH = str(Path(tui.app.__file__).with_name("dockyard.tcss"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.copied: list[str] = []

    def copy_to_clipboard(self, text: str) -> None:
        self.copied.append(text)
        super().copy_to_clipboard(text)


@pytest.fixture
def app(fake: FakeEngine, isolated_config: Path) -> ClipboardApp:
    app = ClipboardApp(fake, config_path=isolated_config)
    app.clock = lambda: NOW
    return app


def line(i: int, name: str = "shop-web-1") -> str:
    """Line `i` of the fake engine's canned log, as the view shows it without timestamps."""
    level = "ERROR" if i % 7 == 3 else "INFO"
    return f"{level} {name} request {i} handled path=/item/{i % 5}"


def status_of(panel: LogPanel) -> str:
    return str(panel.query_one("#log-status", Static).content)


def notified(app: DockyardApp, text: str) -> bool:
    return any(text in n.message for n in app._notifications)


async def drag(
    pilot: Pilot[None], view: LogView, start: tuple[int, int], end: tuple[int, int]
) -> None:
    await pilot.mouse_down(view, start)
    await pilot.hover(view, end)
    await pilot.mouse_up(view, end)


async def logs_at_top(app: DockyardApp, pilot: Pilot[None]) -> LogPanel:
    """The Logs tab of shop-web-1, scrolled to its first line (so following is off)."""
    await settle(pilot)
    panel = await open_logs(app, pilot, cid(1))
    await pilot.press("g")
    await wait_for(pilot, lambda: panel.view.scroll_offset.y == 0)
    return panel


async def test_drag_copies_exactly_the_cells_between_press_and_release(app: ClipboardApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        panel = await logs_at_top(app, pilot)
        await drag(pilot, panel.view, (5, 1), (10, 3))
        status = status_of(panel)
        assert "selected:3 lines" in status
        await pilot.press("y")
        # Like a terminal: from the pressed cell to the released one, both included.
        expected = "\n".join([line(1)[5:], line(2), line(3)[:11]])
        assert app.copied == [expected]
        await wait_for(pilot, lambda: notified(app, f"Copied 3 lines, {len(expected)} characters"))
        assert panel.view.selection is None  # as vim's y, the copy ends the selection
        # Dragging backwards selects the same cells.
        await drag(pilot, panel.view, (10, 3), (5, 1))
        await pilot.press("y")
        assert app.copied[-1] == expected


async def test_click_without_drag_clears_and_y_copies_the_last_lines(app: ClipboardApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        panel = await logs_at_top(app, pilot)
        await drag(pilot, panel.view, (0, 0), (3, 0))
        assert panel.view.selected_text() == line(0)[:4]
        await pilot.click(panel.view, (2, 2))
        assert panel.view.selection is None
        await pilot.press("y")
        assert app.copied == ["\n".join(line(i) for i in range(40))]


async def test_dragging_past_an_edge_scrolls_and_extends(app: ClipboardApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        panel = await logs_at_top(app, pilot)
        view = panel.view
        height = view.scrollable_content_region.height
        await pilot.mouse_down(view, (0, 2))
        await pilot.hover(view, (99, height))  # one row below the view, over the scrollbar
        await wait_for(pilot, lambda: view.scroll_offset.y == view.max_scroll_y)
        await pilot.mouse_up(view, (99, height))
        await pilot.press("y")
        assert app.copied[-1] == "\n".join(line(i) for i in range(2, 40))
        # And upwards, from the last line to above the top edge.
        await pilot.mouse_down(view, (97, height - 1))
        await pilot.hover(view, (0, -2))
        await wait_for(pilot, lambda: view.scroll_offset.y == 0)
        await pilot.mouse_up(view, (0, -2))
        await pilot.press("y")
        assert app.copied[-1] == "\n".join(line(i) for i in range(40))


async def test_keyboard_selection_with_v_j_k_and_escape(app: ClipboardApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        panel = await logs_at_top(app, pilot)
        view = panel.view
        await pilot.press("V")  # no search match: the last line on screen (line 6)
        await pilot.press("k", "k", "up")
        assert "selected:4 lines" in status_of(panel)
        await pilot.press("y")
        assert app.copied[-1] == "\n".join(line(i) for i in range(3, 7))
        # j past the bottom keeps the head on screen.
        await pilot.press("V", "j", "j", "down")
        assert view.scroll_offset.y == 3
        await pilot.press("y")
        assert app.copied[-1] == "\n".join(line(i) for i in range(6, 10))
        # V again, or escape, drops it; escape does not also leave the view.
        await pilot.press("V", "V")
        assert view.selection is None
        await pilot.press("V", "escape")
        assert view.selection is None and app.focused is view
        # With a search match on screen, V starts on the match.
        await pilot.press("slash", *"request 17 ", "enter", "V", "y")
        assert app.copied[-1] == line(17)


async def test_selection_with_a_filter_copies_only_the_shown_lines(app: ClipboardApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        panel = await logs_at_top(app, pilot)
        await pilot.press("F", *"ERROR", "enter")
        await wait_for(pilot, lambda: panel.view.row_count == 6)  # lines 3, 10, 17, 24, 31, 38
        await drag(pilot, panel.view, (0, 1), (4, 3))
        await pilot.press("y")
        assert app.copied[-1] == "\n".join([line(10), line(17), "ERROR"])
        await pilot.press("V", "k", "y")  # the last shown line, then the shown one before it
        assert app.copied[-1] == "\n".join([line(31), line(38)])


async def test_selection_with_wrap_and_with_timestamps(app: ClipboardApp, fake: FakeEngine) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        panel = await open_logs(app, pilot, cid(1))
        view = panel.view
        long = "".join(chr(ord("a") + i % 26) for i in range(260))
        fake.log_streams[-1].push(LogLine("stdout", long))
        await wait_for(pilot, lambda: view.row_count == 41)
        await pilot.press("w", "G")
        await wait_for(pilot, lambda: view.row_count == 43)  # 260 characters: rows of 98, 98, 64
        await wait_for(pilot, lambda: view.scroll_offset.y == view.max_scroll_y)
        # The long line fills the last three rows; drag across its first wrap.
        await drag(pilot, view, (90, 4), (5, 5))
        await pilot.press("y")
        assert app.copied[-1] == long[90:104]
        # From the line before it into its last row.
        await drag(pilot, view, (0, 3), (9, 6))
        await pilot.press("y")
        assert app.copied[-1] == "\n".join([line(39), long[:206]])
        # Timestamps are copied only when shown; toggling them drops a column selection.
        await pilot.press("w", "g", "t")
        await drag(pilot, view, (0, 1), (18, 1))
        assert view.selected_text() == "2026-01-15T11:59:21"
        await pilot.press("t")
        assert view.selection is None


async def test_following_neither_shifts_nor_drops_the_selection(
    app: ClipboardApp, fake: FakeEngine
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        panel = await open_logs(app, pilot, cid(1))
        view = panel.view
        await wait_for(pilot, lambda: view.scroll_offset.y == 33)  # following: lines 33-39 show
        # Lines arriving while the button is held do not scroll the view under the pointer.
        await pilot.mouse_down(view, (0, 1))
        fake.log_streams[-1].push(LogLine("stdout", "while dragging"))
        await wait_for(pilot, lambda: view.row_count == 41)
        await pilot.pause()
        assert view.scroll_offset.y == 33
        await pilot.hover(view, (3, 2))
        await pilot.mouse_up(view, (3, 2))
        for i in range(5):
            fake.log_streams[-1].push(LogLine("stdout", f"late {i}"))
        await wait_for(pilot, lambda: view.row_count == 46)
        await wait_for(pilot, lambda: view.scroll_offset.y == view.max_scroll_y)
        assert view.follow
        await pilot.press("y")
        assert app.copied[-1] == "\n".join([line(34), line(35)[:4]])


async def test_selection_leaving_the_buffer_is_clipped_then_cleared(
    app: ClipboardApp, fake: FakeEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(log_view, "MAX_LINES", 45)
    async with app.run_test(size=SIZE) as pilot:
        panel = await logs_at_top(app, pilot)
        view = panel.view
        await drag(pilot, view, (4, 0), (97, 2))
        stream = fake.log_streams[-1]
        for i in range(7):  # 47 lines: the two oldest leave
            stream.push(LogLine("stdout", f"late {i}"))
        await wait_for(pilot, lambda: view.entries[-1].text == "late 6")
        assert view.selection is not None and view.selection.clipped
        assert view.selected_text() == line(2)
        await pilot.press("y")
        assert app.copied[-1] == line(2)
        await wait_for(pilot, lambda: notified(app, "oldest lines had left the buffer"))
        await drag(pilot, view, (0, 0), (3, 0))
        stream.push(LogLine("stdout", "one more"))
        await wait_for(pilot, lambda: view.entries[-1].text == "one more")
        assert view.selection is None  # nothing of it is left in memory


async def test_a_mouse_move_over_100k_selected_lines_renders_only_the_screen(
    app: ClipboardApp,
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        panel = await logs_at_top(app, pilot)
        view = panel.view
        view.append([Entry(f"bulk {i}") for i in range(100_000)])
        await pilot.mouse_down(view, (0, 0))
        view.scroll_end(animate=False)
        await wait_for(pilot, lambda: view.scroll_offset.y == view.max_scroll_y)
        shown = view.plain
        calls: list[int] = []

        def counting(entry: Entry) -> str:
            calls.append(1)
            return shown(entry)

        view.plain = counting  # type: ignore[method-assign]
        await pilot.hover(view, (5, 6))
        await pilot.hover(view, (6, 5))
        await pilot.pause()
        assert view.selected_lines() == 100_039
        assert 0 < len(calls) < 200  # the rows on screen, never the 100,000 selected lines
        await pilot.mouse_up(view, (6, 5))
        await pilot.press("y")
        copied = app.copied[-1].split("\n")
        assert len(copied) == 100_039 and copied[0] == line(0) and copied[-1] == "bulk 99"


async def test_z_zooms_the_logs_and_selection_still_maps_cells(app: ClipboardApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        panel = await logs_at_top(app, pilot)
        await pilot.press("z")
        await wait_for(pilot, lambda: panel.view.scrollable_content_region.height == 26)
        assert app.screen.maximized is not None and panel in app.screen.maximized.query("*")
        await drag(pilot, panel.view, (0, 20), (97, 25))
        await pilot.press("y")
        assert app.copied[-1] == "\n".join(line(i) for i in range(20, 26))


def snapshot_selection(app: DockyardApp) -> Callable[[Pilot[None]], Any]:
    async def run_before(pilot: Pilot[None]) -> None:
        panel = await logs_at_top(app, pilot)
        # Zoomed, so the snapshot holds the log view and not the tables other work changes.
        await pilot.press("z")
        await wait_for(pilot, lambda: panel.view.scrollable_content_region.height > 20)
        await drag(pilot, panel.view, (5, 1), (20, 4))
        await pilot.pause()

    return run_before


def test_visible_selection_snapshot(snap_compare: Any, app: ClipboardApp) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=snapshot_selection(app))
