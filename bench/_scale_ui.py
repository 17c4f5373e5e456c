"""The UI's figures on one engine for scale.py: launch, keystroke, CPU, RSS, terminal bytes."""

from __future__ import annotations

import contextlib
import math
import os
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass

import psutil
from ui_bench import PtyApp, engine_cpu, keystrokes, launch_times


@dataclass(frozen=True)
class UiFigures:
    launch: float
    key_median: float
    key_p90: float
    list_cpu: float
    list_app_cpu: float
    dash_cpu: float
    rss: float
    list_kib: float
    dash_kib: float
    engine_idle: float  # the engine's own CPU with no UI running, over the same window


def _window(
    app: PtyApp, engine: Callable[[], list[psutil.Process]], seconds: float
) -> tuple[float, float, float]:
    """App CPU %, app + engine CPU % and terminal KiB/s over `seconds`."""
    others = engine()
    for p in [app.process, *others]:
        with contextlib.suppress(psutil.Error):
            p.cpu_percent(None)
    written = app.drain(seconds)
    mine = app.process.cpu_percent(None)
    theirs = 0.0
    for p in others:
        with contextlib.suppress(psutil.Error):
            theirs += p.cpu_percent(None)
    return mine, mine + theirs, written / seconds / 1024


def ui_figures(
    host: str, needle: str, engine: Callable[[], list[psutil.Process]], seconds: float
) -> UiFigures:
    """The real app on `host` in a pty; `needle` is text the container list shows."""
    argv = [sys.executable, "-m", "tui.cli", "--engine", host]
    idle = engine_cpu(seconds, engine)  # no UI yet: what the list's figure sits on
    launches = launch_times(argv, needle.encode(), 3)
    app = PtyApp(argv, cols=160, rows=48)
    try:
        if app.wait_for(needle.encode(), 60) is None:
            raise SystemExit(f"the UI on {host} never listed {needle}")
        app.drain(3.0)
        keys = sorted(keystrokes(app, 10))
        list_app, list_all, list_kib = _window(app, engine, seconds)
        os.write(app.fd, b"S")
        app.drain(3.0)
        _, dash_all, dash_kib = _window(app, engine, seconds)
        rss = app.process.memory_info().rss / 2**20
    finally:
        app.close()
    return UiFigures(
        launch=statistics.median(launches) if launches else math.nan,
        key_median=statistics.median(keys) if keys else math.nan,
        key_p90=keys[min(len(keys) - 1, int(len(keys) * 0.9))] if keys else math.nan,
        list_cpu=list_all,
        list_app_cpu=list_app,
        dash_cpu=dash_all,
        rss=rss,
        list_kib=list_kib,
        dash_kib=dash_kib,
        engine_idle=idle,
    )
