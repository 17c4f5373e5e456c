"""Fixtures for the shells screen against the real dockerd: containers and a host app."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import docker
import pytest
from textual.pilot import Pilot

from tests.fixtures.docker import TEST_IMAGE, Resources
from tui.screens.shells import ShellsScreen
from tui.terminal import TerminalView
from tui.widgets.shell_tabs import ShellPane

BOOT_MARKER = "booted-marker"
START = ["sh", "-c", f"echo {BOOT_MARKER}; exec sleep 3600"]


@pytest.fixture
def start_container(docker_client: docker.DockerClient, res: Resources) -> Callable[..., str]:
    """Runs a busybox container named by `res` (removed at teardown); returns its name."""

    def start(
        command: list[str] | None = None,
        user: str | None = None,
        tty: bool = False,
        stdin_open: bool = False,
    ) -> str:
        name = res.container()
        docker_client.containers.run(
            TEST_IMAGE,
            command or START,
            name=name,
            detach=True,
            user=user,
            tty=tty,
            stdin_open=stdin_open,
        )
        return name

    return start


def screen_rows(term: TerminalView) -> list[str]:
    return [row.rstrip() for row in term.emulator.display]


def screen_text(pilot: Pilot[None]) -> str:
    """The active terminal's screen (or the app's screen type) for failure messages."""
    screen = pilot.app.screen
    if isinstance(screen, ShellsScreen) and screen.active_pane is not None:
        return screen.active_pane.terminal.emulator.text()
    return f"<{type(screen).__name__}> notifications: " + "; ".join(
        n.message for n in pilot.app._notifications
    )


async def wait_for(
    pilot: Pilot[None], condition: Callable[[], object], what: str, timeout: float = 20.0
) -> None:
    """Poll while the app runs; fail with the terminal's screen if it never holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}:\n{screen_text(pilot)}")
        await pilot.pause(0.05)


def has_prompt(term: TerminalView) -> bool:
    """busybox sh draws `/ # ` (root) or `/ $ ` (any other user) where the cursor waits."""
    _, y = term.emulator.cursor
    return term.emulator.row_text(y).rstrip().endswith(("#", "$"))


async def ready_pane(pilot: Pilot[None], pane: ShellPane | None) -> ShellPane:
    assert pane is not None, screen_text(pilot)
    await wait_for(pilot, lambda: has_prompt(pane.terminal), "the shell's prompt")
    return pane


async def type_line(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*text, "enter")
