"""`--privileged`: every capability the daemon holds, every host device, no confinement."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

from native_runtime.containers import devices

# Capability names by kernel number (bit n of a capability mask).
KERNEL_ORDER = [
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
    "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
    "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
    "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
]  # fmt: skip

# runc's own list of /dev folders that hold no devices a container should get.
SKIPPED_DIRS = frozenset({"pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev"})
FULL_UID_MAP = ["0", "0", "4294967295"]


def bounding_set(status: str) -> int:
    """The CapBnd mask from a /proc/<pid>/status text."""
    for line in status.splitlines():
        key, _, value = line.partition(":")
        if key == "CapBnd":
            return int(value.strip(), 16)
    return 0


@functools.cache
def capabilities() -> list[str]:
    """Every capability in the daemon's own bounding set.

    Asking runc for one the daemon lacks fails the start ("unable to apply caps"),
    which is what Docker 20.10 does inside a restricted host; newer dockerd keeps to
    the daemon's bounding set, and so do we.
    """
    mask = bounding_set(Path("/proc/self/status").read_text())
    return [name for bit, name in enumerate(KERNEL_ORDER) if mask >> bit & 1]


def _in_user_namespace() -> bool:
    try:
        return Path("/proc/self/uid_map").read_text().split() != FULL_UID_MAP
    except OSError:
        return False


def takes_host_devices(host_config: dict[str, Any]) -> bool:
    """--privileged outside a user namespace: every host device, so --device adds nothing."""
    return bool(host_config.get("Privileged")) and not _in_user_namespace()


def host_devices(folder: str = "/dev") -> list[dict[str, Any]]:
    """Every character and block device under `folder`, as OCI `linux.devices` entries."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return []
    found: list[dict[str, Any]] = []
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if entry.name not in SKIPPED_DIRS:
                found += host_devices(entry.path)
            continue
        if entry.name == "console":
            continue  # the container gets its own console (or none)
        try:
            node = devices.entry(entry.path, entry.stat(follow_symlinks=False))
        except OSError:
            continue  # gone since the listing
        if node is not None:
            found.append(node)
    return found


def unconfine(spec: dict[str, Any]) -> None:
    """What dockerd changes in the spec for --privileged (capabilities and seccomp aside).

    No masked or read-only /proc paths, sysfs and the cgroup mount read-write, every
    host device created in /dev and all of them allowed by the devices cgroup. Inside
    a user namespace the host's devices could not be made, so dockerd skips them too.
    """
    linux = spec["linux"]
    linux.pop("maskedPaths", None)
    linux.pop("readonlyPaths", None)
    for mount in spec["mounts"]:
        if mount["type"] in ("sysfs", "cgroup"):
            mount["options"] = [o for o in mount["options"] if o != "ro"]
    if not _in_user_namespace():
        linux["devices"] = host_devices()
    linux["resources"]["devices"] = [{"allow": True, "access": "rwm"}]
