"""The docker CLI line for each action taken this session, to learn from or script."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from tui.screens.covering import CoveringScreen
from tui.widgets.bars.key_bar import KeyBar


@dataclass(frozen=True, slots=True)
class LoggedCommand:
    at: datetime
    line: str
    ok: bool


class CommandLogScreen(CoveringScreen):
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="command_log.back"),
        Binding("y", "copy", "Copy all", id="command_log.copy"),
    ]

    def __init__(self, entries: list[LoggedCommand]) -> None:
        super().__init__()
        self.entries = entries

    def compose(self) -> ComposeResult:
        yield Static("[b]Command log[/b]: the docker CLI equivalent of each action", id="title")
        yield DataTable[str](id="command-log", cursor_type="row")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("TIME", "RESULT", "COMMAND")
        for entry in self.entries:
            table.add_row(entry.at.strftime("%H:%M:%S"), "ok" if entry.ok else "failed", entry.line)
        if not self.entries:
            table.add_row("", "", "(no actions yet)")
        table.focus()

    def action_copy(self) -> None:
        self.app.copy_to_clipboard("\n".join(e.line for e in self.entries if e.ok))
        self.notify("Copied the commands", timeout=2)
