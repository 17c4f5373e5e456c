"""UI figures, app in a real pty: time to list, keystroke latency, CPU, RSS, terminal bytes/s."""

from __future__ import annotations

import argparse
import asyncio
import compileall
import contextlib
import os
import pty
import select
import statistics
import struct
import sys
import termios
import time
from collections.abc import Callable
from fcntl import ioctl
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine_adapters import Engine, EngineError  # noqa: E402
from engine_adapters.models import RunSpec  # noqa: E402
from tui.commands.connect import connect  # noqa: E402

IMAGE = "dockyard-test/busybox:latest"
LABEL = "dockyard.bench"
BUSY = "while true; do :; done"
IDLE = "while true; do sleep 3600; done"
ENGINE_PROCESSES = ("dockerd", "containerd", "containerd-shim", "containerd-shim-runc-v2")

# What the screen must show: bytes on it, or a test of what it has written so far.
Needle = bytes | Callable[[bytes], bool]


async def make_containers(
    engine: Engine, count: int, busy: int, prefix: str = "bench-ui"
) -> list[str]:
    ids = []
    for n in range(count):
        script = BUSY if n < busy else IDLE
        spec = RunSpec(
            image=IMAGE, name=f"{prefix}-{n}", command=("sh", "-c", script), labels={LABEL: "1"}
        )
        ids.append((await engine.run(spec)).id)
    return ids


async def remove_containers(engine: Engine, ids: list[str]) -> None:
    for cid in ids:
        try:
            await engine.remove(cid, force=True)
        except EngineError as error:
            print(f"cleanup: {error}")


class PtyApp:
    """The real app on a pseudo-terminal; every byte it writes to the terminal is counted."""

    def __init__(self, argv: list[str], cols: int = 120, rows: int = 40) -> None:
        pid, fd = pty.fork()
        if pid == 0:
            os.environ["TERM"] = "xterm-256color"
            os.environ["XDG_CONFIG_HOME"] = "/tmp/dockyard-bench-xdg"
            os.execv(argv[0], argv)
        ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.pid, self.fd = pid, fd
        self.process = psutil.Process(pid)
        self.buffer = b""
        self.total = 0

    def read(self, timeout: float) -> bytes:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return b""
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            return b""
        self.total += len(data)
        self.buffer = (self.buffer + data)[-200_000:]
        return data

    def wait_for(self, needle: Needle, timeout: float) -> float | None:
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            self.read(0.05)
            if needle(self.buffer) if callable(needle) else needle in self.buffer:
                return time.monotonic() - start
        return None

    def drain(self, seconds: float) -> int:
        end = time.monotonic() + seconds
        count = 0
        while time.monotonic() < end:
            count += len(self.read(max(0.0, end - time.monotonic())))
        return count

    def keystroke(self, key: bytes) -> float | None:
        """Time from writing a key to the first byte the app paints back (ms)."""
        self.drain(0.3)
        start = time.monotonic()
        os.write(self.fd, key)
        while time.monotonic() - start < 2:
            if self.read(0.5):
                return (time.monotonic() - start) * 1000
        return None

    def close(self) -> None:
        try:
            os.write(self.fd, b"q")
            self.drain(1.0)
        except OSError:
            pass
        try:
            self.process.wait(3)
        except psutil.Error:
            self.process.kill()
        os.close(self.fd)


def engine_processes() -> list[psutil.Process]:
    return [p for p in psutil.process_iter(["name"]) if p.info["name"] in ENGINE_PROCESSES]


def cpu_over(
    app: PtyApp, seconds: float, processes: Callable[[], list[psutil.Process]] = engine_processes
) -> tuple[float, float, float, float]:
    """App CPU%, engine CPU%, app RSS MiB and terminal KiB/s over `seconds`."""
    engines = processes()
    app.process.cpu_percent(None)
    for p in engines:
        # Another user's container may end meanwhile on a shared engine: its shim goes.
        with contextlib.suppress(psutil.Error):
            p.cpu_percent(None)
    written = app.drain(seconds)
    mine = app.process.cpu_percent(None)
    theirs = 0.0
    for p in engines:
        with contextlib.suppress(psutil.Error):
            theirs += p.cpu_percent(None)
    rss = app.process.memory_info().rss / 2**20
    return mine, theirs, rss, written / seconds / 1024


def engine_cpu(
    seconds: float, processes: Callable[[], list[psutil.Process]] = engine_processes
) -> float:
    """The engine's CPU% over `seconds` (dockerd and containerd unless `processes` says)."""
    engines = processes()
    for p in engines:
        with contextlib.suppress(psutil.Error):
            p.cpu_percent(None)
    time.sleep(seconds)
    total = 0.0
    for p in engines:
        with contextlib.suppress(psutil.Error):
            total += p.cpu_percent(None)
    return total


def settle(limit: float = 20.0) -> None:
    """Wait until the engine is done starting the containers (its CPU back under 10 %)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and engine_cpu(1.0) > 10.0:
        pass


def compile_bytecode() -> None:
    """Dockyard's modules compiled to bytecode, as an installed package has them.

    With PYTHONDONTWRITEBYTECODE set (as in some CI and sandboxes) a source tree never gets
    its __pycache__, and every launch compiled some sixty modules first: 0.1 s that no
    installed copy pays.
    """
    for package in ("tui", "engine_adapters"):
        compileall.compile_dir(ROOT / package, quiet=1)


def launch_times(argv: list[str], needle: Needle, runs: int) -> list[float]:
    """Seconds from fork to `needle` on the screen, one fresh process per run."""
    compile_bytecode()
    found = []
    for _ in range(runs):
        app = PtyApp(argv)
        try:
            took = app.wait_for(needle, 30)
        finally:
            app.close()
        if took is not None:
            found.append(took)
    return found


def print_launch(label: str, times: list[float]) -> None:
    if times:
        print(
            f"{label:21} {statistics.median(times):.3f} s median, "
            f"{min(times):.3f} s best, {max(times):.3f} s worst ({len(times)} runs)"
        )
    else:
        print(f"{label:21} not seen")


def launch_figures(argv: list[str], needle: bytes, runs: int) -> None:
    """Ours beside the floor: Textual alone with a 50-row table, and with the docker SDK."""
    bare = [sys.executable, str(ROOT / "bench" / "_bare_textual.py")]
    print_launch("launch to list:", launch_times(argv, needle, runs))
    print_launch("  floor, Textual:", launch_times(bare, b"bench-ui-", runs))
    print_launch("  floor, + SDK:", launch_times([*bare, "--with-sdk"], b"bench-ui-", runs))


def keystrokes(app: PtyApp, pairs: int = 15) -> list[float]:
    """Milliseconds from each key to the screen, the cursor going down and back `pairs` times."""
    return [ms for key in [b"j", b"k"] * pairs if (ms := app.keystroke(key)) is not None]


def print_keystrokes(label: str, latencies: list[float]) -> None:
    if not latencies:
        print(f"{label:21} no screen change seen")
        return
    ordered = sorted(latencies)
    print(
        f"{label:21} {statistics.median(ordered):.1f} ms median, "
        f"{ordered[int(len(ordered) * 0.9)]:.1f} ms p90, {ordered[-1]:.1f} ms max "
        f"({len(ordered)} keys)"
    )


def cpu_figures(
    app: PtyApp, seconds: float, processes: Callable[[], list[psutil.Process]] = engine_processes
) -> None:
    """CPU, RSS and terminal bytes on the list, then on the dashboard (`S`)."""
    for where in ("list", "dashboard"):
        if where == "dashboard":
            os.write(app.fd, b"S")
            app.drain(3.0)
        mine, theirs, rss, kib = cpu_over(app, seconds, processes)
        print(
            f"{where:9} app CPU {mine:5.1f} %  engine CPU {theirs:5.1f} %  "
            f"total {mine + theirs:5.1f} %  RSS {rss:5.1f} MiB  terminal {kib:.2f} KiB/s"
        )


def measure(app: PtyApp, args: argparse.Namespace, needle: Needle) -> None:
    if app.wait_for(needle, 30) is None:
        print("the list never showed")
        return
    app.drain(3.0)
    print_keystrokes("keystroke to screen:", keystrokes(app))
    cpu_figures(app, args.seconds)


async def run(args: argparse.Namespace) -> None:
    if args.fake:
        # The UI's own cost, without the engine or other users' containers coming and going.
        script = str(ROOT / "bench" / "_ui_fake_app.py")
        fake_argv = [sys.executable, script, str(args.containers), str(args.busy)]
        launch_figures(fake_argv, b"bench-ui-", args.launches)
        app = PtyApp(fake_argv)
        try:
            measure(app, args, b"bench-ui-")
        finally:
            app.close()
        return
    engine = await connect(args.engine)
    created = await make_containers(engine, args.containers, args.busy) if args.containers else []
    argv = [sys.executable, "-m", "tui.cli"] + (["--engine", args.engine] if args.engine else [])
    os.chdir(ROOT)
    needle = b"bench-ui-" if created else b"NAME"
    try:
        settle()  # figures of the steady state, not of dockerd starting 50 containers
        launch_figures(argv, needle, args.launches)
        app = PtyApp(argv)
        try:
            measure(app, args, needle)
        finally:
            app.close()
    finally:
        await remove_containers(engine, created)
        await engine.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", "-e", help="as `dockyard --engine`")
    parser.add_argument("--containers", type=int, default=50)
    parser.add_argument("--busy", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--launches", type=int, default=9, help="launch-time runs of each")
    parser.add_argument("--fake", action="store_true", help="an in-memory engine: the UI alone")
    asyncio.run(run(parser.parse_args()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
