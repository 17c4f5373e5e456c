"""Fixtures for the terminal tests: a small app holding one TerminalView and helpers to drive it."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Input

from engine_adapters.protocol import ExecSession
from tests.conftest import require
from tests.terminal.pty_session import BUSYBOX, start_shell
from tui.terminal import TerminalEmulator, TerminalView

PROMPT = "$"


class TerminalApp(App[None]):
    """A terminal above a one-line input, so focus has somewhere to go."""

    CSS = """
    Input#other { height: 1; border: none; padding: 0; }
    """

    def __init__(
        self, session: ExecSession | None = None, emulator: TerminalEmulator | None = None
    ) -> None:
        super().__init__()
        self.session = session
        self.emulator = emulator
        self.exits: list[int | None] = []
        self.titles: list[str] = []

    def compose(self) -> ComposeResult:
        yield TerminalView(self.session, emulator=self.emulator, id="term")
        yield Input(id="other")

    def on_mount(self) -> None:
        self.query_one(TerminalView).focus()

    def on_terminal_view_exited(self, message: TerminalView.Exited) -> None:
        self.exits.append(message.exit_code)

    def on_terminal_view_title_changed(self, message: TerminalView.TitleChanged) -> None:
        self.titles.append(message.title)


async def wait_for(
    pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 15.0, what: str = ""
) -> None:
    """Poll `condition` while the app runs; fail with the screen shown if it never holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            term = pilot.app.query_one(TerminalView)
            raise AssertionError(f"timed out waiting for {what}:\n{term.emulator.text()}")
        await pilot.pause(0.02)


def screen_rows(term: TerminalView) -> list[str]:
    """The live screen, one string per row, trailing blanks removed."""
    return [row.rstrip() for row in term.emulator.display]


def rendered_rows(term: TerminalView) -> list[str]:
    """What the widget paints, row by row (history view included)."""
    return [term.render_line(y).text.rstrip() for y in range(term.size.height)]


def at_prompt(term: TerminalView) -> bool:
    _, y = term.emulator.cursor
    return term.emulator.row_text(y).rstrip() == PROMPT


async def type_line(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*text, "enter")


@asynccontextmanager
async def running_shell(
    home: Path, size: tuple[int, int] = (80, 24)
) -> AsyncIterator[tuple[Pilot[None], TerminalView, TerminalApp]]:
    """busybox sh in a pty, shown in a TerminalView, ready at its prompt."""
    require(os.access(BUSYBOX, os.X_OK), f"{BUSYBOX} is needed for the pty tests")
    session = await start_shell(str(home))
    app = TerminalApp(session)
    try:
        async with app.run_test(size=size) as pilot:
            term = app.query_one(TerminalView)
            await wait_for(pilot, lambda: at_prompt(term), what="the first prompt")
            yield pilot, term, app
    finally:
        await session.close()
