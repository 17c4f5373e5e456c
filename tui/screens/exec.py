"""A shell in a container (`docker exec -it NAME /bin/sh`) in the in-pane terminal widget."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Static

from engine_adapters.errors import EngineError
from engine_adapters.models import Container
from tui.terminal import TerminalView
from tui.widgets.worker_errors import ReportsWorkerErrors

SHELL = ("/bin/sh",)


class ExecScreen(ReportsWorkerErrors, Screen[None]):
    """Opens the session in a worker, then hands it to a TerminalView; ctrl+] leaves."""

    DEFAULT_CSS = "ExecScreen #exec-title { height: 1; background: $panel; padding: 0 1; }"

    def __init__(self, engine: Any, container: Container) -> None:
        super().__init__()
        self.engine = engine
        self.container = container

    def compose(self) -> ComposeResult:
        yield Static(
            f"[b]{self.container.name}[/b] {' '.join(SHELL)}  (ctrl+] leaves)", id="exec-title"
        )
        yield Footer()

    def on_mount(self) -> None:
        self._open()

    @work(exclusive=True, group="exec", exit_on_error=False)
    async def _open(self) -> None:
        size = (max(5, self.size.height - 2), max(20, self.size.width))
        try:
            session = await self.engine.exec(self.container.id, SHELL, tty=True, size=size)
        except EngineError as error:
            # This screen goes away, so it reports here rather than through its worker's state.
            self.app.pop_screen()
            self.app.report_error(error)
            return
        terminal = TerminalView(session, id="exec-terminal")
        await self.mount(terminal, before=self.query_one(Footer))
        terminal.focus()

    def on_terminal_view_exited(self, message: TerminalView.Exited) -> None:
        code = "" if message.exit_code is None else f" (exit {message.exit_code})"
        self.notify(f"Shell in {self.container.name} ended{code}", timeout=3)
        self.app.pop_screen()

    def on_terminal_view_focus_released(self, message: TerminalView.FocusReleased) -> None:
        self.app.pop_screen()
