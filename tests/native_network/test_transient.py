"""A build step's sandbox (a transient plan) never outlives a daemon restart."""

from __future__ import annotations

import secrets
from pathlib import Path

from native_runtime.network import NetworkManager
from tests.native_network.nstools import link_names


async def test_a_restart_drops_the_sandbox_of_an_unfinished_build_step(
    manager: NetworkManager,
) -> None:
    step = secrets.token_hex(32)
    manager.prepare(step, f"build-{step[:12]}", {"NetworkMode": "bridge"}, transient=True)
    files = await manager.attach(step)
    assert files.netns_path is not None and Path(files.netns_path).exists()
    veth = manager.store.endpoints_of(step)[0].veth
    assert veth in link_names()
    await manager.start()  # as a daemon that was killed during the step starts again
    assert manager.store.plan(step) is None
    assert manager.store.sandbox(step) is None
    assert veth not in link_names()
    assert not Path(files.netns_path).exists()
