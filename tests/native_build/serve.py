"""A throwaway native daemon with the build routes added (until the lead wires them in)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal

from aiohttp import web

from native_runtime.adopt import adopt_all
from native_runtime.api.app import Router, make_app
from native_runtime.api.build import add_routes
from native_runtime.paths import Paths
from native_runtime.runtime import Runtime


async def serve(paths: Paths) -> None:
    rt = Runtime(paths)
    adopt_all(rt)
    app = make_app(rt)
    add_routes(Router(app))
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    with contextlib.suppress(FileNotFoundError):
        paths.socket.unlink()
    await web.UnixSite(runner, str(paths.socket)).start()
    os.chmod(paths.socket, 0o660)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        rt.db.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-root", required=True)
    parser.add_argument("--socket", required=True)
    args = parser.parse_args()
    asyncio.run(serve(Paths.resolve(args.data_root, args.socket)))


if __name__ == "__main__":
    main()
