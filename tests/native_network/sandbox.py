"""Stand-in containers: a prepared plan plus an attached namespace, no process inside."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from native_runtime.network import NetworkManager, SandboxFiles


@dataclass(frozen=True)
class FakeContainer:
    id: str
    name: str
    files: SandboxFiles

    @property
    def netns(self) -> str:
        assert self.files.netns_path is not None
        return self.files.netns_path


async def run(
    mgr: NetworkManager,
    name: str,
    network: str = "default",
    networking: dict[str, Any] | None = None,
    exposed: dict[str, Any] | None = None,
    **host_config: Any,
) -> FakeContainer:
    """`docker run --name NAME --net NETWORK ...` minus the process: prepare, then attach."""
    cid = secrets.token_hex(32)
    mgr.prepare(cid, name, {"NetworkMode": network, **host_config}, networking, exposed)
    return FakeContainer(cid, name, await mgr.attach(cid))


def ip_of(mgr: NetworkManager, ctr: FakeContainer, network: str) -> str:
    net = mgr.find(network)
    for ep in mgr.store.endpoints_of(ctr.id):
        if ep.network_id == net.id:
            return ep.ip
    raise AssertionError(f"{ctr.name} has no address on {network}")
