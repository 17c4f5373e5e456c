"""`docker rename`: a new unique name, the id stays."""

from __future__ import annotations

from native_runtime.containers.create import check_name
from native_runtime.containers.model import Container
from native_runtime.runtime import Runtime


async def rename(rt: Runtime, ctr: Container, new_name: str) -> None:
    old = ctr.name
    ctr.name = check_name(rt, new_name)
    rt.containers.save(ctr)
    rt.networks.rename(ctr.id, ctr.name)
    rt.event(ctr, "rename", oldName="/" + old)
