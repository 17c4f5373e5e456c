"""The containers view's actions: lifecycle verbs, shells, networks and compose projects."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from engine_adapters.models import Container, ContainerState
from engine_adapters.protocol import Engine
from tui.controllers.base import PrunePlan, Step, ViewController, cli
from tui.dialogs.prompt import PromptDialog

# Compose (with YAML) and the shells (pyte) are imported when first used: they would delay
# the first paint of the list.
if TYPE_CHECKING:
    from tui.screens.compose import ComposeActions
    from tui.widgets.views.containers_table import ContainersTable


Line = Callable[..., str]


def verb_step(engine: Engine, c: Container, verb: str, line: Line = cli) -> Step:
    """A lifecycle verb (start, stop, restart, kill, pause) on one container and its CLI line;
    pause on a paused container unpauses it."""
    if verb == "pause" and c.state == ContainerState.PAUSED:
        return Step(line("unpause", c.name), partial(engine.unpause, c.id))
    method = {
        "start": engine.start,
        "stop": engine.stop,
        "restart": engine.restart,
        "kill": engine.kill,
        "pause": engine.pause,
    }[verb]
    return Step(line(verb, c.name), partial(method, c.id))


def remove_step(engine: Engine, c: Container, line: Line = cli) -> Step:
    """A running container is removed with force, as `docker rm -f` does."""
    return Step(
        line("rm", *(["-f"] if c.state.is_up else []), c.name),
        partial(engine.remove, c.id, force=c.state.is_up),
    )


def removal_body(items: list[Container]) -> str:
    """What the remove dialog lists."""
    body = "\n".join(f"  {c.name} ({c.state.value})" for c in items)
    if any(c.state.is_up for c in items):
        body += "\n\nRunning containers are stopped first (force)."
    return body


class ContainersController(ViewController[Container]):
    """Each verb checks the state guard again, since the state may change after the key press."""

    VIEW = "containers"

    @property
    def containers_table(self) -> ContainersTable:
        return self.screen.containers_table

    def _allowed(self, verb: str) -> list[Container]:
        return [c for c in self.selected() if self.containers_table.allowed(verb, c)]

    def _verb(self, verb: str) -> None:
        self.perform([verb_step(self.engine, c, verb) for c in self._allowed(verb)])

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
        items = self._allowed("remove")
        steps = [remove_step(self.engine, c) for c in items]
        self.confirm(f"Remove {len(items)} container(s)?", removal_body(items), steps)

    # networks -------------------------------------------------------------------------
    def connect(self) -> None:
        items = self.selected()
        if not items:
            return
        names = sorted(
            n.name
            for n in self.screen.controllers.networks.items().values()
            if n.name not in ("host", "none")
        )

        def chosen(network: str | None) -> None:
            if network:
                self.perform(
                    [
                        Step(
                            cli("network", "connect", network, c.name),
                            partial(self.engine.connect, network, c.id),
                        )
                        for c in items
                    ]
                )

        self.app.push_screen(
            PromptDialog("Connect to network", placeholder="network name", choices=names), chosen
        )

    def disconnect(self) -> None:
        items = self.selected()
        if not items:
            return
        names = sorted({a.network for c in items for a in c.networks})

        def chosen(network: str | None) -> None:
            if network:
                self.perform(
                    [
                        Step(
                            cli("network", "disconnect", network, c.name),
                            partial(self.engine.disconnect, network, c.id),
                        )
                        for c in items
                    ]
                )

        self.app.push_screen(PromptDialog("Disconnect from network", choices=names), chosen)

    # shells ---------------------------------------------------------------------------
    def exec(self) -> None:
        from tui.screens.shells import open_shell_for

        running = self._allowed("exec")
        if running:
            self.app.log_command(cli("exec", "-it", running[0].name, "sh"), ok=True)
            open_shell_for(self.app, running[0], engine=self.engine)

    def exec_command(self) -> None:
        from tui.screens.shells import prompt_command_for

        running = self._allowed("exec_command")
        if running:
            prompt_command_for(self.app, running[0], engine=self.engine)

    def attach(self) -> None:
        from tui.screens.shells import open_attach_for

        running = self._allowed("attach")
        if running:
            self.app.log_command(cli("attach", running[0].name), ok=True)
            open_attach_for(self.app, running[0], engine=self.engine)

    # compose projects: the project under the cursor, whatever row of it is selected -----
    def _project(self) -> tuple[str, list[Container]] | None:
        name = self.selection.project
        if name is None:
            return None
        return name, [c for c in self.items().values() if c.compose_project == name]

    def project_logs(self) -> None:
        if found := self._project():
            self.screen.detail.show_project(*found)
            self.screen.detail.active = "tab-logs"

    def compose_up(self) -> None:
        if found := self._project():
            self._compose().up(*found)

    def compose_down(self) -> None:
        if found := self._project():
            self._compose().down(*found)

    def compose_restart(self) -> None:
        if found := self._project():
            self._compose().restart(*found)

    def compose_pull(self) -> None:
        if found := self._project():
            self._compose().pull(*found)

    def _compose(self) -> ComposeActions:
        from tui.screens.compose import ComposeActions

        return ComposeActions(self.app)

    def prune_plan(self) -> PrunePlan:
        gone = [
            c.name
            for c in self.items().values()
            if c.state in (ContainerState.EXITED, ContainerState.DEAD, ContainerState.CREATED)
        ]
        return PrunePlan(
            "stopped containers",
            gone,
            Step(cli("container", "prune", "-f"), self.engine.prune_containers),
        )
