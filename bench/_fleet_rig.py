"""The fleet's other two engines for the fleet bench and screenshots: a throwaway native
daemon (started, given the test image from dockerd, removed) and the test rig's Podman."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

from engine_adapters import NativeEngine

DOCKERD = "unix:///var/run/docker.sock"
IMAGE = "dockyard-test/busybox:latest"


def rig_podman() -> str | None:
    """The Podman API socket scripts/test-rig.sh runs, if it runs one."""
    rig = os.environ.get("DOCKYARD_RIG_DIR")
    path = Path(rig, "podman", "podman.sock") if rig else None
    return f"unix://{path}" if path is not None and path.exists() else None


async def start_native(root: Path) -> NativeEngine:
    """A daemon of our own under `root`, with tagged bridge names so it stays apart from any
    other, and the test image saved from dockerd."""
    os.environ["DOCKYARD_NET_TAG"] = secrets.token_hex(2)
    engine = NativeEngine(socket_path=str(root / "n.sock"), data_root=str(root / "data"))
    await engine.ensure_started()
    saved = subprocess.run(
        ["docker", "-H", DOCKERD, "save", IMAGE], capture_output=True, check=True, timeout=120
    )
    subprocess.run(
        ["docker", "-H", f"unix://{engine.socket_path}", "load"],
        input=saved.stdout,
        capture_output=True,
        check=True,
        timeout=120,
    )
    return engine


def stop_native(engine: NativeEngine, root: Path) -> None:
    """Its containers must be gone first: the daemon's own stop then removes its networks."""
    command = [sys.executable, "-m", "tui.cli", "engine", "stop"]
    subprocess.run(
        [*command, "--socket", engine.socket_path, "--data-root", engine.data_root],
        capture_output=True,
        check=False,
        timeout=60,
    )
    shutil.rmtree(root, ignore_errors=True)
