"""Worker failures do not bubble in Textual, so nodes running engine workers forward them here."""

from __future__ import annotations

from typing import Any

from textual.worker import Worker, WorkerState


class ReportsWorkerErrors:
    """Mixed into every screen or widget with engine workers; the app owns the one error handler."""

    app: Any

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.state == WorkerState.ERROR and worker.error is not None:
            self.app.report_error(worker.error)
