"""`started_rig()`: scripts/swarm-rig.sh as a context manager, for scripts that need a swarm."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

RIG = Path(__file__).resolve().parent / "swarm-rig.sh"
TOOLS = ("dockerd", "docker", "docker-registry", "nsenter", "unshare", "ip", "iptables")


class RigUnavailable(Exception):
    """Why no rig can run here, in one line."""


@contextmanager
def started_rig() -> Iterator[dict[str, str]]:
    """The rig's rig.env (NODE1_SOCKET is the leader); everything is removed on the way out."""
    if os.geteuid() != 0:
        raise RigUnavailable("the swarm rig needs root (network namespaces)")
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        raise RigUnavailable(f"missing {', '.join(missing)}")
    base = tempfile.mkdtemp(prefix="dockyard-swarm.")
    folder = os.path.join(base, "rig")
    try:
        up = subprocess.run([str(RIG), "start", folder], capture_output=True, text=True)
        try:
            if up.returncode != 0:
                last = (up.stderr.strip().splitlines() or ["no reason given"])[-1]
                raise RigUnavailable(f"the swarm rig did not start: {last}")
            lines = Path(folder, "rig.env").read_text().splitlines()
            yield dict(line.split("=", 1) for line in lines if "=" in line)
        finally:
            down = subprocess.run([str(RIG), "stop", folder], capture_output=True, text=True)
            if down.returncode != 0:
                print(f"the swarm rig's stop failed: {down.stderr.strip()}")
    finally:
        shutil.rmtree(base, ignore_errors=True)
