"""The networks view's actions: create, remove (never a built-in network)."""

from __future__ import annotations

from functools import partial

from engine_adapters.models import Network
from tui.controllers.base import PrunePlan, Step, ViewController, cli
from tui.dialogs.prompt import PromptDialog


class NetworksController(ViewController[Network]):
    VIEW = "networks"

    def create(self) -> None:
        def create(name: str | None) -> None:
            if name:
                self.perform(
                    [
                        Step(
                            cli("network", "create", name),
                            partial(self.engine.create_network, name),
                        )
                    ],
                    f"Created network {name}",
                )

        self.app.push_screen(PromptDialog("New network name (bridge)", placeholder="name"), create)

    def remove(self) -> None:
        items = [n for n in self.selected() if not n.builtin]
        body = "\n".join(f"  {n.name} ({len(n.containers)} containers)" for n in items)
        steps = [
            Step(cli("network", "rm", n.name), partial(self.engine.remove_network, n.id))
            for n in items
        ]
        self.confirm(f"Remove {len(items)} network(s)?", body, steps)

    def prune_plan(self) -> PrunePlan:
        gone = [n.name for n in self.items().values() if not n.builtin and not n.containers]
        return PrunePlan(
            "unused networks", gone, Step(cli("network", "prune", "-f"), self.engine.prune_networks)
        )
