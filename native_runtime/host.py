"""What this host offers containers: its cgroup version and the OCI runtimes to ask for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from native_runtime.errors import BadParameter
from native_runtime.paths import RUNC

DEFAULT_RUNTIME = "runc"
RUNTIMES = {DEFAULT_RUNTIME: RUNC}


def cgroup_version(root: Path = Path("/sys/fs/cgroup")) -> str:
    """ "2" where the unified hierarchy is mounted at the root, else "1" (hybrid hosts too)."""
    return "2" if (root / "cgroup.controllers").exists() else "1"


def runtimes_view() -> dict[str, dict[str, str]]:
    """`Runtimes` of /info, each with the binary it runs."""
    return {name: {"path": path} for name, path in RUNTIMES.items()}


def check_runtime(host_config: dict[str, Any]) -> None:
    """`--runtime`: one the engine has, or none (inspect then leaves it out, as dockerd does)."""
    name = host_config.get("Runtime")
    if name and name not in RUNTIMES:
        raise BadParameter(f"Unknown runtime specified {name}")
