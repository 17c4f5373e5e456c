"""Floods of output through the widget: they complete, and keys are handled while they stream."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from tests.terminal.conftest import at_prompt, running_shell, screen_rows, type_line, wait_for
from tests.terminal.pty_session import PtySession


async def test_yes_head_200000_completes(tmp_path: Path) -> None:
    async with running_shell(tmp_path) as (pilot, term, _):
        await type_line(pilot, "yes | head -n 200000; echo DO''NE")
        await wait_for(pilot, lambda: "DONE" in screen_rows(term), timeout=120, what="DONE")
        await wait_for(pilot, lambda: at_prompt(term), what="the prompt")
        assert term.bytes_received > 200000 * 2
        assert screen_rows(term).count("y") >= 10
        # Scrollback kept its limit's worth of the flood, not all of it.
        assert term.emulator.history_size == 5000


async def test_keys_are_handled_while_output_streams(tmp_path: Path) -> None:
    async with running_shell(tmp_path) as (pilot, term, app):
        session = app.session
        assert isinstance(session, PtySession)
        await type_line(pilot, "yes")
        await wait_for(pilot, lambda: term.bytes_received > 100_000, what="yes to stream")
        # The leave key is handled by the widget itself while `yes` never stops writing.
        await pilot.press("ctrl+right_square_bracket")
        assert isinstance(app.focused, Input)
        assert session.foreground_job_running()
        streamed = term.bytes_received
        await pilot.press("h", "i")
        assert app.query_one(Input).value == "hi"
        await wait_for(pilot, lambda: term.bytes_received > streamed + 100_000, what="more output")
        # Back in the terminal, Ctrl+C stops the flood and the shell answers.
        term.focus()
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: not session.foreground_job_running(), what="yes to stop")
        await wait_for(pilot, lambda: at_prompt(term), what="the prompt")
        await type_line(pilot, "echo st''ill here")
        await wait_for(pilot, lambda: "still here" in screen_rows(term), what="the echo")
