"""Pop-out end to end: a real Textual app in a pty suspends itself for a child and comes back."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path

from tests.conftest import require
from tests.terminal.pty_session import BUSYBOX, PtySession
from tui.terminal import TerminalEmulator

ROOT = Path(__file__).resolve().parents[2]


async def wait_screen(
    emulator: TerminalEmulator, condition: Callable[[], bool], what: str, timeout: float = 20
) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}:\n{emulator.text()}")
        await asyncio.sleep(0.05)


async def test_pop_out_hands_over_the_terminal_and_returns(tmp_path: Path) -> None:
    require(os.access(BUSYBOX, os.X_OK), f"{BUSYBOX} is the child the app pops out to")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TERM": "xterm-256color",
        "HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT),
    }
    session = await PtySession.start(
        [sys.executable, "-m", "tests.terminal.popout_app"],
        rows=24,
        cols=80,
        env=env,
        cwd=str(ROOT),
    )
    emulator = TerminalEmulator(80, 24)
    replies: asyncio.Queue[bytes] = asyncio.Queue()
    emulator.on_reply = replies.put_nowait

    async def pump() -> None:
        while data := await session.read():
            emulator.feed(data)

    async def answer() -> None:  # Textual asks the terminal questions at start-up
        while True:
            await session.write(await replies.get())

    tasks = [asyncio.create_task(pump()), asyncio.create_task(answer())]
    try:
        await wait_screen(emulator, lambda: "app-screen ready" in emulator.text(), "the app")
        assert emulator.in_alt_screen
        await session.write(b"p")
        await wait_screen(emulator, lambda: "POPPED-OUT" in emulator.text(), "the child")
        assert not emulator.in_alt_screen  # the child has the plain terminal
        await session.write(b"\r")
        await wait_screen(
            emulator, lambda: "app-screen back, child exited 5" in emulator.text(), "the app again"
        )
        assert emulator.in_alt_screen
    finally:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await session.close()
