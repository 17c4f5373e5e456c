"""`docker top`: the container's processes, found through its cgroup."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import psutil

from native_runtime.containers.model import Container, can_kill
from native_runtime.containers.stats import CGROUP_ROOT, is_unified

TITLES = ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"]


def container_pids(ctr: Container) -> list[int]:
    if is_unified():
        procs = CGROUP_ROOT / "dockyard" / ctr.id / "cgroup.procs"
    else:
        procs = CGROUP_ROOT / "pids" / "dockyard" / ctr.id / "cgroup.procs"
    try:
        return sorted(int(p) for p in Path(procs).read_text().split())
    except OSError:
        return [ctr.state.pid] if ctr.state.pid else []


def _row(pid: int) -> list[str] | None:
    try:
        proc = psutil.Process(pid)
        with proc.oneshot():
            times = proc.cpu_times()
            cpu_seconds = int(times.user + times.system)
            cmd = " ".join(proc.cmdline()) or f"[{proc.name()}]"
            return [
                str(proc.uids().real),
                str(pid),
                str(proc.ppid()),
                str(int(proc.cpu_percent(interval=None))),
                time.strftime("%H:%M", time.localtime(proc.create_time())),
                (proc.terminal() or "?").removeprefix("/dev/"),
                time.strftime("%H:%M:%S", time.gmtime(cpu_seconds)),
                cmd,
            ]
    except psutil.Error:
        return None


def top(ctr: Container) -> dict[str, Any]:
    can_kill(ctr)  # same guard: only a running container has processes
    rows = [r for r in (_row(pid) for pid in container_pids(ctr)) if r is not None]
    return {"Titles": TITLES, "Processes": rows}
