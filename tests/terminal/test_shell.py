"""The widget against busybox sh in a real pty: typing, output, exit codes, vi, resize, Ctrl+C."""

from __future__ import annotations

from pathlib import Path

from tests.terminal.conftest import (
    at_prompt,
    running_shell,
    screen_rows,
    type_line,
    wait_for,
)
from tests.terminal.pty_session import PtySession


async def test_typed_command_output_is_rendered(tmp_path: Path) -> None:
    async with running_shell(tmp_path) as (pilot, term, _):
        # The quotes keep the echoed command line from matching the output line.
        await type_line(pilot, "echo hel''lo wor''ld")
        await wait_for(pilot, lambda: "hello world" in screen_rows(term), what="echo output")
        await wait_for(pilot, lambda: at_prompt(term), what="the next prompt")
        assert "hello world" in [line.text.rstrip() for line in map(term.render_line, range(23))]


async def test_exit_code_is_shown_and_posted(tmp_path: Path) -> None:
    async with running_shell(tmp_path) as (pilot, term, app):
        await type_line(pilot, "exit 3")
        await wait_for(pilot, lambda: app.exits == [3], what="the Exited message")
        assert term.exit_code == 3
        assert "[exited with code 3]" in screen_rows(term)


async def test_vi_uses_the_alternate_screen_and_restores_the_shell(tmp_path: Path) -> None:
    async with running_shell(tmp_path) as (pilot, term, _):
        await type_line(pilot, "echo mark''er")
        await wait_for(pilot, lambda: "marker" in screen_rows(term), what="the marker")
        before = screen_rows(term)
        await type_line(pilot, "busybox vi notes.txt")
        await wait_for(
            pilot,
            lambda: term.emulator.in_alt_screen and "~" in screen_rows(term),
            what="vi's empty buffer",
        )
        assert "marker" not in screen_rows(term)
        await type_line(pilot, ":q!")
        await wait_for(pilot, lambda: not term.emulator.in_alt_screen, what="vi to leave")
        await wait_for(pilot, lambda: at_prompt(term), what="the prompt after vi")
        after = screen_rows(term)
        # Everything above the command line that started vi is back as it was.
        vi_line = before.index("$") if "$" in before else len(before)
        assert after[:vi_line] == before[:vi_line]
        assert "~" not in after


async def test_stty_size_follows_the_pane(tmp_path: Path) -> None:
    async with running_shell(tmp_path) as (pilot, term, _):
        await type_line(pilot, "stty size")
        # 24 rows minus the one-line input below the terminal.
        await wait_for(pilot, lambda: "23 80" in screen_rows(term), what="the first size")
        await pilot.resize_terminal(100, 30)
        await wait_for(pilot, lambda: term.emulator.columns == 100, what="the emulator resize")
        assert term.emulator.lines == 29
        await type_line(pilot, "stty size")
        await wait_for(pilot, lambda: "29 100" in screen_rows(term), what="the new size")


async def test_ctrl_c_interrupts_the_foreground_job(tmp_path: Path) -> None:
    async with running_shell(tmp_path) as (pilot, term, app):
        session = app.session
        assert isinstance(session, PtySession)
        await type_line(pilot, "sleep 100")
        await wait_for(pilot, session.foreground_job_running, what="sleep to start")
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: not session.foreground_job_running(), what="sleep to die")
        await wait_for(pilot, lambda: at_prompt(term), what="the prompt after Ctrl+C")
        await type_line(pilot, "echo status=$?")
        await wait_for(pilot, lambda: "status=130" in screen_rows(term), what="SIGINT status")
