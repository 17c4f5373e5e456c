"""Stage timings of the container path, logged only when DOCKYARD_NATIVE_TIMINGS=1.

Each stage writes one line `stage=NAME ctr=ID12 ms=F` on the `native_runtime.timing`
logger; `bench/native_budget.py` reads them back. Off by default: the check is one
attribute read, so the instrumented path costs nothing measurable.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger("native_runtime.timing")
ENABLED = os.environ.get("DOCKYARD_NATIVE_TIMINGS") == "1"


@contextmanager
def stage(name: str, ctr_id: str) -> Iterator[None]:
    """Time the body and log it as stage `name` of container `ctr_id`."""
    if not ENABLED:
        yield
        return
    begin = time.perf_counter()
    try:
        yield
    finally:
        mark(name, ctr_id, (time.perf_counter() - begin) * 1000)


def mark(name: str, ctr_id: str, ms: float) -> None:
    """Log a stage measured elsewhere (a span that crosses callbacks)."""
    if ENABLED:
        log.info("stage=%s ctr=%s ms=%.2f", name, ctr_id[:12], ms)
