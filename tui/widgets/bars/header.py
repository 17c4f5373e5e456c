"""The top line: engine name and endpoint, engine version, counts and connection state."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widget import Widget

from engine_adapters.models import EngineInfo


class EngineHeader(Widget):
    """Renders what it is given; the screen sets `info`, `counts` and `connected`."""

    DEFAULT_CSS = "EngineHeader { height: 1; background: $panel; padding: 0 1; }"

    engine_label: reactive[str] = reactive("")
    info: reactive[EngineInfo | None] = reactive(None)
    counts: reactive[tuple[int | None, ...]] = reactive((None,) * 5)
    """Containers, running, images, volumes, networks; None while not yet listed."""
    connected: reactive[bool | None] = reactive(None)
    read_only: reactive[bool] = reactive(False)

    def render(self) -> str:
        containers, running, images, volumes, networks = (
            "…" if n is None else n for n in self.counts
        )
        version = f"v{self.info.server_version} api {self.info.api_version}" if self.info else "…"
        if self.connected is None:
            state = "[dim]connecting[/]"
        elif self.connected:
            state = "[$success]●[/]"
        else:
            state = "[$error]○ disconnected[/]"
        ro = " [$warning b]READ-ONLY[/]" if self.read_only else ""
        name, _, endpoint = self.engine_label.partition(" ")
        counts = f"{running}/{containers} up · {images} img · {volumes} vol · {networks} net"
        return f"[b]Dockyard[/b] {state}{ro} [$accent b]{name}[/] {version} │ {counts} │ {endpoint}"
