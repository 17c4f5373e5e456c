"""The command palette provider, built from the same action table as the bindings."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode

from tui.controllers import VIEWS
from tui.keymap import ACTIONS, DISPATCH, ActionSpec, display_key
from tui.screens.main import MainScreen

WIDGET_OWNERS = {"logs": "LogPanel", "env": "EnvTable"}
SCREEN_OWNERS = {"dashboard": "DashboardScreen", "shells": "ShellsScreen"}


def ranked(score: float, on_selection: bool) -> float:
    """Actions on the selected item first, then the rest, each by how well they match:
    `shell` finds the selected container's Shell before the app's Shell sessions."""
    return 0.5 + score / 2 if on_selection else score / 2


class ActionsProvider(Provider):
    """Offers only what can run now: the owner is on screen and `check_action` allows it."""

    def _owner(self, spec: ActionSpec[Any]) -> DOMNode | None:
        screen = self.screen
        if spec.owner == "app":
            return self.app
        if spec.owner in SCREEN_OWNERS:
            return screen if type(screen).__name__ == SCREEN_OWNERS[spec.owner] else None
        widget = WIDGET_OWNERS.get(spec.owner)
        if widget is not None:
            # A log panel may be on a screen of its own (a service's logs, a shell's side).
            return next(iter(screen.query(widget)), None)
        if not isinstance(screen, MainScreen):
            return None
        if spec.owner == "main":
            return screen
        if spec.owner in VIEWS:
            return screen.table() if screen.current_view == spec.owner else None
        return None

    def _available(self) -> Iterator[tuple[ActionSpec[Any], DOMNode, str]]:
        keymap: dict[str, str] = self.app.config.keys if hasattr(self.app, "config") else {}
        # The selected item's actions first, so an empty query lists them at the top too.
        specs = sorted(ACTIONS, key=lambda spec: spec.owner not in VIEWS)
        for spec in specs:
            if not spec.palette:
                continue
            node = self._owner(spec)
            if node is None or not node.check_action(DISPATCH, (spec.id,)):
                continue
            yield spec, node, f"{spec.description} ({display_key(spec, keymap)})"

    async def discover(self) -> Hits:
        for spec, node, title in self._available():
            yield DiscoveryHit(
                title, partial(self.app.run_action, spec.binding_action, node), help=spec.id
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for spec, node, title in self._available():
            score = matcher.match(f"{title} {spec.owner}")
            if score > 0:
                yield Hit(
                    ranked(score, spec.owner in VIEWS),
                    matcher.highlight(title),
                    partial(self.app.run_action, spec.binding_action, node),
                    help=spec.id,
                )
