"""Asks for a command (and optionally a user) to exec in a container; None when cancelled."""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


@dataclass(frozen=True)
class ShellCommand:
    argv: tuple[str, ...]
    user: str | None = None


def parse_command(text: str) -> tuple[str, ...] | None:
    """Split like a shell would; an unbalanced quote is an error (None), not a guess."""
    try:
        words = shlex.split(text)
    except ValueError:
        return None
    return tuple(words) or None


class ShellCommandDialog(ModalScreen[ShellCommand | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="shell_command.cancel")]

    def __init__(self, container_name: str, value: str = "") -> None:
        super().__init__()
        self.container_name = container_name
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Run a command in {self.container_name}", classes="dialog-title")
            yield Input(self.value, placeholder="command, e.g. top -d 1", id="shell-command")
            yield Input(placeholder="user (empty: the container's user; 0: root)", id="shell-user")
            yield Label("", id="shell-command-error", classes="form-error")

    def on_mount(self) -> None:
        self.query_one("#shell-command", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        argv = parse_command(self.query_one("#shell-command", Input).value)
        if argv is None:
            self.query_one("#shell-command-error", Label).update(
                "Type a command (quotes must be balanced)"
            )
            self.query_one("#shell-command", Input).focus()
            return
        user = self.query_one("#shell-user", Input).value.strip() or None
        self.dismiss(ShellCommand(argv, user))

    def action_cancel(self) -> None:
        self.dismiss(None)
