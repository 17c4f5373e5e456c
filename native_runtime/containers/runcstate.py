"""runc's record of a container that has stopped, dropped without a `runc delete` process.

For a stopped container `runc delete` removes its cgroup folders and its state folder
(`<runc root>/<id>`), nothing else; a Go process for that costs 10-25 ms of a loaded
machine's CPU at every exit. It is done here only when runc's own rules make it that
simple: the init process is gone, the container had a PID namespace of its own (so
the kernel killed every other process with it) and no poststop hooks. In any other
case, or when a cgroup folder is still busy, the caller runs `runc delete --force`.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any


def _init_alive(pid: int, start_ticks: int) -> bool:
    """Whether runc's init (by pid and start time, as runc checks) still exists, zombie or not."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return False
    fields = stat[stat.rfind(b")") + 2 :].split()
    # Fields from the third on: state is fields[0], starttime (the 22nd) is fields[19].
    return int(fields[19]) == start_ticks


def _own_pid_namespace(config: dict[str, Any]) -> bool:
    return any(
        ns.get("type") == "NEWPID" and not ns.get("path") for ns in config.get("namespaces") or []
    )


def _remove_cgroup(path: Path) -> bool:
    """Remove a cgroup folder and the ones below it (rmdir only, as runc does)."""
    try:
        children = [p for p in path.iterdir() if p.is_dir()]
    except FileNotFoundError:
        return True
    if not all(_remove_cgroup(child) for child in children):
        return False
    try:
        path.rmdir()
    except FileNotFoundError:
        pass
    except OSError:
        return False
    return True


def forget_stopped(runc_root: Path, ctr_id: str) -> bool:
    """Drop a stopped container's cgroups and runc record; False when `runc delete` must."""
    folder = runc_root / ctr_id
    try:
        state = json.loads((folder / "state.json").read_bytes())
    except FileNotFoundError:
        return not folder.exists()
    except (OSError, ValueError):
        return False
    config = state.get("config") or {}
    pid, start_ticks = (
        int(state.get("init_process_pid") or 0),
        int(state.get("init_process_start") or 0),
    )
    if (
        _init_alive(pid, start_ticks)
        or not _own_pid_namespace(config)
        or (config.get("hooks") or {}).get("poststop")
        or state.get("intel_rdt_path")
    ):
        return False
    paths = (state.get("cgroup_paths") or {}).values()
    if not all(_remove_cgroup(Path(p)) for p in paths):
        return False
    shutil.rmtree(folder, ignore_errors=True)
    return not os.path.exists(folder)
