"""A minimal app hosting the shells screen over a plain home screen, as DockyardApp will."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Label


class HomeScreen(Screen[None]):
    """Stands in for the main screen: the shells screen's Back returns here."""

    def compose(self) -> ComposeResult:
        yield Label("home screen", id="home")


class ShellsHostApp(App[None]):
    """What the shells screen needs from its app: `engine` and `report_error`."""

    def __init__(self, engine: Any) -> None:
        super().__init__()
        self.engine = engine
        self.errors: list[BaseException] = []

    def on_mount(self) -> None:
        self.push_screen(HomeScreen())

    def report_error(self, error: BaseException, title: str = "Engine error") -> None:
        self.errors.append(error)
        self.notify(str(error), severity="error")
