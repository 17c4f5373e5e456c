"""Fixtures for the network engine: a throwaway NetworkManager with names of its own."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from native_runtime.network import Naming, NetworkManager
from tests.conftest import require
from tests.native_network.nstools import iptables_lines, link_names


def leftovers(naming: Naming, run_dir: Path) -> list[str]:
    """Every link, chain, jump or namespace file of `naming` still on the host."""
    found = [f"link {n}" for n in link_names() if naming.owns_link(n)]
    for table in ("filter", "nat"):
        found += [
            f"{table}: {line}"
            for line in iptables_lines("-t", table, "-S")
            if naming.chain_prefix + "-" in line
        ]
    netns_dir = run_dir / "netns"
    if netns_dir.exists():
        found += [f"netns {p}" for p in netns_dir.iterdir()]
    return found


def _tools_ready() -> bool:
    tools = ("iptables", "iptables-restore", "nsenter", "busybox", "ip")
    return os.geteuid() == 0 and all(shutil.which(t) for t in tools)


def remove_run_dir(run_dir: Path) -> None:
    netns_dir = run_dir / "netns"
    if netns_dir.exists():
        # pyroute2 made the folder a shared bind mount, as `ip netns add` does.
        subprocess.run(["umount", str(netns_dir)], capture_output=True)
    shutil.rmtree(run_dir, ignore_errors=True)


@pytest.fixture
async def manager(tmp_path: Path) -> AsyncIterator[NetworkManager]:
    """A started manager; afterwards it is torn down and nothing of it may be left."""
    require(_tools_ready(), "network tests need root, iptables, nsenter, busybox and ip")
    tag = secrets.token_hex(2)
    naming = Naming.tagged(tag)
    run_dir = Path(f"/run/dyt-{tag}")
    mgr = NetworkManager(tmp_path / "state", run_dir=run_dir, naming=naming, upstreams=[])
    try:
        await mgr.start()
        yield mgr
    finally:
        await mgr.teardown_all()
        left = leftovers(naming, run_dir)
        remove_run_dir(run_dir)
        mgr.store.close()
        assert not left, f"left behind: {left}"
