"""`docker update`: new resource limits and restart policy, applied live to a running container."""

from __future__ import annotations

import json
from typing import Any

from native_runtime.containers import spec
from native_runtime.containers.model import Container
from native_runtime.errors import BadParameter, Conflict
from native_runtime.runtime import Runtime

# What `docker update` may change; dockerd ignores the rest of a HostConfig sent here.
RESOURCES = (
    "Memory", "MemorySwap", "MemoryReservation", "NanoCpus", "CpuShares", "CpuPeriod",
    "CpuQuota", "CpusetCpus", "CpusetMems", "PidsLimit", "BlkioWeight",
)  # fmt: skip


def _changes(ctr: Container, body: dict[str, Any]) -> dict[str, Any]:
    changed = {key: body[key] for key in RESOURCES if body.get(key) not in (None, 0, "")}
    policy = body.get("RestartPolicy") or {}
    if policy.get("Name"):
        if ctr.host_config.get("AutoRemove"):
            raise Conflict(
                "Restart policy cannot be updated because AutoRemove is enabled for the container"
            )
        changed["RestartPolicy"] = {
            "Name": str(policy["Name"]),
            "MaximumRetryCount": int(policy.get("MaximumRetryCount") or 0),
        }
    memory = int(changed.get("Memory", ctr.host_config.get("Memory")) or 0)
    swap = int(changed.get("MemorySwap", ctr.host_config.get("MemorySwap")) or 0)
    if memory and swap > 0 and swap < memory:
        raise BadParameter("Minimum memoryswap limit should be larger than memory limit, see usage")
    return changed


async def update(rt: Runtime, ctr: Container, body: dict[str, Any]) -> list[str]:
    """Record the new values; a running container gets them through `runc update` first."""
    async with rt.lock(ctr):
        changed = _changes(ctr, body)
        host_config = ctr.host_config | changed
        if ctr.running:
            limits = spec.resources(host_config)
            limits.pop("devices", None)  # unchanged, and runc would rewrite the device rules
            path = rt.dirs(ctr).bundle / "update.json"
            path.write_text(json.dumps(limits))
            code, err = await rt.runc("update", "--resources", str(path), ctr.id)
            path.unlink(missing_ok=True)
            if code != 0:
                raise Conflict(f"Cannot update container {ctr.id}: {err}")
        ctr.host_config = host_config
        rt.containers.save(ctr)
        rt.event(ctr, "update")
    return []
