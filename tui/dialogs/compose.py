"""Compose dialogs: `down` with or without volumes, and a compose file's problems, one per line."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

DOWN = "down"
DOWN_VOLUMES = "down-volumes"


class ComposeDownDialog(ModalScreen[str | None]):
    """Says what goes; returns DOWN, DOWN_VOLUMES, or None when cancelled."""

    DEFAULT_CSS = """
    ComposeDownDialog { align: center middle; }
    """
    BINDINGS = [
        Binding("y", "answer('down')", "Down", id="compose_down.yes"),
        Binding(
            "v", "answer('down-volumes')", "Down and remove volumes", id="compose_down.volumes"
        ),
        Binding("n,escape", "answer('')", "Cancel", id="compose_down.no"),
    ]

    def __init__(
        self, project: str, containers: list[str], networks: list[str], engine: str = ""
    ) -> None:
        super().__init__()
        self.project = project
        self.containers = containers
        self.networks = networks
        self.engine = engine  # named when several engines are on screen (the Fleet view)

    def compose(self) -> ComposeResult:
        lines = ["These go:", *(f"  container {name}" for name in self.containers)]
        lines += [f"  network {name}" for name in self.networks]
        lines += ["", "Named volumes stay unless you choose to remove them too."]
        with Vertical(classes="dialog wide"):
            where = f" on {self.engine}" if self.engine else ""
            yield Label(f"Take compose project {self.project} down{where}?", classes="dialog-title")
            yield Static("\n".join(lines), classes="dialog-body", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Down (y)", variant="error", id=DOWN)
                yield Button("Down and remove volumes (v)", variant="error", id=DOWN_VOLUMES)
                yield Button("Cancel (n)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_answer(event.button.id or "")

    def action_answer(self, choice: str) -> None:
        self.dismiss(choice if choice in (DOWN, DOWN_VOLUMES) else None)


class ComposeProblemsDialog(ModalScreen[None]):
    """Every problem the loader found (`file:line: key: message`); nothing was created."""

    DEFAULT_CSS = """
    ComposeProblemsDialog { align: center middle; }
    ComposeProblemsDialog VerticalScroll { height: auto; max-height: 20; }
    """
    BINDINGS = [Binding("escape,enter,q", "close", "Close", id="compose_problems.close")]

    def __init__(self, file: str, problems: list[str]) -> None:
        super().__init__()
        self.file = file
        self.problems = problems

    def compose(self) -> ComposeResult:
        count = len(self.problems)
        title = f"{self.file}: {count} problem{'s' if count != 1 else ''}; nothing was created"
        with Vertical(classes="dialog wide"):
            yield Label(title, classes="dialog-title")
            with VerticalScroll():
                yield Static("\n".join(self.problems), id="compose-problems", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close (esc)", id="close")

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
