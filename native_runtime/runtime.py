"""The daemon's shared state: stores, container records, exit waiters and events."""

from __future__ import annotations

import asyncio
import logging
import os
from collections import defaultdict
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from native_runtime.containers.model import Container, ContainerDirs
from native_runtime.containers.repo import ContainerRepo
from native_runtime.db import Database
from native_runtime.events import EventBus
from native_runtime.execs.session import ExecRegistry
from native_runtime.images.layers import LayerStore
from native_runtime.images.store import ImageStore
from native_runtime.network import Naming, NetworkManager
from native_runtime.paths import RUNC, Paths
from native_runtime.volumes.store import VolumeStore

ExitHook = Callable[["Runtime", str], Awaitable[None]]
log = logging.getLogger("native_runtime.runtime")


async def _unhooked_exit(_rt: Runtime, ctr_id: str) -> None:
    log.warning("container %s exited with no exit hook installed", ctr_id[:12])


class Runtime:
    """One per daemon; verbs receive it and never keep state of their own."""

    def __init__(self, paths: Paths) -> None:
        paths.ensure()
        self.paths = paths
        self.db = Database(paths.db)
        self.layers = LayerStore(paths.layers, paths.tmp, self.db)
        self.images = ImageStore(paths.image_configs, self.db, self.layers)
        self.containers = ContainerRepo(self.db)
        self.volumes = VolumeStore(paths.volumes, self.db)
        self.execs = ExecRegistry()
        self.events = EventBus()
        # A throwaway daemon beside a real one gets tagged names (DOCKYARD_NET_TAG), so
        # the two never share a bridge, a veth prefix or an iptables chain.
        tag = os.environ.get("DOCKYARD_NET_TAG", "")
        self.networks = NetworkManager(
            paths.data_root / "network",
            paths.db,
            run_dir=paths.run_dir,
            naming=Naming.tagged(tag) if tag else None,
        )
        self._exit_waiters: dict[str, list[asyncio.Future[None]]] = defaultdict(list)
        self._remove_waiters: dict[str, list[asyncio.Future[None]]] = defaultdict(list)
        self.background: set[asyncio.Task[None]] = set()
        # Teardowns that run after the client has its answer; a clean stop lets them end.
        self.deferred: set[asyncio.Task[None]] = set()
        self._locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        # What runs when a container's conmon ends; the daemon installs the lifecycle's.
        self.on_exit: ExitHook = _unhooked_exit
        # Attach streams still draining a container's log; auto-remove waits for them.
        self.readers: dict[str, set[asyncio.Future[None]]] = defaultdict(set)

    def dirs(self, ctr: Container) -> ContainerDirs:
        return ContainerDirs(self.paths.containers / ctr.id)

    def lock(self, ctr: Container) -> asyncio.Lock:
        """Serialises lifecycle verbs on one container (start racing stop, say)."""
        return self._locks[ctr.id]

    def volume_users(self, name: str) -> list[str]:
        return [c.id for c in self.containers.all() if any(m.get("Name") == name for m in c.mounts)]

    def next_exit(self, ctr: Container) -> asyncio.Future[None]:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._exit_waiters[ctr.id].append(fut)
        return fut

    def next_removal(self, ctr: Container) -> asyncio.Future[None]:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._remove_waiters[ctr.id].append(fut)
        return fut

    def notify_exit(self, ctr: Container) -> None:
        for fut in self._exit_waiters.pop(ctr.id, []):
            if not fut.done():
                fut.set_result(None)

    def notify_removed(self, ctr: Container) -> None:
        self.notify_exit(ctr)
        for fut in self._remove_waiters.pop(ctr.id, []):
            if not fut.done():
                fut.set_result(None)

    def spawn(self, coro: asyncio.Future[None] | object) -> None:
        """Run a verb in the background, keeping a reference so it is not collected."""
        task: asyncio.Task[None] = asyncio.ensure_future(coro)  # type: ignore[arg-type]
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    def defer(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run work no client waits for; `settle` lets it finish before a clean stop."""
        task = asyncio.ensure_future(coro)
        self.deferred.add(task)
        task.add_done_callback(self.deferred.discard)

    async def settle(self, timeout: float) -> None:
        if self.deferred:
            await asyncio.wait(set(self.deferred), timeout=timeout)

    def event(self, ctr: Container, action: str, **extra: str) -> None:
        attributes = {"image": ctr.image, "name": ctr.name, **extra}
        for key, value in (ctr.config.get("Labels") or {}).items():
            attributes.setdefault(key, str(value))
        self.events.publish("container", action, ctr.id, attributes)

    def attached_networks(self, ctr: Container) -> list[tuple[str, str, str]]:
        """(id, name, driver) of each network the container has a live endpoint on."""
        nets = {n.id: n for n in self.networks.networks()}
        eps = self.networks.store.endpoints_of(ctr.id)
        return [(n.id, n.name, n.driver) for e in eps if (n := nets.get(e.network_id))]

    def network_events(self, ctr: Container, action: str, nets: list[tuple[str, str, str]]) -> None:
        """dockerd's `network connect`/`disconnect` events as a container starts and stops."""
        for net_id, name, driver in nets:
            attributes = {"container": ctr.id, "name": name, "type": driver}
            self.events.publish("network", action, net_id, attributes)

    async def runc(self, *args: str) -> tuple[int, str]:
        """Run runc against our own state root; return its exit code and stderr."""
        proc = await asyncio.create_subprocess_exec(
            RUNC,
            "--root",
            str(self.paths.runc_root),
            *args,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await proc.communicate()
        return proc.returncode or 0, err.decode(errors="replace").strip()
