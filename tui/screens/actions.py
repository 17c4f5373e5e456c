"""What the main screen does for a view's action request: confirm, call the engine, log the CLI."""

from __future__ import annotations

import shlex
from collections.abc import Awaitable, Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from textual import work

from engine_adapters.errors import EngineError
from engine_adapters.models import Container, Image, Network, RunSpec, Volume
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.prompt import PromptDialog
from tui.screens.main_base import MainScreenBase
from tui.widgets.containers_table import ContainersTable
from tui.widgets.format import human_size
from tui.widgets.resource_table import ResourceTable

# Compose (with YAML), the run form and the pull dialog are imported when first used:
# together they were about 60 ms before the first paint of the list.
if TYPE_CHECKING:
    from tui.app import DockyardApp
    from tui.screens.compose import ComposeActions

Call = Callable[[], Awaitable[Any]]

SIMPLE_VERBS = {
    "start": "start",
    "stop": "stop",
    "restart": "restart",
    "kill": "kill",
}


def cli(*args: str) -> str:
    return shlex.join(["docker", *args])


class ActionsMixin(MainScreenBase):
    """Each verb checks the state guard again, since the state may change after the key press."""

    def on_resource_table_action_requested(self, message: ResourceTable.ActionRequested) -> None:
        message.stop()
        table, verb, keys = message.table, message.verb, message.keys
        if self.app.read_only and verb != "project_logs":
            self.notify("Read-only mode: nothing that changes state is allowed", severity="warning")
            return
        items = [table.items[k] for k in keys if k in table.items]
        handler = getattr(self, f"_{table.OWNER}_{verb}", None)
        if handler is not None:
            handler(table, items)

    # the worker that runs every engine call --------------------------------------
    @work(group="actions", exit_on_error=False)
    async def perform(self, steps: list[tuple[str, Call]], done: str = "") -> None:
        """Run each call in turn; the CLI line goes to the command log once the call succeeded."""
        failed = 0
        for line, call in steps:
            try:
                await call()
            except EngineError as error:
                failed += 1
                self.app.log_command(line, ok=False)
                self.notify(str(error), title="Engine error", severity="error", timeout=6)
                continue
            self.app.log_command(line, ok=True)
        if done and not failed:
            self.notify(done, timeout=3)

    # containers -----------------------------------------------------------------
    def _verb(self, table: ContainersTable, items: list[Container], verb: str) -> None:
        allowed = [c for c in items if table.allowed(verb, c)]
        steps: list[tuple[str, Call]] = []
        for c in allowed:
            if verb == "pause":
                paused = c.state.value == "paused"
                name = "unpause" if paused else "pause"
                method = self.engine.unpause if paused else self.engine.pause
                steps.append((cli(name, c.name), partial(method, c.id)))
            else:
                method = getattr(self.engine, SIMPLE_VERBS[verb])
                steps.append((cli(verb, c.name), partial(method, c.id)))
        if steps:
            self.perform(steps)

    def _containers_start(self, table: ContainersTable, items: list[Container]) -> None:
        self._verb(table, items, "start")

    def _containers_stop(self, table: ContainersTable, items: list[Container]) -> None:
        self._verb(table, items, "stop")

    def _containers_restart(self, table: ContainersTable, items: list[Container]) -> None:
        self._verb(table, items, "restart")

    def _containers_kill(self, table: ContainersTable, items: list[Container]) -> None:
        self._verb(table, items, "kill")

    def _containers_pause(self, table: ContainersTable, items: list[Container]) -> None:
        self._verb(table, items, "pause")

    def _containers_remove(self, table: ContainersTable, items: list[Container]) -> None:
        running = [c for c in items if c.state.is_up]
        body = "\n".join(f"  {c.name} ({c.state.value})" for c in items)
        if running:
            body += "\n\nRunning containers are stopped first (force)."
        steps: list[tuple[str, Call]] = [
            (
                cli("rm", *(["-f"] if c.state.is_up else []), c.name),
                partial(self.engine.remove, c.id, force=c.state.is_up),
            )
            for c in items
        ]
        self.confirm(f"Remove {len(items)} container(s)?", body, steps, table)

    def _containers_connect(self, table: ContainersTable, items: list[Container]) -> None:
        names = sorted(
            n.name for n in self.items_of("networks").values() if n.name not in ("host", "none")
        )

        def chosen(network: str | None) -> None:
            if network:
                self.perform(
                    [
                        (
                            cli("network", "connect", network, c.name),
                            partial(self.engine.connect, network, c.id),
                        )
                        for c in items
                    ]
                )

        self.app.push_screen(
            PromptDialog("Connect to network", placeholder="network name", choices=names), chosen
        )

    def _containers_disconnect(self, table: ContainersTable, items: list[Container]) -> None:
        names = sorted({a.network for c in items for a in c.networks})

        def chosen(network: str | None) -> None:
            if network:
                self.perform(
                    [
                        (
                            cli("network", "disconnect", network, c.name),
                            partial(self.engine.disconnect, network, c.id),
                        )
                        for c in items
                    ]
                )

        self.app.push_screen(PromptDialog("Disconnect from network", choices=names), chosen)

    def _containers_exec(self, table: ContainersTable, items: list[Container]) -> None:
        from tui.screens.shells import open_shell_for

        running = [c for c in items if table.allowed("exec", c)]
        if running:
            self.app.log_command(cli("exec", "-it", running[0].name, "sh"), ok=True)
            open_shell_for(self.app, running[0], engine=self.engine)

    def _containers_exec_command(self, table: ContainersTable, items: list[Container]) -> None:
        from tui.screens.shells import prompt_command_for

        running = [c for c in items if table.allowed("exec", c)]
        if running:
            prompt_command_for(self.app, running[0], engine=self.engine)

    def _containers_attach(self, table: ContainersTable, items: list[Container]) -> None:
        from tui.screens.shells import open_attach_for

        running = [c for c in items if table.allowed("exec", c)]
        if running:
            self.app.log_command(cli("attach", running[0].name), ok=True)
            open_attach_for(self.app, running[0], engine=self.engine)

    def _containers_project_logs(self, table: ContainersTable, items: list[Container]) -> None:
        project = table.current_project
        if project is None:
            return
        members = [c for c in table.items.values() if c.compose_project == project]
        self.detail.show_project(project, members)
        self.detail.active = "tab-logs"

    # compose projects: the project under the cursor, whatever row of it is selected ------
    def _compose_project(self, table: ContainersTable) -> tuple[str, list[Container]] | None:
        name = table.current_project
        if name is None:
            return None
        return name, [c for c in table.items.values() if c.compose_project == name]

    def _containers_compose_up(self, table: ContainersTable, items: list[Container]) -> None:
        if found := self._compose_project(table):
            _compose(self.app).up(*found)

    def _containers_compose_down(self, table: ContainersTable, items: list[Container]) -> None:
        if found := self._compose_project(table):
            _compose(self.app).down(*found)

    def _containers_compose_restart(self, table: ContainersTable, items: list[Container]) -> None:
        if found := self._compose_project(table):
            _compose(self.app).restart(*found)

    def _containers_compose_pull(self, table: ContainersTable, items: list[Container]) -> None:
        if found := self._compose_project(table):
            _compose(self.app).pull(*found)

    # images ---------------------------------------------------------------------
    def _images_run(self, table: ResourceTable, items: list[Image]) -> None:
        if not items:
            return
        from tui.dialogs.run_form import RunDialog, run_cli

        networks = sorted(n.name for n in self.items_of("networks").values())

        def run(spec: RunSpec | None) -> None:
            if spec is not None:
                self.perform(
                    [(run_cli(spec), lambda: self.engine.run(spec))],
                    f"Started {spec.name or spec.image}",
                )

        self.app.push_screen(RunDialog(items[0].display_name, networks), run)

    def _images_pull(self, table: ResourceTable, items: list[Image]) -> None:
        from tui.dialogs.pull import PullDialog

        default = items[0].display_name if items and not items[0].dangling else ""

        def pull(ref: str | None) -> None:
            if ref:
                self.app.log_command(cli("pull", ref), ok=True)
                self.app.push_screen(PullDialog(self.engine, ref))

        self.app.push_screen(PromptDialog("Pull image", default, "name[:tag]"), pull)

    def _images_remove(self, table: ResourceTable, items: list[Image]) -> None:
        body = "\n".join(f"  {i.display_name} {i.short_id} ({human_size(i.size)})" for i in items)
        in_use = [i for i in items if i.used_by]
        if in_use:
            body += "\n\nImages used by containers are removed with force."
        steps: list[tuple[str, Call]] = [
            (
                cli("rmi", *(["-f"] if i.used_by else []), i.tags[0] if i.tags else i.short_id),
                partial(self.engine.remove_image, i.id, force=bool(i.used_by)),
            )
            for i in items
        ]
        self.confirm(f"Remove {len(items)} image(s)?", body, steps, table)

    # volumes and networks ----------------------------------------------------------
    def _volumes_create(self, table: ResourceTable, items: list[Volume]) -> None:
        def create(name: str | None) -> None:
            if name:
                self.perform(
                    [(cli("volume", "create", name), lambda: self.engine.create_volume(name))],
                    f"Created volume {name}",
                )

        self.app.push_screen(PromptDialog("New volume name", placeholder="name"), create)

    def _volumes_remove(self, table: ResourceTable, items: list[Volume]) -> None:
        body = "\n".join(f"  {v.name}" + (" (in use)" if v.used_by else "") for v in items)
        steps: list[tuple[str, Call]] = [
            (cli("volume", "rm", v.name), partial(self.engine.remove_volume, v.name)) for v in items
        ]
        self.confirm(f"Remove {len(items)} volume(s)? Their data is lost.", body, steps, table)

    def _networks_create(self, table: ResourceTable, items: list[Network]) -> None:
        def create(name: str | None) -> None:
            if name:
                self.perform(
                    [(cli("network", "create", name), lambda: self.engine.create_network(name))],
                    f"Created network {name}",
                )

        self.app.push_screen(PromptDialog("New network name (bridge)", placeholder="name"), create)

    def _networks_remove(self, table: ResourceTable, items: list[Network]) -> None:
        items = [n for n in items if not n.builtin]
        body = "\n".join(f"  {n.name} ({len(n.containers)} containers)" for n in items)
        steps: list[tuple[str, Call]] = [
            (cli("network", "rm", n.name), partial(self.engine.remove_network, n.id)) for n in items
        ]
        if steps:
            self.confirm(f"Remove {len(items)} network(s)?", body, steps, table)

    def confirm(
        self,
        title: str,
        body: str,
        steps: list[tuple[str, Call]],
        table: ResourceTable | None = None,
    ) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                if table is not None:
                    table.marked.clear()
                self.perform(steps)

        self.app.push_screen(ConfirmDialog(title, body, yes="Remove"), answered)

    # prune: says exactly what goes ---------------------------------------------
    def prune_plan(self) -> tuple[str, list[str], tuple[str, Call]] | None:
        view = self.current_view
        if view == "containers":
            gone = [
                c.name
                for c in self.containers_table.items.values()
                if c.state.value in ("exited", "dead", "created")
            ]
            return (
                "stopped containers",
                gone,
                (cli("container", "prune", "-f"), self.engine.prune_containers),
            )
        if view == "images":
            gone = [
                f"{i.short_id} ({human_size(i.size)})"
                for i in self.items_of("images").values()
                if i.dangling
            ]
            return (
                "dangling images",
                gone,
                (cli("image", "prune", "-f"), lambda: self.engine.prune_images(True)),
            )
        if view == "volumes":
            gone = [v.name for v in self.items_of("volumes").values() if not v.used_by]
            return "unused volumes", gone, (cli("volume", "prune", "-f"), self.engine.prune_volumes)
        gone = [
            n.name for n in self.items_of("networks").values() if not n.builtin and not n.containers
        ]
        return "unused networks", gone, (cli("network", "prune", "-f"), self.engine.prune_networks)

    def action_prune(self) -> None:
        plan = self.prune_plan()
        if plan is None:
            return
        what, gone, step = plan
        if not gone:
            self.notify(f"No {what} to prune", timeout=3)
            return
        body = "These go:\n" + "\n".join(f"  {name}" for name in gone[:15])
        if len(gone) > 15:
            body += f"\n  … and {len(gone) - 15} more"

        def answered(yes: bool | None) -> None:
            if yes:
                self.perform([step], f"Pruned {what}")

        self.app.push_screen(
            ConfirmDialog(f"Prune {len(gone)} {what}?", body, yes="Prune"), answered
        )


def _compose(app: DockyardApp) -> ComposeActions:
    from tui.screens.compose import ComposeActions

    return ComposeActions(app)
