"""dockerd's checks of a container's limits at create, in its words (all 400s)."""

from __future__ import annotations

import os
import re

from native_runtime.api.schema import HostConfig, Mount
from native_runtime.errors import BadParameter

MIN_MEMORY = 6 * 1024 * 1024
RESTART_POLICIES = ("", "no", "always", "unless-stopped", "on-failure")
MOUNT_TYPES = ("bind", "volume", "tmpfs", "npipe")
_CPUSET = re.compile(r"^\d+(-\d+)?(,\d+(-\d+)?)*$")


def _memory(host: HostConfig) -> None:
    memory = host.memory or 0
    if memory and memory < MIN_MEMORY:
        raise BadParameter("Minimum memory limit allowed is 6MB")
    swap = host.memory_swap or 0
    if swap > 0 and not memory:
        raise BadParameter(
            "You should always set the Memory limit when using Memoryswap limit, see usage"
        )
    if memory and swap > 0 and swap < memory:
        raise BadParameter("Minimum memoryswap limit should be larger than memory limit, see usage")
    swappiness = host.memory_swappiness
    if swappiness is not None and swappiness != -1 and not 0 <= swappiness <= 100:
        raise BadParameter(f"Invalid value: {swappiness}, valid memory swappiness range is 0-100")
    if host.memory_reservation and host.memory_reservation < MIN_MEMORY:
        raise BadParameter("Minimum memory reservation allowed is 6MB")
    if host.kernel_memory and host.kernel_memory < MIN_MEMORY:
        raise BadParameter("Minimum kernel memory limit allowed is 6MB")
    if host.oom_score_adj is not None and not -1000 <= host.oom_score_adj <= 1000:
        raise BadParameter(
            f"Invalid value {host.oom_score_adj}, range for oom score adj is [-1000, 1000]"
        )
    if (host.shm_size or 0) < 0:
        raise BadParameter("SHM size can not be less than 0")


def _cpu(host: HostConfig) -> None:
    period = host.cpu_period or 0
    if period and not 1000 <= period <= 1_000_000:
        raise BadParameter(
            "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)"
        )
    if host.cpu_quota and 0 < host.cpu_quota < 1000:
        raise BadParameter("CPU cfs quota can not be less than 1ms (i.e. 1000)")
    cpus = os.cpu_count() or 1
    nano = host.nano_cpus or 0
    if nano and not 10_000_000 <= nano <= cpus * 1_000_000_000:
        raise BadParameter(
            f"Range of CPUs is from 0.01 to {cpus:.2f}, as there are only {cpus} CPUs available"
        )
    for name, value in (("cpus", host.cpuset_cpus), ("mems", host.cpuset_mems)):
        if value and not _CPUSET.match(value):
            raise BadParameter(f"Invalid value {value} for cpuset {name}: invalid format: {value}")


def _restart(host: HostConfig) -> None:
    policy = host.restart_policy
    if policy is None:
        return
    name = policy.name or ""
    if name not in RESTART_POLICIES:
        raise BadParameter(f"invalid restart policy '{name}'")
    retries = policy.maximum_retry_count or 0
    if retries < 0:
        raise BadParameter("maximum retry count cannot be negative")
    if retries and name != "on-failure":
        raise BadParameter(f"maximum retry count cannot be used with restart policy '{name}'")


def _mount(mount: Mount) -> None:
    kind = mount.type or ""
    if kind not in MOUNT_TYPES:
        raise BadParameter(f'invalid mount config for type "{kind}": mount type unknown')
    source = mount.source or ""
    if kind == "bind" and not source.startswith("/"):
        raise BadParameter(
            f'invalid mount config for type "bind": invalid mount path: '
            f"'{source}' mount path must be absolute"
        )
    target = mount.target or ""
    if not target.startswith("/"):
        raise BadParameter(
            f'invalid mount config for type "{kind}": invalid mount path: '
            f"'{target}' mount path must be absolute"
        )


def host_config(host: HostConfig | None) -> None:
    """What dockerd's verifyContainerSettings refuses before anything is stored."""
    if host is None:
        return
    _memory(host)
    _cpu(host)
    _restart(host)
    for mount in host.mounts or []:
        _mount(mount)
    for path in host.tmpfs or {}:
        if not path.startswith("/"):
            raise BadParameter(f"invalid mount path: '{path}' mount path must be absolute")
    if host.cgroupns_mode and host.cgroupns_mode not in ("private", "host"):
        raise BadParameter(f"invalid cgroup namespace mode: {host.cgroupns_mode}")
    for entry in host.extra_hosts or []:
        if ":" not in entry:
            raise BadParameter(f'bad format for add-host: "{entry}"')
    if host.isolation and host.isolation != "default":
        raise BadParameter(
            f"Invalid isolation: \"{host.isolation}\" - linux only supports 'default'"
        )
