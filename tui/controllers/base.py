"""ViewController: the engine calls, confirmations and command-log lines behind one view's keys."""

from __future__ import annotations

import shlex
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from engine_adapters.errors import EngineError
from engine_adapters.protocol import Engine
from tui.dialogs.confirm import ConfirmDialog
from tui.widgets.views.resource_table import Selection

if TYPE_CHECKING:
    from tui.app import DockyardApp
    from tui.keymap import ActionSpec
    from tui.screens.main import MainScreen
    from tui.widgets.views.resource_table import ResourceTable

Item = TypeVar("Item")
Call = Callable[[], Awaitable[object]]


def cli(*args: str) -> str:
    """The docker CLI line an action amounts to, for the command log."""
    return shlex.join(["docker", *args])


@dataclass(frozen=True)
class Step:
    """One engine call and the CLI line the command log shows for it."""

    line: str
    call: Call


@dataclass(frozen=True)
class PrunePlan:
    """What `P` removes in a view: named first in the dialog, then one engine call."""

    what: str
    gone: list[str]
    step: Step


class ViewController(Generic[Item]):
    """One view's actions. The screen owns the table and the workers; the controller decides.

    A controller reads its items from the view's table and reaches the engine, the app and
    the detail pane through the screen; handlers in tui/keymap.py call its methods.
    """

    VIEW: ClassVar[str] = ""

    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen
        self.selection = Selection((), None)

    def handle(self, spec: ActionSpec[Any], selection: Selection) -> None:
        """A key of this view: its handler, on what was selected when the key was pressed."""
        self.selection = selection
        spec.handler(self)

    @property
    def app(self) -> DockyardApp:
        return self.screen.app

    @property
    def engine(self) -> Engine:
        return self.app.engine

    @property
    def table(self) -> ResourceTable:
        return self.screen.table(self.VIEW)

    def items(self) -> Mapping[str, Item]:
        """Every item of the view by key (none before its table is mounted)."""
        return self.screen.items_of(self.VIEW)  # type: ignore[return-value]

    def selected(self) -> list[Item]:
        """The marked items, else the one under the cursor, as they are listed now."""
        items = self.items()
        return [items[key] for key in self.selection.keys if key in items]

    def mark(self) -> None:
        self.table.toggle_mark(self.selection.cursor)

    def prune_plan(self) -> PrunePlan:
        raise NotImplementedError

    # running engine calls -----------------------------------------------------------
    def perform(self, steps: list[Step], done: str = "") -> None:
        """Run the calls in turn in a worker; failures go to the app's one error path."""
        if steps:
            work: Callable[[], Awaitable[None]] = partial(self._perform, steps, done)
            self.screen.run_worker(work, group="actions", exit_on_error=False)

    async def _perform(self, steps: list[Step], done: str) -> None:
        failed = 0
        for step in steps:
            try:
                await step.call()
            except EngineError as error:
                failed += 1
                self.app.log_command(step.line, ok=False)
                self.app.report_error(error)
                continue
            self.app.log_command(step.line, ok=True)
        if done and not failed:
            self.app.notify(done, timeout=3)

    def confirm(self, title: str, body: str, steps: list[Step], yes: str = "Remove") -> None:
        """Ask first; a yes clears the marks and runs the steps."""
        if not steps:
            return

        def answered(ok: bool | None) -> None:
            if ok:
                self.table.marked.clear()
                self.perform(steps)

        self.app.push_screen(ConfirmDialog(title, body, yes=yes), answered)

    def prune(self) -> None:
        plan = self.prune_plan()
        if not plan.gone:
            self.app.notify(f"No {plan.what} to prune", timeout=3)
            return
        body = "These go:\n" + "\n".join(f"  {name}" for name in plan.gone[:15])
        if len(plan.gone) > 15:
            body += f"\n  … and {len(plan.gone) - 15} more"

        def answered(ok: bool | None) -> None:
            if ok:
                self.perform([plan.step], f"Pruned {plan.what}")

        self.app.push_screen(
            ConfirmDialog(f"Prune {len(plan.gone)} {plan.what}?", body, yes="Prune"), answered
        )
