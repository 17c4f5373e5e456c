"""`docker rm --link PARENT/ALIAS`: drop a legacy link, leaving both containers in place."""

from __future__ import annotations

from native_runtime.containers.model import Container
from native_runtime.network.core import parse_link
from native_runtime.runtime import Runtime


async def unlink(rt: Runtime, ctr: Container, alias: str) -> None:
    async with rt.lock(ctr):
        rt.networks.remove_link(ctr.id, alias)
        links = ctr.host_config.get("Links") or []
        ctr.host_config["Links"] = [e for e in links if parse_link(str(e))[1] != alias] or None
        rt.containers.save(ctr)
