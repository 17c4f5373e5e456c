"""What this host offers containers: its cgroup version and the OCI runtimes to ask for."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime
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


def _flag(path: str) -> bool:
    try:
        return Path(path).read_text().strip() == "1"
    except OSError:
        return False


def limits_and_state() -> dict[str, Any]:
    """The /info fields dockerd derives from the host and its own process."""
    cgroup = Path("/sys/fs/cgroup")
    unified = cgroup_version() == "2"
    memory = unified or (cgroup / "memory").is_dir()
    return {
        "Debug": False,
        "NFd": len(os.listdir("/proc/self/fd")),
        "NGoroutines": threading.active_count(),
        "SystemTime": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "MemoryLimit": memory,
        "SwapLimit": unified or (cgroup / "memory/memory.memsw.limit_in_bytes").exists(),
        "KernelMemory": False,
        "CpuCfsPeriod": True,
        "CpuCfsQuota": True,
        "CPUShares": True,
        "CPUSet": unified or (cgroup / "cpuset").is_dir(),
        "PidsLimit": unified or (cgroup / "pids").is_dir(),
        "OomKillDisable": not unified and memory,
        "IPv4Forwarding": _flag("/proc/sys/net/ipv4/ip_forward"),
        "BridgeNfIptables": _flag("/proc/sys/net/bridge/bridge-nf-call-iptables"),
        "BridgeNfIp6tables": _flag("/proc/sys/net/bridge/bridge-nf-call-ip6tables"),
        "ExperimentalBuild": False,
        "HttpProxy": os.environ.get("HTTP_PROXY", ""),
        "HttpsProxy": os.environ.get("HTTPS_PROXY", ""),
        "NoProxy": os.environ.get("NO_PROXY", ""),
    }
