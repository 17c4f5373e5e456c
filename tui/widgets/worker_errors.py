"""The one error path: failures reach the app's `report_error`, whichever node saw them."""

from __future__ import annotations

from typing import Any, Protocol, cast

from textual.app import App
from textual.worker import Worker, WorkerState

ENGINE_ERROR = "Engine error"


class ErrorReporter(Protocol):
    def report_error(self, error: BaseException, title: str = ENGINE_ERROR) -> None: ...


def report_error(app: App[Any], error: BaseException, title: str = ENGINE_ERROR) -> None:
    """Hand `error` to the app (DockyardApp, or a test's host app) to show in one line."""
    cast("ErrorReporter", app).report_error(error, title)


class ReportsWorkerErrors:
    """Mixed into every screen or widget with engine workers: worker failures do not bubble
    in Textual, so each such node forwards them to the app."""

    app: App[Any]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.state == WorkerState.ERROR and worker.error is not None:
            report_error(self.app, worker.error)
