"""runc's record of a container that has stopped, dropped without a `runc delete` process.

For a stopped container `runc delete` removes its cgroup folders and its state folder
(`<runc root>/<id>`), nothing else; a Go process for that costs 10-25 ms of a loaded
machine's CPU at every exit. It is done here only when runc's own rules make it that
simple: the init process is gone, the container had a PID namespace of its own (so
the kernel killed every other process with it) and no poststop hooks. In any other
case, or when a cgroup folder is still busy, the caller runs `runc delete --force`.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path
from typing import Any

import msgspec


class _Namespace(msgspec.Struct):
    type: str = ""
    path: str = ""


class _Config(msgspec.Struct):
    namespaces: list[_Namespace] = msgspec.field(default_factory=list)
    hooks: dict[str, Any] | None = None


class _State(msgspec.Struct):
    """The few fields of runc's state.json (30 KB with its seccomp rules) this needs."""

    init_process_pid: int = 0
    init_process_start: int = 0
    config: _Config = msgspec.field(default_factory=_Config)
    cgroup_paths: dict[str, str] = msgspec.field(default_factory=dict)
    intel_rdt_path: str = ""


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


def _remove_cgroup(path: str) -> bool:
    """Remove a cgroup folder, and the ones below it when there are (rmdir only, as runc)."""
    try:
        os.rmdir(path)
        return True
    except FileNotFoundError:
        return True
    except OSError as exc:
        if exc.errno != errno.EBUSY:
            return False
    try:
        with os.scandir(path) as entries:
            children = [e.path for e in entries if e.is_dir(follow_symlinks=False)]
    except OSError:
        return False
    if not children or not all(_remove_cgroup(child) for child in children):
        return False
    try:
        os.rmdir(path)
    except OSError:
        return False
    return True


def forget_stopped(runc_root: Path, ctr_id: str) -> bool:
    """Drop a stopped container's cgroups and runc record; False when `runc delete` must."""
    folder = runc_root / ctr_id
    try:
        state = msgspec.json.decode((folder / "state.json").read_bytes(), type=_State)
    except FileNotFoundError:
        return not folder.exists()
    except (OSError, msgspec.DecodeError):
        return False
    own_pid_namespace = any(ns.type == "NEWPID" and not ns.path for ns in state.config.namespaces)
    if (
        _init_alive(state.init_process_pid, state.init_process_start)
        or not own_pid_namespace
        or (state.config.hooks or {}).get("poststop")
        or state.intel_rdt_path
    ):
        return False
    if not all(_remove_cgroup(p) for p in state.cgroup_paths.values()):
        return False
    shutil.rmtree(folder, ignore_errors=True)
    return not folder.exists()
