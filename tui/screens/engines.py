"""The engine switcher: pick an engine discovery found (docker, contexts, podman, native, ssh)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList


class EnginesScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="engines.cancel")]

    def __init__(self, labels: list[str], current: str) -> None:
        super().__init__()
        self.labels = labels
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Switch engine", classes="dialog-title")
            if self.labels:
                yield OptionList(
                    *[f"{'● ' if lbl == self.current else '  '}{lbl}" for lbl in self.labels],
                    id="engine-list",
                )
            else:
                yield Label("No other engines were found (see `dockyard --help` for --engine).")

    def on_mount(self) -> None:
        if self.labels:
            self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.labels[event.option_index])
