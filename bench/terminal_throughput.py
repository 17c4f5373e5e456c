"""Terminal widget throughput: MB/s of a 10 MB stream through pyte, our emulator, and the widget.

Stages, all fed the same bytes in 64 KiB chunks:
  raw pyte         pyte.Screen + ByteStream, the baseline
  emulator         TerminalEmulator.feed (scrollback, alt screen, fast ASCII path)
  emulator+render  feed, then build the strips of the dirty rows after every chunk
  widget           TerminalView in a headless Textual app reading an in-memory session,
                   with its throttled repaints; also the longest event-loop stall seen
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from pathlib import Path

import pyte
from rich.style import Style

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textual.app import App, ComposeResult  # noqa: E402

from tui.terminal import TerminalEmulator, TerminalView  # noqa: E402
from tui.terminal.rendering import RowRenderer  # noqa: E402

CHUNK = 64 * 1024
COLUMNS, LINES = 80, 24


def make_stream(megabytes: float) -> bytes:
    """Log-like lines, some coloured, some longer than a row; deterministic."""
    rng = random.Random(4)
    words = [
        "container",
        "image",
        "volume",
        "network",
        "exec",
        "shell",
        "stats",
        "logs",
        "bridge",
        "overlay",
    ]
    parts: list[bytes] = []
    size = 0
    target = int(megabytes * 1024 * 1024)
    number = 0
    while size < target:
        number += 1
        text = " ".join(rng.choice(words) for _ in range(rng.randint(3, 30)))
        if number % 5 == 0:
            line = f"\x1b[32m{number:>8}\x1b[0m \x1b[1;31mERROR\x1b[0m {text}\r\n"
        else:
            line = f"{number:>8} INFO {text}\r\n"
        data = line.encode()
        parts.append(data)
        size += len(data)
    return b"".join(parts)[:target]


def chunks(data: bytes) -> list[bytes]:
    return [data[start : start + CHUNK] for start in range(0, len(data), CHUNK)]


def bench_raw_pyte(pieces: list[bytes]) -> float:
    screen = pyte.Screen(COLUMNS, LINES)
    stream = pyte.ByteStream(screen)
    started = time.perf_counter()
    for piece in pieces:
        stream.feed(piece)
    return time.perf_counter() - started


def bench_emulator(pieces: list[bytes], render: bool) -> float:
    emulator = TerminalEmulator(COLUMNS, LINES)
    renderer = RowRenderer(Style(color="white", bgcolor="black"))
    started = time.perf_counter()
    for piece in pieces:
        emulator.feed(piece)
        if render:
            for y in emulator.take_dirty():
                renderer.render(emulator.row(y), COLUMNS, COLUMNS)
    return time.perf_counter() - started


class _MemorySession:
    """An ExecSession whose output is a prepared list of chunks."""

    def __init__(self, pieces: list[bytes]) -> None:
        self._pieces = iter(pieces)

    @property
    def id(self) -> str:
        return "bench"

    @property
    def tty(self) -> bool:
        return True

    async def read(self) -> bytes:
        return next(self._pieces, b"")

    async def write(self, data: bytes) -> None:
        pass

    async def resize(self, rows: int, cols: int) -> None:
        pass

    async def wait(self) -> int | None:
        return 0

    async def close(self) -> None:
        pass


class _CountingView(TerminalView):
    frames = 0

    def _flush(self) -> None:
        type(self).frames += 1
        super()._flush()


class _BenchApp(App[None]):
    def __init__(self, pieces: list[bytes]) -> None:
        super().__init__()
        self.pieces = pieces
        self.done = asyncio.Event()

    def compose(self) -> ComposeResult:
        yield _CountingView(_MemorySession(self.pieces))

    def on_terminal_view_exited(self, message: TerminalView.Exited) -> None:
        self.done.set()


async def _bench_widget(pieces: list[bytes]) -> tuple[float, float, int]:
    app = _BenchApp(pieces)
    stall = 0.0

    async def watch_loop() -> None:
        nonlocal stall
        while True:
            before = time.perf_counter()
            await asyncio.sleep(0.01)
            stall = max(stall, time.perf_counter() - before - 0.01)

    async with app.run_test(size=(COLUMNS, LINES)) as pilot:
        watcher = asyncio.create_task(watch_loop())
        started = time.perf_counter()
        await app.done.wait()
        await pilot.pause()
        elapsed = time.perf_counter() - started
        watcher.cancel()
    return elapsed, stall, _CountingView.frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=10.0, help="stream size in MiB")
    args = parser.parse_args()
    data = make_stream(args.mb)
    pieces = chunks(data)
    megabytes = len(data) / (1024 * 1024)
    lines = data.count(b"\n")
    print(f"stream: {megabytes:.1f} MiB, {lines} lines, {COLUMNS}x{LINES} screen")

    def report(name: str, seconds: float, extra: str = "") -> None:
        print(f"  {name:<16} {megabytes / seconds:7.2f} MiB/s  ({seconds:6.2f} s){extra}")

    report("raw pyte", bench_raw_pyte(pieces))
    report("emulator", bench_emulator(pieces, render=False))
    report("emulator+render", bench_emulator(pieces, render=True))
    elapsed, stall, frames = asyncio.run(_bench_widget(pieces))
    report("widget", elapsed, f"  {frames} frames, longest loop stall {stall * 1000:.0f} ms")


if __name__ == "__main__":
    main()
