"""`?`: every key from the action table (after remapping), plus how CPU% is computed."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.keymap import ACTIONS, OWNER_TITLES, display_key

NAVIGATION = (
    ("j / down, k / up", "Move the cursor"),
    ("g / G", "First / last row"),
    ("tab / shift+tab", "Next / previous pane"),
    ("ctrl+p", "Command palette (actions, themes)"),
    ("esc", "Back: close the filter, the prompt, the zoom, this screen"),
)

CPU_NOTE = (
    "CPU% is computed as the docker CLI does: (container CPU time delta / system CPU time delta)"
    " x online CPUs x 100, so one busy core reads 100% and a 4-core machine tops out at 400%."
    " Memory is the cgroup usage minus the page cache (inactive_file), shown in binary units"
    " and as a percent of the container's limit (the host's memory when unlimited)."
)


def help_table(keymap: dict[str, str], read_only: bool) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    table.add_row(Text("Navigation", style="bold underline"), "")
    for keys, what in NAVIGATION:
        table.add_row(keys, what)
    for owner, title in OWNER_TITLES.items():
        table.add_row("", "")
        table.add_row(Text(title, style="bold underline"), "")
        for spec in (s for s in ACTIONS if s.owner == owner):
            note = " (off: read-only)" if read_only and spec.mutates else ""
            table.add_row(
                display_key(spec, keymap), f"{spec.description}{note}  [dim]{spec.id}[/dim]"
            )
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]

    def compose(self) -> ComposeResult:
        app = self.app
        keymap: dict[str, str] = app.config.keys if hasattr(app, "config") else {}
        with VerticalScroll(classes="dialog wide"):
            yield Static(
                "[b]Dockyard keys[/b] (remap in config.toml \\[keys] by id)", classes="dialog-title"
            )
            yield Static(help_table(keymap, bool(getattr(app, "read_only", False))))
            yield Static("")
            yield Static(CPU_NOTE, id="cpu-note")
