"""Pull an image with live per-layer progress; dismisses with True once the pull finished."""

from __future__ import annotations

from dataclasses import dataclass

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Label, ProgressBar, Static

from engine_adapters.errors import EngineError
from engine_adapters.models import PullProgress
from engine_adapters.protocol import Engine
from tui.widgets.worker_errors import ReportsWorkerErrors, report_error


@dataclass
class Progressed(Message):
    progress: PullProgress


@dataclass
class Finished(Message):
    error: EngineError | None


class PullDialog(ReportsWorkerErrors, ModalScreen[bool]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="pull.cancel")]

    def __init__(self, engine: Engine, ref: str) -> None:
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
        """Reads the pull's progress and posts it; the handlers below draw it."""
        stream = self.engine.pull(self.ref)
        try:
            async for progress in stream:
                self.post_message(Progressed(progress))
                if progress.error:
                    raise EngineError(progress.error)
        except EngineError as error:
            self.post_message(Finished(error))
            return
        finally:
            await stream.aclose()
        self.post_message(Finished(None))

    def on_finished(self, message: Finished) -> None:
        if message.error is not None:
            report_error(self.app, message.error, title=f"Pull of {self.ref} failed")
            self.dismiss(False)
        else:
            self.notify(f"Pulled {self.ref}", timeout=3)
            self.dismiss(True)

    def on_progressed(self, message: Progressed) -> None:
        progress = message.progress
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
