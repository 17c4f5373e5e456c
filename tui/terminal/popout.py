"""Pop-out mode: suspend the UI and give the real terminal to a child such as `docker exec -it`.

How the caller uses it (from an action handler on the event loop)::

    from textual.app import SuspendNotSupported
    from tui.terminal import run_suspended
    from tui.terminal.popout import docker_cli_argv, run_argv

    def action_pop_out(self) -> None:
        argv = docker_cli_argv(engine.endpoint, "exec", "-it", container_id, "sh")
        try:
            code = run_suspended(self.app, run_argv(argv))
        except SuspendNotSupported:
            self.notify("Pop-out needs a real terminal", severity="warning")
            return
        self.notify(f"Shell exited with code {code}")

The call blocks the event loop on purpose: while suspended nothing may draw, and
pty sessions shown in panes simply wait (their output queues in the kernel).
On return Textual repaints the same screen, focus and scroll positions.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from textual.app import App

T = TypeVar("T")


def run_suspended(app: App[Any], command: Callable[[], T]) -> T:
    """Run a blocking `command` with the terminal handed over; raises SuspendNotSupported
    when the app has no real terminal (headless tests, textual-serve)."""
    with app.suspend():
        return command()


def run_argv(argv: Sequence[str]) -> Callable[[], int]:
    """A command for `run_suspended` that runs `argv` on the real terminal and returns its code."""

    def run() -> int:
        return subprocess.call(list(argv))

    return run


def docker_cli_argv(endpoint: str, *args: str) -> list[str]:
    """`docker -H ENDPOINT ARGS...`: the CLI serves every engine we do, the native one included."""
    return ["docker", "-H", endpoint, *args]
