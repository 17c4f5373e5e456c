"""What each key of the action table visibly does, checked from outside: a key walk.

Each entry presses the key a user would (after remapping: none here) and waits for what the
user would see or what the engine then holds: a screen, a dialog, a state change, a file, a
notification. Nothing reaches a handler by an internal call. The checks are in
keys_containers.py and keys_screens.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import docker
from textual.pilot import Pilot
from textual.widget import Widget

from tests.waiting import eventually
from tui.app import DockyardApp
from tui.keymap import BY_ID
from tui.screens.main import MainScreen

TIMEOUT = 30.0


@dataclass
class Walk:
    """The app under Pilot, the SDK on the same engine, and what the walk created."""

    pilot: Pilot[None]
    client: docker.DockerClient
    container: str
    project: str
    network: str
    volume: str
    new_network: str
    log_file: Path
    seen: list[str] = field(default_factory=list)

    @property
    def app(self) -> DockyardApp:
        app = self.pilot.app
        assert isinstance(app, DockyardApp)
        return app

    @property
    def main(self) -> MainScreen:
        main = self.app.main_screen
        assert main is not None
        return main

    async def press(self, spec_id: str) -> None:
        """The action's key as bound (its first key when it has several)."""
        self.seen.append(spec_id)
        await self.pilot.press(BY_ID[spec_id].key.split(",")[0])

    async def type(self, text: str) -> None:
        await self.pilot.press(*text)

    async def until(self, probe: Callable[[], object], timeout: float = TIMEOUT) -> None:
        async def probed() -> object:
            await self.pilot.pause()
            return probe()

        try:
            await eventually(probed, timeout=timeout, interval=0.05)
        except AssertionError as error:
            raise AssertionError(f"{error} after {self.seen[-1:]}: {self.describe()}") from None

    def describe(self) -> str:
        screen = self.app.screen
        notes = "; ".join(f"{n.title}: {n.message}" for n in self.app._notifications)
        return (
            f"screen {type(screen).__name__}, focused {screen.focused!r}, "
            f"maximized {screen.maximized!r}, notifications: {notes}, "
            f"command log: {[(c.line, c.ok) for c in self.app.command_log]}"
        )

    async def on_screen(self, kind: type[object]) -> None:
        await self.until(lambda: isinstance(self.app.screen, kind))

    def notified(self, *words: str) -> bool:
        return any(
            all(w.lower() in f"{n.title} {n.message}".lower() for w in words)
            for n in self.app._notifications
        )

    def state(self) -> str:
        return str(self.client.containers.get(self.container).status)

    def is_(self, state: str) -> bool:
        """The engine holds `state`, and the list shows it (as a user waits to see it)."""
        if self.state() != state:
            return False
        shown = [c for c in self.main.containers_table.items.values() if c.name == self.container]
        return bool(shown) and shown[0].state.value == state

    def attrs(self) -> dict[str, object]:
        return dict(self.client.api.inspect_container(self.container))

    async def back_to_main(self) -> None:
        """escape, as a user leaves a dialog or a full screen."""
        await self.pilot.press("escape")
        await self.until(lambda: self.app.screen is self.main)

    async def select(self, view: str, text: str, key: str) -> None:
        """The view, filtered by `text`, the cursor on the row of `key`."""
        await self.pilot.press(str(("containers", "images", "volumes", "networks").index(view) + 1))
        await self.until(lambda: self.main.current_view == view)
        table = self.main.table(view)
        await self.until(lambda: key in table.items)
        await self.pilot.press("slash", "ctrl+a", "ctrl+k", *text, "enter")
        for _ in range(4):
            if table.current_key == key:
                break
            await self.pilot.press("j")
        await self.until(lambda: table.current_key == key)

    async def focus_in(self, kind: type[Widget]) -> None:
        """tab until the focus is inside a `kind` widget, as a user without a mouse does."""
        for _ in range(12):
            focused = self.main.focused
            if focused is not None and any(
                isinstance(n, kind) for n in focused.ancestors_with_self
            ):
                return
            await self.pilot.press("tab")
        raise AssertionError(f"tab never reached a {kind.__name__}")


Effect = Callable[[Walk], Awaitable[None]]
EFFECTS: dict[str, Effect] = {}


def effect(*spec_ids: str) -> Callable[[Effect], Effect]:
    def register(check: Effect) -> Effect:
        for spec_id in spec_ids:
            assert spec_id in BY_ID, spec_id
            EFFECTS[spec_id] = check
        return check

    return register
