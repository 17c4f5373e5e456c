"""The fleet view's actions: each container's verb goes to the engine its row belongs to."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from typing import TYPE_CHECKING

from engine_adapters.fleet import FleetEngine
from engine_adapters.models import Container
from tui.controllers.base import Step, ViewController
from tui.controllers.containers import removal_body, remove_step, verb_step

if TYPE_CHECKING:
    from tui.widgets.views.fleet_table import FleetTable


def fleet_cli(member: FleetEngine) -> Callable[..., str]:
    """The docker CLI line for one engine: `docker --host URL ...` or `docker --context C ...`."""

    def line(*args: str) -> str:
        return shlex.join(["docker", *member.member.cli_flags, *args])

    return line


class FleetController(ViewController[Container]):
    """Like the containers view's verbs, with the engine and CLI line taken from each row."""

    VIEW = "fleet"

    @property
    def fleet_table(self) -> FleetTable:
        return self.screen.fleet_table

    def _allowed(self, verb: str) -> list[tuple[FleetEngine, Container]]:
        """The selected containers the guard allows, each with its engine."""
        table, feed = self.fleet_table, self.screen.fleet_feed
        found = []
        for c in self.selected():
            member = feed.engine_named(table.engine_of.get(c.id, ""))
            if member is not None and table.allowed(verb, c):
                found.append((member, c))
        return found

    def _verb(self, verb: str) -> None:
        self.perform([verb_step(m.engine, c, verb, fleet_cli(m)) for m, c in self._allowed(verb)])

    def start(self) -> None:
        self._verb("start")

    def stop(self) -> None:
        self._verb("stop")

    def restart(self) -> None:
        self._verb("restart")

    def kill(self) -> None:
        self._verb("kill")

    def pause(self) -> None:
        self._verb("pause")

    def remove(self) -> None:
        chosen = self._allowed("remove")
        steps: list[Step] = [remove_step(m.engine, c, fleet_cli(m)) for m, c in chosen]
        body = removal_body([c for _, c in chosen])
        engines = sorted({m.label for m, _ in chosen})
        self.confirm(f"Remove {len(chosen)} container(s) on {', '.join(engines)}?", body, steps)

    def exec(self) -> None:
        from tui.screens.shells import open_shell_for

        running = self._allowed("exec")
        if running:
            member, c = running[0]
            self.app.log_command(fleet_cli(member)("exec", "-it", c.name, "sh"), ok=True)
            open_shell_for(self.app, c, engine=member.engine)

    def prune(self) -> None:
        self.app.notify("Prune one engine at a time: E switches to it, then P", timeout=4)
