"""Compose project verbs in the UI (up, down, restart, pull, open files) over the Orchestrator."""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from engine_adapters.compose import (
    ComposeFileError,
    Orchestrator,
    Project,
    load_project,
    project_from_labels,
)
from engine_adapters.compose.conventions import CONFIG_FILES, WORKING_DIR
from engine_adapters.compose.loader import compose_files, files_for
from engine_adapters.errors import EngineError
from engine_adapters.models import Container
from engine_adapters.protocol import Engine
from tui.dialogs.compose import DOWN_VOLUMES, ComposeDownDialog, ComposeProblemsDialog
from tui.dialogs.prompt import PromptDialog

if TYPE_CHECKING:
    from tui.app import DockyardApp

Verb = Callable[[Orchestrator], Awaitable[None]]
SHOWN_STEPS = 8


def compose_cli(
    project: str, *args: str, files: list[str] | None = None, reach: tuple[str, ...] = ()
) -> str:
    """The `docker compose` line that does the same, for the command log; `reach` is the
    docker CLI's flags for another engine than the default one (`--host URL`)."""
    where = [word for file in files or () for word in ("-f", file)]
    return shlex.join(["docker", *reach, "compose", *where, "-p", project, *args])


def config_files(members: list[Container]) -> list[str]:
    """The project's compose files as its labels name them (relative to its working dir)."""
    for c in members:
        files = [f for f in c.labels.get(CONFIG_FILES, "").split(",") if f]
        if files:
            return [os.path.join(c.labels.get(WORKING_DIR, ""), f) for f in files]
    return []


# The prompt takes several files as `-f` does: commas, or the separator COMPOSE_FILE uses.
_SEPARATORS = re.compile(f"[,{re.escape(os.pathsep)}]")


def split_paths(text: str) -> list[str]:
    """`a.yaml, b.yaml` (or `a.yaml:b.yaml`) as the paths, in order, with `~` expanded."""
    return [os.path.expanduser(p.strip()) for p in _SEPARATORS.split(text) if p.strip()]


def chosen_files(text: str) -> list[str]:
    """The files to load for what was typed, as the CLI picks them. Several paths are taken as
    given, like `-f` each; a folder, or the default file of a folder, is what `docker compose`
    run in that folder reads: that file and the override file beside it."""
    paths = split_paths(text)
    return files_for(paths[0]) if len(paths) == 1 else paths


def default_compose_paths() -> str:
    """What the CLI reads here with no `-f`: COMPOSE_FILE, else the folder's files."""
    return ", ".join(compose_files(None, os.environ)) or "./compose.yaml"


class ComposeActions:
    """What `U`, `D`, `R`, `ctrl+u` and `:up FILE` do; workers run on the app, not on a view.

    They go to the app's engine, or to `engine` (a Fleet view row's, named `label`), whose
    docker CLI flags (`reach`) the command log's lines carry.
    """

    def __init__(
        self,
        app: DockyardApp,
        engine: Engine | None = None,
        reach: tuple[str, ...] = (),
        label: str = "",
    ) -> None:
        self.app = app
        self.engine = engine if engine is not None else app.engine
        self.reach = reach
        self.label = label

    def _line(self, project: str, *args: str, files: list[str] | None = None) -> str:
        return compose_cli(project, *args, files=files, reach=self.reach)

    # from a project in the containers view ---------------------------------------
    def up(self, name: str, members: list[Container]) -> None:
        paths = config_files(members)
        gone = next((p for p in paths if not os.access(p, os.R_OK)), None)
        if not paths or gone is not None:
            self.app.notify(
                f"The compose file of {name} is gone ({gone or 'no label'}): "
                "only down, stop, restart and logs work",
                title="Cannot bring up",
                severity="warning",
                timeout=6,
            )
            return
        self.open_files(paths, name)

    def down(self, name: str, members: list[Container]) -> None:
        """Asks first; the dialog lists the networks the engine has now, not a stale view."""
        self.app.run_worker(self._ask_down(name, members), group="compose-ask", exit_on_error=False)

    async def _ask_down(self, name: str, members: list[Container]) -> None:
        networks = sorted(n.name for n in await self.engine.networks() if n.compose_project == name)

        def answered(choice: str | None) -> None:
            if choice is None:
                return
            volumes = choice == DOWN_VOLUMES
            line = self._line(name, "down", *(["-v"] if volumes else []))
            self._run(
                project_from_labels(name, members),
                line,
                lambda runner: runner.down(volumes=volumes),
                f"Project {name} is down",
            )

        names = sorted(c.name for c in members)
        self.app.push_screen(ComposeDownDialog(name, names, networks, self.label), answered)

    def restart(self, name: str, members: list[Container]) -> None:
        self._run(
            project_from_labels(name, members),
            self._line(name, "restart"),
            lambda runner: runner.restart(),
            f"Project {name} restarted",
        )

    def pull(self, name: str, members: list[Container]) -> None:
        project = project_from_labels(name, members)
        if not project.services:
            self.app.notify(
                f"The compose file of {name} is gone: its images are unknown",
                title="Cannot pull",
                severity="warning",
            )
            return
        self._run(project, self._line(name, "pull"), lambda r: r.pull(), f"Pulled {name}'s images")

    # from a compose file -------------------------------------------------------------
    def prompt_file(self) -> None:
        def chosen(text: str | None) -> None:
            if text:
                self.open_file(text)

        self.app.push_screen(
            PromptDialog(
                "Open compose files (several: a.yaml, b.yaml)",
                default_compose_paths(),
                "path to compose.yaml, or a folder",
            ),
            chosen,
        )

    def open_file(self, text: str, name: str | None = None) -> None:
        """`text` as typed: one file or folder, or several files (see `chosen_files`)."""
        files = chosen_files(text)
        if files:
            self.open_files(files, name)

    def open_files(self, files: list[str], name: str | None = None) -> None:
        """Loads and checks the files first: a bad file shows every problem and creates nothing."""
        if self.app.read_only:
            self.app.notify("Read-only mode: compose up is not allowed", severity="warning")
            return
        try:
            project = load_project(files, name)
        except ComposeFileError as error:
            problems = [str(p) for p in error.problems] or [str(error)]
            self.app.push_screen(ComposeProblemsDialog(", ".join(files), problems))
            return
        for warning in project.warnings:
            self.app.notify(warning, title=f"{project.name}: warning", severity="warning")
        self._run(
            project,
            self._line(project.name, "up", "-d", files=files),
            lambda runner: runner.up(),
            f"Project {project.name} is up",
        )

    # the worker ------------------------------------------------------------------------
    def _run(self, project: Project, line: str, verb: Verb, done: str) -> None:
        if self.label:
            done = f"{done} on {self.label}"
        self.app.notify(line, title=f"Compose {project.name}", timeout=3)
        self.app.run_worker(
            self._perform(project, line, verb, done),
            # A project of the same name on another engine is another project.
            group=f"compose-{self.engine.endpoint}-{project.name}",
            exclusive=True,
            exit_on_error=False,
        )

    async def _perform(self, project: Project, line: str, verb: Verb, done: str) -> None:
        steps: list[str] = []
        runner = Orchestrator(self.engine, project, report=steps.append)
        try:
            await verb(runner)
        except EngineError as error:
            self.app.log_command(line, ok=False)
            self.app.report_error(error, title=f"Compose {project.name} failed")
            return
        self.app.log_command(line, ok=True)
        shown = steps[-SHOWN_STEPS:]
        if len(steps) > SHOWN_STEPS:
            shown.insert(0, f"… {len(steps) - SHOWN_STEPS} more")
        self.app.notify("\n".join(shown) or "nothing to do", title=done, timeout=5)
