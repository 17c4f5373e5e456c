"""The command palette provider, built from the same action table as the bindings."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode

from tui.keymap import ACTIONS, ActionSpec, action_name, display_key

OWNER_SELECTORS = {
    "containers": "#containers-table",
    "images": "#images-table",
    "volumes": "#volumes-table",
    "networks": "#networks-table",
    "logs": "LogPanel",
    "env": "EnvTable",
}


class ActionsProvider(Provider):
    """Offers only what can run now: the owner is on screen and `check_action` allows it."""

    def _owner(self, spec: ActionSpec) -> DOMNode | None:
        screen: Any = self.screen
        if spec.owner == "app":
            return self.app
        if spec.owner == "main":
            return screen if type(screen).__name__ == "MainScreen" else None
        if spec.owner == "dashboard":
            return screen if type(screen).__name__ == "DashboardScreen" else None
        selector = OWNER_SELECTORS.get(spec.owner)
        if selector is None or type(screen).__name__ != "MainScreen":
            return None
        nodes = screen.query(selector)
        if not nodes:
            return None
        node = nodes.first()
        if (
            spec.owner in ("containers", "images", "volumes", "networks")
            and screen.current_view != spec.owner
        ):
            return None
        return node  # type: ignore[no-any-return]

    def _available(self) -> Iterator[tuple[ActionSpec, DOMNode, str]]:
        keymap: dict[str, str] = self.app.config.keys if hasattr(self.app, "config") else {}
        for spec in ACTIONS:
            if not spec.palette:
                continue
            node = self._owner(spec)
            if node is None or not node.check_action(action_name(spec), ()):
                continue
            yield spec, node, f"{spec.description} ({display_key(spec, keymap)})"

    async def discover(self) -> Hits:
        for spec, node, title in self._available():
            yield DiscoveryHit(title, partial(self.app.run_action, spec.action, node), help=spec.id)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for spec, node, title in self._available():
            score = matcher.match(f"{title} {spec.owner}")
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(title),
                    partial(self.app.run_action, spec.action, node),
                    help=spec.id,
                )
