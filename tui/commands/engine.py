"""`dockyard engine start|stop|status`: the native daemon's lifecycle."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys

from engine_adapters import NativeEngine
from engine_adapters.discovery import native_data_root, native_socket
from engine_adapters.native import daemon_command


def run_engine_command(args: argparse.Namespace) -> int:
    socket_path = args.socket or native_socket()
    data_root = args.data_root or native_data_root()
    if args.action == "start" and args.foreground:
        command = daemon_command(socket_path, data_root)
        os.execv(command[0], command)
    if args.action == "start":
        engine = NativeEngine(socket_path=socket_path, data_root=data_root)
        started = asyncio.run(engine.ensure_started())
        print(
            f"native engine {'started' if started else 'already running'} on unix://{socket_path}"
        )
        return 0
    # stop and status belong to the daemon's own package, which runs as its own process; it
    # finds a daemon by whichever of socket and data root is given, and with neither (nor
    # their variables) `status` lists every native daemon on the host
    command = [sys.executable, "-m", "native_runtime", args.action]
    if args.socket:
        command += ["--socket", args.socket]
    if args.data_root:
        command += ["--data-root", args.data_root]
    return subprocess.call(command)
