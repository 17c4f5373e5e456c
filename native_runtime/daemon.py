"""The daemon process: pidfile, unix socket, live restore, graceful shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import grp
import logging
import os
import signal
import sys

from aiohttp import web

from native_runtime import daemons
from native_runtime.adopt import adopt_all, release_orphan_plans
from native_runtime.api.routes import make_app
from native_runtime.containers import lifecycle
from native_runtime.paths import SOCKET_GROUP, SOCKET_MODE, Paths
from native_runtime.runtime import Runtime

log = logging.getLogger("native_runtime.daemon")
TEARDOWN_GRACE = 10.0
# listen() takes the least of this and the kernel's net.core.somaxconn.
LISTEN_BACKLOG = 65535


def _watch_children_by_pidfd() -> None:
    """Python 3.11's asyncio waits for each subprocess (conmon, runc) in a thread of its
    own, started and woken per process; a pidfd is one more fd the loop already polls.
    From 3.12 asyncio picks pidfds by itself."""
    if sys.version_info < (3, 12):
        watcher = asyncio.PidfdChildWatcher()
        watcher.attach_loop(asyncio.get_running_loop())
        asyncio.set_child_watcher(watcher)


async def serve(paths: Paths) -> None:
    _watch_children_by_pidfd()
    rt = Runtime(paths)
    rt.on_exit = lifecycle.handle_exit
    paths.pidfile.write_text(f"{os.getpid()}\n")
    registered = daemons.register(paths)
    adopt_all(rt)
    # Live restore: sandboxes of containers still running stay, the rest are torn down.
    await rt.networks.start(running=[c.id for c in rt.containers.all() if c.running])
    await release_orphan_plans(rt)
    app = make_app(rt)
    # Open streams (logs -f, events) would hold a graceful stop for a minute;
    # containers keep running anyway, so a short grace is enough.
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
    await runner.setup()
    with contextlib.suppress(FileNotFoundError):
        paths.socket.unlink()
    await _listen(runner, paths)
    log.info("listening on %s (data root %s)", paths.socket, paths.data_root)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        # Containers keep running under conmon; the next daemon re-adopts them.
        await runner.cleanup()
        # Removed containers whose teardown is still running leave nothing behind.
        await rt.settle(TEARDOWN_GRACE)
        # Bridges, rules and namespaces go with the daemon unless a container still uses them.
        await rt.networks.close(containers_running=any(c.running for c in rt.containers.all()))
        rt.networks.store.close()
        with contextlib.suppress(FileNotFoundError):
            paths.socket.unlink()
        with contextlib.suppress(FileNotFoundError):
            paths.pidfile.unlink()
        daemons.unregister(registered)
        rt.db.close()


async def _listen(runner: web.AppRunner, paths: Paths) -> None:
    """Bind the socket with its final mode: the umask closes the window a chmod after bind leaves.

    Whoever reaches the socket is root on this host, so it is 0660, owned by
    the `docker` group where that group exists (as dockerd's), else root's. Its backlog is
    the kernel's most (as dockerd's): `docker stats` of N containers connects N times at
    once, and aiohttp's 128 refused the rest.
    """
    site = web.UnixSite(runner, str(paths.socket), backlog=LISTEN_BACKLOG)
    previous = os.umask(0o777 & ~SOCKET_MODE)
    try:
        await site.start()
    finally:
        os.umask(previous)
    with contextlib.suppress(KeyError):
        os.chown(paths.socket, -1, grp.getgrnam(SOCKET_GROUP).gr_gid)


def run(paths: Paths) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    asyncio.run(serve(paths))
