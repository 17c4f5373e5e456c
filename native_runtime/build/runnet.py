"""The network a RUN step gets: the default bridge as Docker's, or `docker build --network`."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from native_runtime.errors import BadParameter
from native_runtime.runtime import Runtime

HOST = "host"
NONE = "none"
# What the API's `networkmode` may say for Docker's default: the default bridge.
DEFAULT_MODES = ("", "default", "bridge")


@dataclass(frozen=True)
class StepNetwork:
    """What the step's OCI config and /etc files need; `netns_path` None: a fresh one."""

    mode: str
    netns_path: str | None
    resolv_conf: str
    hosts: str


def check_mode(rt: Runtime, mode: str) -> None:
    """Refuse a mode no step could run with, before the build starts."""
    if mode in (*DEFAULT_MODES, HOST, NONE):
        return
    if mode.startswith("container:"):
        raise BadParameter(f"network mode {mode!r} is not supported for builds")
    rt.networks.find(mode)  # NotFound names the network


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


@contextlib.asynccontextmanager
async def step_network(
    rt: Runtime, step_id: str, hostname: str, mode: str
) -> AsyncIterator[StepNetwork]:
    """A sandbox on the chosen network for one RUN; gone afterwards, even when cancelled."""
    if mode == HOST:
        yield StepNetwork(HOST, None, _read("/etc/resolv.conf"), _read("/etc/hosts"))
        return
    if mode == NONE:
        hosts = f"127.0.0.1\tlocalhost\n::1\tlocalhost\n127.0.0.1\t{hostname}\n"
        yield StepNetwork(NONE, None, _read("/etc/resolv.conf"), hosts)
        return
    network = "bridge" if mode in DEFAULT_MODES else mode
    rt.networks.prepare(
        step_id, f"build-{hostname}", {"NetworkMode": network}, hostname=hostname, transient=True
    )
    try:
        files = await rt.networks.attach(step_id)
        yield StepNetwork(network, files.netns_path, files.resolv_conf, files.hosts)
    finally:
        # Shielded: a cancelled build still removes the veth, the namespace and the plan.
        await asyncio.shield(rt.networks.release(step_id))
