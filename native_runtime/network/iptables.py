"""Our iptables chains: forwarding, isolation, masquerade and published-port DNAT."""

# The rules are rendered whole from the engine's state and loaded with
# `iptables-restore --noflush`: declaring a chain there flushes and refills only that
# chain, in one atomic transaction per table, so dockerd's chains are never touched and
# traffic never sees a half-written rule set. Our chains are reached by one jump inserted
# at the top of each built-in chain.

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass

from native_runtime.network.errors import NetworkSetupError
from native_runtime.network.model import Naming

IPTABLES = "iptables"
IPTABLES_RESTORE = "iptables-restore"


@dataclass(frozen=True)
class BridgeRule:
    bridge: str
    subnet: str
    internal: bool


@dataclass(frozen=True)
class DnatRule:
    proto: str
    host_ip: str
    host_port: int
    target_ip: str
    container_port: int
    bridge: str


@dataclass(frozen=True)
class Chains:
    forward: str
    isolation: str
    dnat: str
    nat: str

    @classmethod
    def of(cls, naming: Naming) -> Chains:
        p = naming.chain_prefix
        return cls(f"{p}-FORWARD", f"{p}-ISOLATION", f"{p}-DNAT", f"{p}-NAT")

    def jumps(self) -> list[tuple[str, str, list[str]]]:
        """(table, built-in chain, rule spec) for each jump into our chains."""
        local = ["-m", "addrtype", "--dst-type", "LOCAL"]
        return [
            ("filter", "FORWARD", ["-j", self.forward]),
            ("nat", "PREROUTING", [*local, "-j", self.dnat]),
            ("nat", "OUTPUT", ["!", "-d", "127.0.0.0/8", *local, "-j", self.dnat]),
            ("nat", "POSTROUTING", ["-j", self.nat]),
        ]


def render_filter(chains: Chains, bridges: list[BridgeRule], dnats: list[DnatRule]) -> str:
    f, iso = chains.forward, chains.isolation
    lines = ["*filter", f":{f} - [0:0]", f":{iso} - [0:0]"]
    # Stage one: anything entering from one of our bridges and leaving by another
    # interface is checked against every bridge of ours in the isolation chain.
    lines += [f"-A {f} -i {b.bridge} ! -o {b.bridge} -j {iso}" for b in bridges]
    # A published port is public: DNAT'd connections may cross networks.
    lines.append(f"-A {iso} -m conntrack --ctstate DNAT -j RETURN")
    lines += [f"-A {iso} -o {b.bridge} -j DROP" for b in bridges]
    for b in bridges:
        br = b.bridge
        lines.append(f"-A {f} -i {br} -o {br} -j ACCEPT")
        if b.internal:
            lines.append(f"-A {f} -i {br} ! -o {br} -j DROP")
            lines.append(f"-A {f} -o {br} ! -i {br} -j DROP")
            continue
        lines.append(f"-A {f} -o {br} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT")
        lines.append(f"-A {f} -i {br} ! -o {br} -j ACCEPT")
    for d in dnats:
        lines.append(
            f"-A {f} -d {d.target_ip}/32 ! -i {d.bridge} -o {d.bridge} -p {d.proto}"
            f" -m {d.proto} --dport {d.container_port} -j ACCEPT"
        )
    lines.append("COMMIT")
    return "\n".join(lines) + "\n"


def render_nat(chains: Chains, bridges: list[BridgeRule], dnats: list[DnatRule]) -> str:
    lines = ["*nat", f":{chains.dnat} - [0:0]", f":{chains.nat} - [0:0]"]
    for b in bridges:
        if not b.internal:
            lines.append(f"-A {chains.nat} -s {b.subnet} ! -o {b.bridge} -j MASQUERADE")
    for d in dnats:
        if d.host_ip.startswith("127."):
            continue  # loopback is served by the userland proxy alone
        dest = "" if d.host_ip in ("", "0.0.0.0") else f"-d {d.host_ip}/32 "
        lines.append(
            f"-A {chains.dnat} {dest}! -i {d.bridge} -p {d.proto} -m {d.proto}"
            f" --dport {d.host_port} -j DNAT --to-destination {d.target_ip}:{d.container_port}"
        )
    lines.append("COMMIT")
    return "\n".join(lines) + "\n"


def _run(args: list[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, input=stdin, capture_output=True, text=True, check=False)


def _restore(text: str) -> None:
    # iptables-nft may lose a race with dockerd's own updates; a retry settles it.
    for attempt in range(8):
        done = _run([IPTABLES_RESTORE, "-w", "--noflush"], text)
        if done.returncode == 0:
            return
        time.sleep(0.05 * (attempt + 1))
    raise NetworkSetupError(f"iptables-restore failed: {done.stderr.strip()}")


def _ensure_jump(table: str, chain: str, spec: list[str]) -> None:
    if _run([IPTABLES, "-w", "-t", table, "-C", chain, *spec]).returncode == 0:
        return
    done = _run([IPTABLES, "-w", "-t", table, "-I", chain, "1", *spec])
    if done.returncode != 0:
        raise NetworkSetupError(f"iptables: {done.stderr.strip()}")


def apply(
    naming: Naming, bridges: list[BridgeRule], dnats: list[DnatRule], *, jumps: bool = True
) -> None:
    """Make our chains say exactly this, then (if `jumps`) make sure the built-in chains
    jump to them; dockerd never deletes a jump of ours, so once per daemon start will do."""
    chains = Chains.of(naming)
    _restore(render_filter(chains, bridges, dnats))
    _restore(render_nat(chains, bridges, dnats))
    if jumps:
        for table, chain, spec in chains.jumps():
            _ensure_jump(table, chain, spec)


def teardown(naming: Naming) -> None:
    """Remove our jumps and chains; nothing of dockerd's is read or written."""
    chains = Chains.of(naming)
    for table, chain, spec in chains.jumps():
        while _run([IPTABLES, "-w", "-t", table, "-D", chain, *spec]).returncode == 0:
            pass
    for table, names in (
        ("filter", (chains.forward, chains.isolation)),
        ("nat", (chains.dnat, chains.nat)),
    ):
        for name in names:
            _run([IPTABLES, "-w", "-t", table, "-F", name])
        for name in names:
            _run([IPTABLES, "-w", "-t", table, "-X", name])


def chain_names(table: str) -> list[str]:
    """User chains in `table` (tests and cleanup checks use this)."""
    out = _run([IPTABLES, "-w", "-t", table, "-S"]).stdout
    return [line.split()[1] for line in out.splitlines() if line.startswith("-N ")]
