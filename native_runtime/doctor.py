"""`python -m native_runtime doctor`: what the native engine needs from this host, one line each."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from native_runtime.containers.init_process import DEFAULT_BINARY as TINI
from native_runtime.containers.stats import CGROUP_ROOT, is_unified
from native_runtime.paths import CONMON, RUNC


@dataclass(frozen=True)
class Finding:
    """One check: its name, whether it passed, what was seen or what to do, and whether the
    engine cannot work without it."""

    name: str
    ok: bool
    detail: str
    essential: bool = True

    def line(self) -> str:
        mark = "ok  " if self.ok else ("FIX " if self.essential else "warn")
        return f"{mark}  {self.name}: {self.detail}"


def _filesystems() -> str:
    try:
        return Path("/proc/filesystems").read_text()
    except OSError:
        return ""


def _kernel_module(name: str) -> bool:
    """Built in or loaded (/sys/module), or available to load (modules.builtin/.ko)."""
    if Path("/sys/module", name).exists():
        return True
    release = Path("/lib/modules", platform.release())
    try:
        builtin = (release / "modules.builtin").read_text()
    except OSError:
        builtin = ""
    return f"/{name}.ko" in builtin or any(release.glob(f"kernel/**/{name}.ko*"))


def veth_works() -> bool:
    """A veth pair made in a throwaway network namespace (gone when `unshare` exits); without
    root, whether the driver is there at all."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return _kernel_module("veth")
    made = subprocess.run(
        [
            "unshare",
            "--net",
            "ip",
            "link",
            "add",
            "dy-doctor0",
            "type",
            "veth",
            "peer",
            "dy-doctor1",
        ],
        capture_output=True,
        timeout=10,
        check=False,
    )
    return made.returncode == 0


def cgroup_layout() -> str:
    if is_unified():
        return "v2"
    if (CGROUP_ROOT / "unified").is_dir():
        return "hybrid"
    return "v1" if (CGROUP_ROOT / "memory").is_dir() else "none"


def _binary(name: str, path: str, package: str, essential: bool = True) -> Finding:
    found = path if os.access(path, os.X_OK) else shutil.which(Path(path).name)
    if found:
        return Finding(name, True, found, essential)
    return Finding(name, False, f"{path} not found: apt-get install {package}", essential)


def findings() -> list[Finding]:
    layout = cgroup_layout()
    veth = veth_works()
    overlay = "\toverlay\n" in _filesystems() or _kernel_module("overlay")
    return [
        Finding(
            "overlayfs",
            overlay,
            "available" if overlay else "the kernel has no overlay filesystem (modprobe overlay)",
        ),
        Finding(
            "network namespaces",
            Path("/proc/self/ns/net").exists(),
            "available" if Path("/proc/self/ns/net").exists() else "a kernel without CONFIG_NET_NS",
        ),
        Finding(
            "veth",
            veth,
            "available" if veth else "cannot make a veth pair (modprobe veth)",
        ),
        Finding(
            "cgroups",
            layout != "none",
            f"{layout} under {CGROUP_ROOT}"
            + (" (runc works here; crun 1.8 refuses hybrid hosts)" if layout == "hybrid" else "")
            if layout != "none"
            else f"nothing mounted on {CGROUP_ROOT}",
        ),
        _binary("runc", RUNC, "runc"),
        _binary("conmon", CONMON, "conmon"),
        _binary("iptables", "/usr/sbin/iptables", "iptables"),
        _binary("tini (for --init)", TINI, "tini", essential=False),
        Finding(
            "root",
            os.geteuid() == 0,
            "yes" if os.geteuid() == 0 else "the native engine's daemon runs as root",
            essential=False,
        ),
    ]


def report() -> int:
    """Print every finding; 1 when something essential is missing."""
    results = findings()
    for finding in results:
        print(finding.line())
    return 1 if any(not f.ok and f.essential for f in results) else 0
