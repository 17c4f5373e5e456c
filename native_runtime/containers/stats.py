"""Resource usage in Docker's stats JSON shape, read from cgroup v1 or v2 files."""

from __future__ import annotations

import contextlib
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from native_runtime.containers.model import Container

CGROUP_ROOT = Path("/sys/fs/cgroup")
NANOS_PER_TICK = 1_000_000_000 // os.sysconf("SC_CLK_TCK")
UNLIMITED = 1 << 62


def _read_int(path: Path, default: int = 0) -> int:
    try:
        text = path.read_text().strip()
    except OSError:
        return default
    if text == "max":
        return default
    try:
        return int(text.split()[0])
    except (ValueError, IndexError):
        return default


def _read_kv(path: Path) -> dict[str, int]:
    out: dict[str, int] = {}
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return out
    for line in lines:
        key, _, value = line.partition(" ")
        if value.strip().lstrip("-").isdigit():
            out[key] = int(value)
    return out


def system_cpu_usage() -> int:
    """Host CPU time in nanoseconds, Docker's denominator for the CPU percentage."""
    with open("/proc/stat") as f:
        fields = f.readline().split()[1:8]
    return sum(int(v) for v in fields) * NANOS_PER_TICK


def is_unified() -> bool:
    return (CGROUP_ROOT / "cgroup.controllers").exists()


def _v1(ctr: Container) -> dict[str, Any]:
    rel = f"dockyard/{ctr.id}"
    cpuacct = CGROUP_ROOT / "cpuacct" / rel
    memory = CGROUP_ROOT / "memory" / rel
    pids = CGROUP_ROOT / "pids" / rel
    percpu: list[int] = []
    with contextlib.suppress(OSError):
        percpu = [int(v) for v in (cpuacct / "cpuacct.usage_percpu").read_text().split()]
    cpu_stat = _read_kv(cpuacct / "cpuacct.stat")
    mem_stat = _read_kv(memory / "memory.stat")
    throttle = _read_kv(CGROUP_ROOT / "cpu" / rel / "cpu.stat")
    limit = _read_int(memory / "memory.limit_in_bytes", UNLIMITED)
    return {
        "cpu_usage": {
            "total_usage": _read_int(cpuacct / "cpuacct.usage"),
            "percpu_usage": percpu,
            "usage_in_kernelmode": cpu_stat.get("system", 0) * NANOS_PER_TICK,
            "usage_in_usermode": cpu_stat.get("user", 0) * NANOS_PER_TICK,
        },
        "throttling_data": {
            "periods": throttle.get("nr_periods", 0),
            "throttled_periods": throttle.get("nr_throttled", 0),
            "throttled_time": throttle.get("throttled_time", 0),
        },
        "memory": {
            "usage": _read_int(memory / "memory.usage_in_bytes"),
            "max_usage": _read_int(memory / "memory.max_usage_in_bytes"),
            "failcnt": _read_int(memory / "memory.failcnt"),
            "stats": mem_stat,
            "limit": min(limit, _host_memory()),
        },
        "pids": {
            "current": _read_int(pids / "pids.current"),
            "limit": _read_int(pids / "pids.max", 0),
        },
    }


def _v2(ctr: Container) -> dict[str, Any]:
    group = CGROUP_ROOT / "dockyard" / ctr.id
    cpu_stat = _read_kv(group / "cpu.stat")
    mem_stat = _read_kv(group / "memory.stat")
    limit = _read_int(group / "memory.max", UNLIMITED)
    return {
        "cpu_usage": {
            "total_usage": cpu_stat.get("usage_usec", 0) * 1000,
            "usage_in_kernelmode": cpu_stat.get("system_usec", 0) * 1000,
            "usage_in_usermode": cpu_stat.get("user_usec", 0) * 1000,
        },
        "throttling_data": {
            "periods": cpu_stat.get("nr_periods", 0),
            "throttled_periods": cpu_stat.get("nr_throttled", 0),
            "throttled_time": cpu_stat.get("throttled_usec", 0) * 1000,
        },
        "memory": {
            "usage": _read_int(group / "memory.current"),
            "stats": mem_stat,
            "limit": min(limit, _host_memory()),
        },
        "pids": {
            "current": _read_int(group / "pids.current"),
            "limit": _read_int(group / "pids.max", 0),
        },
    }


# /proc/<pid>/net/dev columns after the interface name, in order.
_DEV_FIELDS = ("rx_bytes", "rx_packets", "rx_errors", "rx_dropped")
_TX_FIELDS = ("tx_bytes", "tx_packets", "tx_errors", "tx_dropped")


def networks(pid: int) -> dict[str, dict[str, int]]:
    """Per-interface counters seen from inside the container's network namespace.

    /proc/<pid>/net/dev is the namespace of that process, so this works the same for
    a bridge, a user network or `container:X`; loopback is left out, as Docker does.
    """
    try:
        lines = Path(f"/proc/{pid}/net/dev").read_text().splitlines()[2:]
    except OSError:
        return {}
    out: dict[str, dict[str, int]] = {}
    for line in lines:
        name, _, rest = line.partition(":")
        name = name.strip()
        values = rest.split()
        if name == "lo" or len(values) < 12:
            continue
        rx = dict(zip(_DEV_FIELDS, (int(v) for v in values[0:4]), strict=True))
        tx = dict(zip(_TX_FIELDS, (int(v) for v in values[8:12]), strict=True))
        out[name] = rx | tx
    return out


def _host_memory() -> int:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def sample(ctr: Container) -> dict[str, Any]:
    """One reading; `precpu_stats` is filled by the caller from the previous one."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if not ctr.running:
        empty: dict[str, Any] = {"cpu_usage": {"total_usage": 0}, "throttling_data": {}}
        return {
            "read": "0001-01-01T00:00:00Z",
            "preread": "0001-01-01T00:00:00Z",
            "id": ctr.id,
            "name": "/" + ctr.name,
            "num_procs": 0,
            "pids_stats": {},
            "blkio_stats": {},
            "cpu_stats": empty,
            "precpu_stats": empty,
            "memory_stats": {},
            "storage_stats": {},
        }
    raw = _v2(ctr) if is_unified() else _v1(ctr)
    cpu = {
        "cpu_usage": raw["cpu_usage"],
        "system_cpu_usage": system_cpu_usage(),
        "online_cpus": os.cpu_count() or 1,
        "throttling_data": raw["throttling_data"],
    }
    doc: dict[str, Any] = {
        "read": now,
        "preread": "0001-01-01T00:00:00Z",
        "id": ctr.id,
        "name": "/" + ctr.name,
        "num_procs": 0,
        "pids_stats": raw["pids"],
        "blkio_stats": {
            "io_service_bytes_recursive": None,
            "io_serviced_recursive": None,
        },
        "storage_stats": {},
        "cpu_stats": cpu,
        "precpu_stats": {"cpu_usage": {"total_usage": 0}, "throttling_data": {}},
        "memory_stats": raw["memory"],
    }
    # Docker omits the key for --net host, whose counters are the host's own.
    if ctr.host_config.get("NetworkMode") != "host":
        doc["networks"] = networks(ctr.state.pid)
    return doc


def with_previous(current: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    if previous is not None:
        current["precpu_stats"] = previous["cpu_stats"]
        current["preread"] = previous["read"]
    return current
