"""Command line: `python -m native_runtime daemon|start|status|stop`."""

from __future__ import annotations

import argparse
import os
import re
import sys

from native_runtime import control
from native_runtime.paths import Paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m native_runtime")
    parser.add_argument(
        "command",
        choices=["daemon", "start", "status", "stop"],
        help="daemon: run in the foreground; start: run detached and wait for /_ping",
    )
    parser.add_argument("--data-root", help="state folder (DOCKYARD_DATA_ROOT)")
    parser.add_argument("--socket", help="API socket path (DOCKYARD_SOCKET)")
    parser.add_argument(
        "--net-tag",
        help="4 hex characters naming this daemon's bridges and chains (DOCKYARD_NET_TAG), "
        "for a throwaway daemon beside a real one",
    )
    args = parser.parse_args(argv)
    if args.net_tag:
        if not re.fullmatch(r"[0-9a-f]{4}", args.net_tag):
            parser.error("--net-tag takes 4 lowercase hex characters")
        # The detached `start` passes its environment on to the daemon it spawns.
        os.environ["DOCKYARD_NET_TAG"] = args.net_tag
    paths = Paths.resolve(args.data_root, args.socket)
    if args.command == "daemon":
        from native_runtime.daemon import run

        run(paths)
        return 0
    if args.command == "start":
        started = control.start_detached(paths)
        print(f"native engine running: pid {started.pid or '-'}, socket {started.socket}")
        return 0
    if args.command == "status":
        st = control.status(paths)
        state = "running" if st.answering else "not running"
        print(
            f"native engine {state}: pid {st.pid or '-'}, socket {st.socket}, data {st.data_root}"
        )
        return 0 if st.answering else 1
    stopped = control.stop(paths)
    print("stopped" if stopped else "not running")
    return 0


if __name__ == "__main__":
    sys.exit(main())
