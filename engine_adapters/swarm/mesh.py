"""Whether a swarm's routing mesh can forward: ingress ports and VIPs need the kernel's ip_vs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class MeshSupport:
    """`ip_vs` is None when the engine's kernel cannot be read from here (a remote engine)."""

    ip_vs: bool | None

    @property
    def note(self) -> str:
        if self.ip_vs is None:
            return (
                "routing mesh: needs ip_vs in every node's kernel (not checked for a remote "
                "engine); without it only mode: host ports and endpoint_mode: dnsrr work"
            )
        if self.ip_vs:
            return "routing mesh: ip_vs present, ingress ports answer on every node"
        return (
            "routing mesh: this kernel has no ip_vs, so ingress ports and VIPs do not forward; "
            "mode: host ports (on their task's node) and endpoint_mode: dnsrr work"
        )


def kernel_has_ip_vs(proc: Path = Path("/proc"), modules: Path = Path("/lib/modules")) -> bool:
    """Loaded (`/proc/net/ip_vs`), or a module the kernel could load on the first use."""
    if (proc / "net" / "ip_vs").exists():
        return True
    release = os.uname().release
    tree = modules / release / "kernel" / "net" / "netfilter" / "ipvs"
    if tree.is_dir() and any(entry.name.startswith("ip_vs.ko") for entry in tree.iterdir()):
        return True
    builtin = modules / release / "modules.builtin"
    try:
        return "/ip_vs.ko" in builtin.read_text()
    except OSError:
        return False


def mesh_support(endpoint: str) -> MeshSupport:
    """A local engine (a unix socket) runs on this kernel: its ip_vs can be checked here."""
    if endpoint.startswith("unix://") or endpoint.startswith("/"):
        return MeshSupport(kernel_has_ip_vs())
    return MeshSupport(None)
