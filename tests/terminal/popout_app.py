"""A tiny app for the pop-out test: `p` hands the terminal to a shell, then shows its code."""

from __future__ import annotations

import sys

from textual.app import App, ComposeResult
from textual.widgets import Label

from tui.terminal.popout import run_argv, run_suspended

CHILD = ["/bin/busybox", "sh", "-c", "echo POPPED-OUT; read line; exit 5"]


class PopOutApp(App[None]):
    BINDINGS = [("p", "pop_out", "Pop out")]

    def compose(self) -> ComposeResult:
        yield Label("app-screen ready", id="status")

    def action_pop_out(self) -> None:
        code = run_suspended(self, run_argv(CHILD))
        self.query_one("#status", Label).update(f"app-screen back, child exited {code}")


if __name__ == "__main__":
    PopOutApp().run()
    sys.exit(0)
