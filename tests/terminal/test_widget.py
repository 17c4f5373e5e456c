"""TerminalView behaviour against a scripted session: keys, paste, resize, history, copy, exit."""

from __future__ import annotations

from textual import events
from textual.widgets import Input

from engine_adapters.errors import EngineUnavailable
from tests.terminal.conftest import TerminalApp, rendered_rows, screen_rows, wait_for
from tests.terminal.recording_session import RecordingSession
from tui.terminal import TerminalView


def numbered(count: int) -> bytes:
    return b"".join(f"line {n}\r\n".encode() for n in range(1, count + 1))


async def test_keys_reach_the_session_in_order() -> None:
    session = RecordingSession()
    app = TerminalApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l", "s", "space", "minus", "l", "enter", "ctrl+c", "tab", "up")
        session.push(b"\x1b[?1h")  # the program asks for application cursor keys
        term = app.query_one(TerminalView)
        await wait_for(pilot, lambda: term.emulator.app_cursor_keys, what="DECCKM")
        await pilot.press("up", "f2")
        await wait_for(pilot, lambda: session.written.endswith(b"\x1bOQ"), what="F2")
        assert bytes(session.written) == b"ls -l\r\x03\t\x1b[A\x1bOA\x1bOQ"
        assert isinstance(app.focused, TerminalView)  # Tab was sent, not used to move focus


async def test_paste_plain_and_bracketed() -> None:
    session = RecordingSession()
    app = TerminalApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        term = app.query_one(TerminalView)
        term.post_message(events.Paste("echo a\necho b"))
        await wait_for(pilot, lambda: session.written == b"echo a\recho b", what="the paste")
        session.push(b"\x1b[?2004h")
        await wait_for(pilot, lambda: term.emulator.bracketed_paste, what="mode 2004")
        session.written.clear()
        term.post_message(events.Paste("x\x1b[201~y"))
        await wait_for(pilot, lambda: bool(session.written), what="the bracketed paste")
        # An ESC inside the text cannot end the bracket early.
        assert session.written == b"\x1b[200~x[201~y\x1b[201~"


async def test_resize_reaches_session_and_emulator() -> None:
    session = RecordingSession()
    app = TerminalApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        term = app.query_one(TerminalView)
        await wait_for(pilot, lambda: session.sizes == [(23, 80)], what="the first size")
        await pilot.resize_terminal(60, 15)
        await wait_for(pilot, lambda: session.sizes[-1] == (14, 60), what="the new size")
        assert (term.emulator.lines, term.emulator.columns) == (14, 60)


async def test_device_status_reply_is_written_back() -> None:
    session = RecordingSession()
    app = TerminalApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        session.push(b"abc\x1b[6n")
        await wait_for(pilot, lambda: session.written == b"\x1b[1;4R", what="the CPR reply")


async def test_history_browsing_and_copy() -> None:
    session = RecordingSession()
    app = TerminalApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        term = app.query_one(TerminalView)
        session.push(numbered(100))
        await wait_for(pilot, lambda: "line 100" in screen_rows(term), what="the output")
        assert rendered_rows(term)[0] == "line 79"
        await pilot.press("shift+pageup")
        assert term.browsing and term.history_offset == 22
        assert rendered_rows(term)[0] == "line 57"
        await pilot.press("up")
        assert rendered_rows(term)[0] == "line 56"
        # New output does not move what is being read.
        session.push(numbered(3))
        await wait_for(pilot, lambda: term.history_offset == 26, what="the offset to follow")
        assert rendered_rows(term)[0] == "line 56"
        await pilot.press("y")
        assert app.clipboard.splitlines()[0] == "line 56"
        assert len(app.clipboard.splitlines()) == 23
        await pilot.press("escape")
        assert not term.browsing and term.history_offset == 0
        assert rendered_rows(term)[-2] == "line 3"
        assert session.written == b""  # browsing keys never reached the program
        await pilot.press("shift+pageup", "x")  # any other key returns to the live screen
        assert term.history_offset == 0
        assert session.written == b"x"


async def test_mouse_selection_is_copied() -> None:
    session = RecordingSession()
    app = TerminalApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        term = app.query_one(TerminalView)
        session.push(b"alpha beta\r\ngamma delta")
        await wait_for(pilot, lambda: "gamma delta" in screen_rows(term), what="the output")
        await pilot.mouse_down(term, offset=(6, 0))
        await pilot.hover(term, offset=(4, 1))
        await pilot.mouse_up(term, offset=(4, 1))
        assert app.clipboard == "beta\ngamma"


async def test_leave_key_moves_focus_out() -> None:
    app = TerminalApp(RecordingSession())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+right_square_bracket")
        assert isinstance(app.focused, Input)


async def test_detached_session_reports_none() -> None:
    session = RecordingSession()
    app = TerminalApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        term = app.query_one(TerminalView)
        session.push(b"\x1b[?1049hfull screen")
        await wait_for(pilot, lambda: term.emulator.in_alt_screen, what="the alternate screen")
        session.end(None)
        await wait_for(pilot, lambda: app.exits == [None], what="the Exited message")
        assert not term.emulator.in_alt_screen
        assert "[detached]" in screen_rows(term)
        assert session.closed
        await pilot.press("a")
        assert session.written == b""


async def test_lost_connection_is_shown() -> None:
    session = RecordingSession()
    app = TerminalApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        term = app.query_one(TerminalView)
        session.fail(EngineUnavailable("dockerd went away"))
        await wait_for(pilot, lambda: app.exits == [None], what="the Exited message")
        assert "[connection lost: dockerd went away]" in screen_rows(term)


async def test_wheel_scrolls_history_and_title_is_posted() -> None:
    session = RecordingSession()
    app = TerminalApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        term = app.query_one(TerminalView)
        session.push(b"\x1b]2;build logs\x07" + numbered(40))
        await wait_for(pilot, lambda: "line 40" in screen_rows(term), what="the output")
        await wait_for(pilot, lambda: app.titles == ["build logs"], what="the title")
        term.post_message(events.MouseScrollUp(term, 5, 5, 0, -1, 0, False, False, False))
        await wait_for(pilot, lambda: term.history_offset == 3, what="the wheel")
        assert term.browsing
        assert rendered_rows(term)[0] == "line 16"
        term.post_message(events.MouseScrollDown(term, 5, 5, 0, 1, 0, False, False, False))
        await wait_for(pilot, lambda: term.history_offset == 0, what="the wheel back")
        assert not term.browsing
