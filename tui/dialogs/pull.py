"""Pull an image with live per-layer progress; dismisses with True once the pull finished."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, ProgressBar, Static

from engine_adapters.errors import EngineError
from engine_adapters.models import PullProgress
from tui.widgets.worker_errors import ReportsWorkerErrors


class PullDialog(ReportsWorkerErrors, ModalScreen[bool]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="pull.cancel")]

    def __init__(self, engine: Any, ref: str) -> None:
        super().__init__()
        self.engine = engine
        self.ref = ref
        self._layers: dict[str, tuple[int, int]] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Pulling {self.ref}", classes="dialog-title")
            yield ProgressBar(total=None, show_eta=False, id="pull-bar")
            yield Static("", id="pull-status", markup=False)

    def on_mount(self) -> None:
        self._pull()

    @work(exclusive=True, group="pull", exit_on_error=False)
    async def _pull(self) -> None:
        stream = self.engine.pull(self.ref)
        try:
            async for progress in stream:
                self.show(progress)
                if progress.error:
                    raise EngineError(progress.error)
        except EngineError as error:
            self.notify(f"Pull failed: {error}", severity="error")
            self.dismiss(False)
            return
        finally:
            await stream.aclose()
        self.notify(f"Pulled {self.ref}", timeout=3)
        self.dismiss(True)

    def show(self, progress: PullProgress) -> None:
        if progress.layer and progress.total:
            self._layers[progress.layer] = (progress.current, progress.total)
        done = sum(c for c, _ in self._layers.values())
        total = sum(t for _, t in self._layers.values())
        bar = self.query_one("#pull-bar", ProgressBar)
        if total:
            bar.update(total=total, progress=done)
        layer = f"{progress.layer[:12]}: " if progress.layer else ""
        self.query_one("#pull-status", Static).update(f"{layer}{progress.status}")

    def action_cancel(self) -> None:
        self.workers.cancel_group(self, "pull")
        self.dismiss(False)
