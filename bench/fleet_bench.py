"""Fleet figures beside the single-engine ones, same run: three engines of 50 containers each.

dockerd, a throwaway native daemon (started and removed here) and Podman (the test rig's,
or --podman URL) each get the containers; the app is measured on dockerd alone and on the
three as a fleet: launch to the full list, keystroke to screen, the app's CPU and RSS.
The keystrokes of the two apps are taken in alternating rounds with both open, so a load
that drifts during the run weighs on both alike.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _fleet_rig import DOCKERD, rig_podman, start_native, stop_native  # noqa: E402
from ui_bench import (  # noqa: E402
    Needle,
    PtyApp,
    cpu_figures,
    engine_processes,
    keystrokes,
    launch_times,
    make_containers,
    print_keystrokes,
    print_launch,
    settle,
)

from engine_adapters import Engine, EngineError, NativeEngine  # noqa: E402
from engine_adapters.docker_engine import DockerEngine  # noqa: E402
from native_runtime.control import read_pid  # noqa: E402
from native_runtime.paths import Paths  # noqa: E402

PREFIX = "bench-fleet"
FLEET_TAB = re.compile(rb" 6 Fleet \((\d+)\) ")
ONE, FLEET = "one engine:", "fleet:"
ROWS, STATUS = "fleet, row to row:", "fleet, status row:"


def dockerd_count() -> int:
    """How many containers dockerd has now, from /info (no container list to build)."""
    connection = http.client.HTTPConnection("localhost", timeout=5)
    connection.sock = socket_to(DOCKERD.removeprefix("unix://"))
    try:
        connection.request("GET", "/info")
        return int(json.loads(connection.getresponse().read())["Containers"])
    finally:
        connection.close()


def socket_to(path: str) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    return sock


class FleetListed:
    """The whole fleet is listed when the view's tab counts every container of the three.

    dockerd is shared: other users' containers come and go while the app starts, so its
    share of the count is read again as the screen is watched (the last few readings count).
    """

    def __init__(self, elsewhere: int) -> None:
        self.elsewhere = elsewhere  # the other two engines' containers: ours alone
        self.seen: deque[int] = deque(maxlen=8)
        self.read_at = 0.0

    def __call__(self, screen: bytes) -> bool:
        tabs = FLEET_TAB.findall(screen[-4096:])
        if not tabs:
            return False
        if time.monotonic() - self.read_at > 0.5:
            self.read_at = time.monotonic()
            self.seen.append(dockerd_count())
        return int(tabs[-1]) - self.elsewhere in self.seen


def fleet_processes(native: NativeEngine) -> Callable[[], list[psutil.Process]]:
    """The three engines' processes: dockerd's, the native daemon, the Podman service, and the
    conmons of the last two's containers."""
    paths = Paths.resolve(native.data_root, native.socket_path)

    def found() -> list[psutil.Process]:
        named = [p for p in psutil.process_iter(["name"]) if p.info["name"] in ("podman", "conmon")]
        daemon = read_pid(paths)
        return [*engine_processes(), *named, *([psutil.Process(daemon)] if daemon else [])]

    return found


async def remove_all(engine: Engine, ids: list[str]) -> None:
    results = await asyncio.gather(
        *(engine.remove(cid, force=True) for cid in ids), return_exceptions=True
    )
    for failed in (r for r in results if isinstance(r, EngineError)):
        print(f"cleanup: {failed}")


def opened(argv: list[str], needle: Needle) -> PtyApp:
    """The app with its list on screen and settled."""
    app = PtyApp(argv)
    if app.wait_for(needle, 60) is None:
        app.close()
        raise SystemExit(f"the list never showed: {' '.join(argv)}")
    app.drain(3.0)
    return app


def step(app: PtyApp, key: bytes) -> None:
    os.write(app.fd, key)
    app.drain(0.5)


def interleaved_keystrokes(single: PtyApp, fleet: PtyApp, rounds: int) -> dict[str, list[float]]:
    """Each round moves each cursor down and back 15 times.

    The fleet's list opens on an engine's status row. One set of its moves goes between that
    row and the first container, the hints on the key bar changing on each. The other goes
    between two containers, as every move in the single engine's list does.
    """
    found: dict[str, list[float]] = {ONE: [], ROWS: [], STATUS: []}
    for _ in range(rounds):
        found[ONE] += keystrokes(single)
        found[STATUS] += keystrokes(fleet)
        step(fleet, b"j")
        found[ROWS] += keystrokes(fleet)
        step(fleet, b"k")
    return found


async def run(args: argparse.Namespace) -> None:
    podman_url = args.podman or rig_podman()
    if podman_url is None:
        print("no Podman service (run under scripts/test-rig.sh, or give --podman URL)")
        return
    root = Path(tempfile.mkdtemp(prefix="dyfb-", dir="/tmp"))
    try:
        native = await start_native(root)
    except (EngineError, subprocess.CalledProcessError) as error:
        print(f"no native engine for the fleet: {error}")
        shutil.rmtree(root, ignore_errors=True)
        return
    engines: dict[str, Engine] = {
        "docker": DockerEngine(DOCKERD),
        "native": native,
        "podman": DockerEngine(podman_url, name="podman"),
    }
    created: dict[str, list[str]] = {}
    os.chdir(ROOT)
    try:
        for name, engine in engines.items():
            prefix = f"{PREFIX}-{name}"
            created[name] = await make_containers(engine, args.containers, args.busy, prefix)
        settle()
        cli = [sys.executable, "-m", "tui.cli"]
        total = len(engines) * args.containers
        single = [*cli, "--engine", DOCKERD]
        # dockerd last: it may list others' containers too, which would push the rows of the
        # other two below the screen.
        fleet = [
            *cli,
            "--engine",
            f"native=unix://{native.socket_path}",
            "--engine",
            f"podman={podman_url}",
            "--engine",
            f"docker={DOCKERD}",
        ]
        # With 50 rows an engine, the second engine's rows are below the screen: the whole
        # fleet is listed when the view's tab counts every container of the three.
        elsewhere = sum([len(await engines[name].containers()) for name in ("native", "podman")])
        apps: dict[str, tuple[list[str], Needle]] = {
            ONE: (single, PREFIX.encode()),
            FLEET: (fleet, FleetListed(elsewhere)),
        }
        print(f"one engine is dockerd; the fleet is 3 engines, {total} containers")
        print(f"load average at the start: {os.getloadavg()[0]:.1f}")
        print("-- launch to list")
        for label, (argv, needle) in apps.items():
            print_launch(label, launch_times(argv, needle, args.launches))
        print(f"-- keystroke to screen, {args.rounds} alternating rounds")
        one = opened(*apps[ONE])
        try:
            many = opened(*apps[FLEET])
            try:
                for label, found in interleaved_keystrokes(one, many, args.rounds).items():
                    print_keystrokes(label, found)
            finally:
                many.close()
        finally:
            one.close()
        print("-- CPU and memory; engine CPU is dockerd's alone, then the three engines'")
        for (label, (argv, needle)), processes in zip(
            apps.items(), (engine_processes, fleet_processes(native)), strict=True
        ):
            print(label)
            app = opened(argv, needle)
            try:
                cpu_figures(app, args.seconds, processes)
            finally:
                app.close()
        print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    finally:
        for name, engine in engines.items():
            await remove_all(engine, created.get(name, []))
            await engine.close()
        stop_native(native, root)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--containers", type=int, default=50, help="on each engine")
    parser.add_argument("--busy", type=int, default=1, help="of them spinning a CPU, each")
    parser.add_argument("--seconds", type=float, default=10.0, help="CPU is measured over")
    parser.add_argument("--launches", type=int, default=3, help="launch-time runs of each")
    parser.add_argument("--rounds", type=int, default=4, help="of 30 keystrokes, each app")
    parser.add_argument("--podman", help="Podman's API socket URL (default: the test rig's)")
    asyncio.run(run(parser.parse_args()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
