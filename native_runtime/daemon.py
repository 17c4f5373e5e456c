"""The daemon process: pidfile, unix socket, live restore, graceful shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal

from aiohttp import web

from native_runtime.adopt import adopt_all
from native_runtime.api.routes import make_app
from native_runtime.containers import lifecycle
from native_runtime.paths import Paths
from native_runtime.runtime import Runtime

log = logging.getLogger("native_runtime.daemon")


async def serve(paths: Paths) -> None:
    rt = Runtime(paths)
    rt.on_exit = lifecycle.handle_exit
    paths.pidfile.write_text(f"{os.getpid()}\n")
    adopt_all(rt)
    # Live restore: sandboxes of containers still running stay, the rest are torn down.
    await rt.networks.start(running=[c.id for c in rt.containers.all() if c.running])
    app = make_app(rt)
    # Open streams (logs -f, events) would hold a graceful stop for a minute;
    # containers keep running anyway, so a short grace is enough.
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
    await runner.setup()
    with contextlib.suppress(FileNotFoundError):
        paths.socket.unlink()
    site = web.UnixSite(runner, str(paths.socket))
    await site.start()
    os.chmod(paths.socket, 0o660)
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
        # Bridges, rules and namespaces go with the daemon unless a container still uses them.
        await rt.networks.close(containers_running=any(c.running for c in rt.containers.all()))
        rt.networks.store.close()
        with contextlib.suppress(FileNotFoundError):
            paths.socket.unlink()
        with contextlib.suppress(FileNotFoundError):
            paths.pidfile.unlink()
        rt.db.close()


def run(paths: Paths) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    asyncio.run(serve(paths))
