"""The volumes view's actions: create, remove."""

from __future__ import annotations

from functools import partial

from engine_adapters.models import Volume
from tui.controllers.base import PrunePlan, Step, ViewController, cli
from tui.dialogs.prompt import PromptDialog


class VolumesController(ViewController[Volume]):
    VIEW = "volumes"

    def create(self) -> None:
        def create(name: str | None) -> None:
            if name:
                self.perform(
                    [Step(cli("volume", "create", name), partial(self.engine.create_volume, name))],
                    f"Created volume {name}",
                )

        self.app.push_screen(PromptDialog("New volume name", placeholder="name"), create)

    def remove(self) -> None:
        items = self.selected()
        body = "\n".join(f"  {v.name}" + (" (in use)" if v.used_by else "") for v in items)
        steps = [
            Step(cli("volume", "rm", v.name), partial(self.engine.remove_volume, v.name))
            for v in items
        ]
        self.confirm(f"Remove {len(items)} volume(s)? Their data is lost.", body, steps)

    def prune_plan(self) -> PrunePlan:
        gone = [v.name for v in self.items().values() if not v.used_by]
        return PrunePlan(
            "unused volumes", gone, Step(cli("volume", "prune", "-f"), self.engine.prune_volumes)
        )
