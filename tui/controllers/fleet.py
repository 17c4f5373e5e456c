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
    from tui.screens.compose import ComposeActions
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

    # compose projects: the project of the container under the cursor, on its engine ------
    def _project(self) -> tuple[FleetEngine, str, list[Container]] | None:
        """The compose project under the cursor with its containers on the cursor's engine
        (a project of the same name on another engine is another project); None, said in
        one line, where there is no project to act on."""
        table = self.fleet_table
        cursor = self.selection.cursor
        c = self.items().get(cursor) if cursor else None
        label = table.engine_of.get(cursor or "", "")
        member = self.screen.fleet_feed.engine_named(label)
        if c is None or member is None:
            why = "No compose project here: the compose keys act on a container's"
        elif c.compose_project is None:
            why = f"{c.name} on {label} is not in a compose project"
        elif table.is_down(label):
            why = f"{label} is down: its project {c.compose_project} is out of reach"
        else:
            return member, c.compose_project, self._members(label, c.compose_project)
        self.app.notify(why, severity="warning", timeout=4)
        return None

    def _members(self, label: str, name: str) -> list[Container]:
        engine_of = self.fleet_table.engine_of
        return [
            c
            for key, c in self.items().items()
            if c.compose_project == name and engine_of.get(key) == label
        ]

    def _compose(self, member: FleetEngine) -> ComposeActions:
        from tui.screens.compose import ComposeActions

        return ComposeActions(self.app, member.engine, member.member.cli_flags, member.label)

    def compose_up(self) -> None:
        if found := self._project():
            member, name, members = found
            self._compose(member).up(name, members)

    def compose_down(self) -> None:
        if found := self._project():
            member, name, members = found
            self._compose(member).down(name, members)

    def compose_restart(self) -> None:
        if found := self._project():
            member, name, members = found
            self._compose(member).restart(name, members)

    def compose_pull(self) -> None:
        if found := self._project():
            member, name, members = found
            self._compose(member).pull(name, members)

    def prune(self) -> None:
        self.app.notify("Prune one engine at a time: E switches to it, then P", timeout=4)
