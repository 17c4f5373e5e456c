"""The UI as a person over SSH sees it: tmux polled from outside for launch and keystroke times.

ui_bench times the first byte the app writes back; a person sees the frame once tmux has it
all. Here the app runs in a tmux pane under `script` (as a login over SSH would), and the pane
is read with `tmux capture-pane -e -p` every few milliseconds until its text and attributes
change. The same is done, in the same run, for a bare Textual app with a 50-row table (the
floor) and for the capture itself (what a poll costs), so each figure stands beside both.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from ui_bench import compile_bytecode, make_containers, remove_containers, settle  # noqa: E402

from tui.commands.connect import connect  # noqa: E402

POLL = 0.003
_panes = iter(range(1_000_000))


class Pane:
    """One detached tmux session on its own server socket, running `argv` under script(1)."""

    def __init__(self, argv: list[str], cols: int, rows: int) -> None:
        self.socket = f"dockyard-feel-{os.getpid()}-{next(_panes)}"
        command = "script -qfc " + shlex.quote(shlex.join(argv)) + " /dev/null"
        env = "TERM=xterm-256color XDG_CONFIG_HOME=/tmp/dockyard-bench-xdg"
        self._tmux("new-session", "-d", "-x", str(cols), "-y", str(rows), f"env {env} {command}")

    def _tmux(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=False
        )
        return result.stdout

    def capture(self) -> str:
        return self._tmux("capture-pane", "-e", "-p")

    def send(self, key: str) -> None:
        self._tmux("send-keys", key)

    def wait_until(self, check: Callable[[str], bool], timeout: float) -> float | None:
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if check(self.capture()):
                return time.monotonic() - start
            time.sleep(POLL)
        return None

    def settle(self, quiet: float = 0.4, limit: float = 5.0) -> str:
        """The pane once it has not changed for `quiet` seconds."""
        last, since, end = self.capture(), time.monotonic(), time.monotonic() + limit
        while time.monotonic() < end and time.monotonic() - since < quiet:
            time.sleep(0.02)
            now = self.capture()
            if now != last:
                last, since = now, time.monotonic()
        return last

    def close(self) -> None:
        """The server and what the pane ran: an app under script(1) outlives the pane's hangup."""
        pid = self._tmux("display-message", "-p", "#{pane_pid}").strip()
        running = []
        if pid.isdigit():
            with contextlib.suppress(psutil.Error):
                parent = psutil.Process(int(pid))
                running = [*parent.children(recursive=True), parent]
        self._tmux("kill-server")
        for process in running:
            with contextlib.suppress(psutil.Error):
                process.terminate()
        _, alive = psutil.wait_procs(running, timeout=3)
        for process in alive:
            with contextlib.suppress(psutil.Error):
                process.kill()


def launch(argv: list[str], needle: str, args: argparse.Namespace) -> float | None:
    pane = Pane(argv, args.cols, args.rows)
    try:
        return pane.wait_until(lambda text: needle in text, 30)
    finally:
        pane.close()


def keystrokes(argv: list[str], needle: str, args: argparse.Namespace) -> list[float]:
    """Milliseconds from send-keys Down to a changed pane, after the pane settles each time."""
    pane = Pane(argv, args.cols, args.rows)
    found: list[float] = []
    try:
        if pane.wait_until(lambda text: needle in text, 30) is None:
            return found
        time.sleep(2.0)
        for n in range(args.keys):
            before = pane.settle()
            pane.send("Down" if n % 10 < 5 else "Up")
            took = pane.wait_until(lambda text, b=before: text != b, 2.0)  # type: ignore[misc]
            if took is not None:
                found.append(took * 1000)
    finally:
        pane.close()
    return found


def capture_cost(args: argparse.Namespace) -> float:
    """What one poll costs: capture-pane of a still pane, in milliseconds."""
    pane = Pane(["sleep", "30"], args.cols, args.rows)
    try:
        start = time.monotonic()
        for _ in range(50):
            pane.capture()
        return (time.monotonic() - start) / 50 * 1000
    finally:
        pane.close()


def line(label: str, values: list[float], unit: str) -> str:
    if not values:
        return f"{label:24} not seen"
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    return (
        f"{label:24} {statistics.median(values):7.1f} {unit} median, "
        f"p90 {p90:.1f}, worst {max(values):.1f} ({len(values)})"
    )


def report(argv: list[str], needle: str, args: argparse.Namespace) -> None:
    bare = [sys.executable, str(ROOT / "bench" / "_bare_textual.py")]
    compile_bytecode()
    print(f"tmux {args.cols}x{args.rows}, polled every {POLL * 1000:.0f} ms")
    print(f"one capture-pane:        {capture_cost(args):7.1f} ms")
    runs = (("dockyard", argv, needle), ("floor, bare Textual", bare, "bench-ui-"))
    for label, command, text in runs:
        times = [t * 1000 for _ in range(args.launches) if (t := launch(command, text, args))]
        print(line(f"{label}: launch", times, "ms"))
        print(line(f"{label}: Down key", keystrokes(command, text, args), "ms"))


async def run(args: argparse.Namespace) -> None:
    os.chdir(ROOT)
    if args.fake:
        script = str(ROOT / "bench" / "_ui_fake_app.py")
        report([sys.executable, script, str(args.containers), "3"], "bench-ui-", args)
        return
    engine = await connect(args.engine)
    created = await make_containers(engine, args.containers, 3)
    try:
        settle()
        chosen = ["--engine", args.engine] if args.engine else []
        report([sys.executable, "-m", "tui.cli", *chosen], "bench-ui-", args)
    finally:
        await remove_containers(engine, created)
        await engine.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", "-e", help="as `dockyard --engine`")
    parser.add_argument("--containers", type=int, default=50)
    parser.add_argument("--cols", type=int, default=160)
    parser.add_argument("--rows", type=int, default=48)
    parser.add_argument("--launches", type=int, default=7)
    parser.add_argument("--keys", type=int, default=30)
    parser.add_argument("--fake", action="store_true", help="an in-memory engine: the UI alone")
    asyncio.run(run(parser.parse_args()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
