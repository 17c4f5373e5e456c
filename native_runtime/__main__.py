"""Command line: `python -m native_runtime daemon|start|status|stop|doctor`."""

from __future__ import annotations

import argparse
import os
import re
import sys

from native_runtime import control, daemons
from native_runtime.paths import Paths


def list_daemons() -> int:
    """`status` with no socket or data root: every native daemon on this host."""
    running = daemons.running()
    if not running:
        print("no native engine running")
        return 1
    rows = [("PID", "SOCKET", "DATA ROOT", "CONTAINERS")]
    for daemon in running:
        count = daemons.container_count(daemon.socket)
        rows.append(
            (str(daemon.pid), daemon.socket, daemon.data_root, "-" if count is None else str(count))
        )
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        print("  ".join([*cells, row[3]]))
    return 0


def status_or_stop(command: str, socket_path: str | None, data_root: str | None) -> int:
    """The daemon serving this socket or this data root (the defaults when neither is given)."""
    paths = Paths.resolve(data_root, socket_path)
    found = daemons.find(str(paths.socket), data_root)
    if found is not None:
        paths = found.paths
    elif socket_path and not data_root:
        # no daemon registered on that socket; the default data root's pidfile names another
        answering = control.ping(paths)
        print(f"native engine {'running' if answering else 'not running'} on {paths.socket}")
        if command == "stop" and answering:
            print("it is not registered here: give its --data-root to stop it", file=sys.stderr)
            return 1
        return 0 if answering or command == "stop" else 1
    if command == "status":
        st = control.status(paths)
        state = "running" if st.answering else "not running"
        print(
            f"native engine {state}: pid {st.pid or '-'}, socket {st.socket}, data {st.data_root}"
        )
        return 0 if st.answering else 1
    print("stopped" if control.stop(paths) else "not running")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m native_runtime")
    parser.add_argument(
        "command",
        choices=["daemon", "start", "status", "stop", "doctor"],
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
    if args.command == "doctor":
        from native_runtime.doctor import report

        return report()
    socket_path = args.socket or os.environ.get("DOCKYARD_SOCKET")
    data_root = args.data_root or os.environ.get("DOCKYARD_DATA_ROOT")
    if args.command == "status" and not (socket_path or data_root):
        return list_daemons()
    if args.command in ("status", "stop"):
        return status_or_stop(args.command, socket_path, data_root)
    paths = Paths.resolve(args.data_root, args.socket)
    if args.command == "daemon":
        from native_runtime.daemon import run

        run(paths)
        return 0
    started = control.start_detached(paths)  # start
    print(f"native engine running: pid {started.pid or '-'}, socket {started.socket}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
