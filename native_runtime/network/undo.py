"""A rollback list: each step that changes the host pushes its inverse."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("native_runtime.network")


class Undo:
    """On failure `run()` replays the inverses newest first; one failing does not stop the rest."""

    def __init__(self) -> None:
        self._steps: list[Callable[[], Awaitable[object]]] = []

    def push(self, step: Callable[[], Awaitable[object]]) -> None:
        self._steps.append(step)

    async def run(self) -> None:
        while self._steps:
            step = self._steps.pop()
            try:
                await step()
            except Exception:
                log.exception("rollback step failed")
