"""Terminal widget throughput: MiB/s of output through pyte, our emulator, and the widget.

Streams (deterministic, 10 MiB each by default; made by tests/terminal/streams.py,
which the differential tests feed to pyte too):
  log     log-like lines, one in five with SGR colours, some longer than a row
  plain   plain ASCII text and line ends only, as `cat` of a text file
  redraw  full-screen redraws as top and vi send them: alternate screen, cursor moves,
          erase to end of line, colours, a scroll region, box-drawing characters

Stages, all fed the same bytes in 64 KiB chunks:
  raw pyte         pyte.Screen + ByteStream, the baseline (measured on --baseline-mb)
  emulator         TerminalEmulator.feed
  emulator+render  feed, then build the strips of the dirty rows after every chunk
  widget           TerminalView in a headless Textual app reading an in-memory session,
                   with its throttled repaints; also the longest event-loop stall seen
  widget+pty cat   the same widget running `cat` of the stream in a pty, whose reads
                   bring about 4 KiB each, as a shell's output arrives
  tmux cat         the baseline: a detached tmux server (a socket of its own) whose 80x24 pane
                   runs the same `cat`; timed until the pane's shell signals `wait-for`
                   after cat, so tmux has parsed the output (it draws to no client)

Then `cat` of a 50 MiB plain text file (`--cat-mb`; 0 skips it) through widget+pty and tmux.

Figures only: nothing here passes or fails. `--cpu` times every stage in CPU seconds
(this process's; for tmux, its server's), which a loaded machine disturbs far less.
`--profile` prints where the emulator's time goes (cProfile) for each stream instead.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyte
from rich.style import Style

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textual.app import App, ComposeResult  # noqa: E402

from engine_adapters.protocol import ExecSession  # noqa: E402
from tests.terminal.pty_session import BUSYBOX, PtySession  # noqa: E402
from tests.terminal.streams import STREAMS, make_plain  # noqa: E402
from tui.terminal import TerminalEmulator, TerminalView  # noqa: E402
from tui.terminal.rendering import RowRenderer  # noqa: E402

CHUNK = 64 * 1024
COLUMNS, LINES = 80, 24

clock = time.perf_counter
"""What a stage is timed with: wall seconds, or this process's CPU seconds (`--cpu`)."""


def chunks(data: bytes) -> list[bytes]:
    return [data[start : start + CHUNK] for start in range(0, len(data), CHUNK)]


def bench_raw_pyte(pieces: list[bytes]) -> float:
    screen = pyte.Screen(COLUMNS, LINES)
    stream = pyte.ByteStream(screen)
    started = clock()
    for piece in pieces:
        stream.feed(piece)
    return clock() - started


def bench_emulator(pieces: list[bytes], render: bool) -> float:
    emulator = TerminalEmulator(COLUMNS, LINES)
    renderer = RowRenderer(Style(color="white", bgcolor="black"))
    started = clock()
    for piece in pieces:
        emulator.feed(piece)
        if render:
            for y in emulator.take_dirty():
                renderer.render_view(emulator, y, COLUMNS)
    return clock() - started


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
        self.frames += 1
        super()._flush()


class _BenchApp(App[None]):
    def __init__(self, session: ExecSession) -> None:
        super().__init__()
        self.session = session
        self.done = asyncio.Event()

    def compose(self) -> ComposeResult:
        yield _CountingView(self.session)

    def on_terminal_view_exited(self, message: TerminalView.Exited) -> None:
        self.done.set()


async def _bench_widget(session: ExecSession) -> tuple[float, float, int]:
    app = _BenchApp(session)
    stall = 0.0

    async def watch_loop() -> None:
        nonlocal stall
        while True:
            before = time.perf_counter()
            await asyncio.sleep(0.01)
            stall = max(stall, time.perf_counter() - before - 0.01)

    async with app.run_test(size=(COLUMNS, LINES)) as pilot:
        view = app.query_one(_CountingView)
        watcher = asyncio.create_task(watch_loop())
        started = clock()
        await app.done.wait()
        await pilot.pause()
        elapsed = clock() - started
        watcher.cancel()
    return elapsed, stall, view.frames


async def _bench_pty(data: bytes) -> tuple[float, float, int]:
    """The widget showing `cat` of the stream through a real pty, as a shell would."""
    with tempfile.TemporaryDirectory() as home:
        path = _cat_file(data, home)
        session = await PtySession.start([BUSYBOX, "cat", str(path)], rows=LINES, cols=COLUMNS)
        try:
            return await _bench_widget(session)
        finally:
            await session.close()


def _cat_file(data: bytes, directory: str) -> Path:
    path = Path(directory, "stream.txt")
    path.write_bytes(data.replace(b"\r\n", b"\n"))  # the tty turns LF back into CR LF
    return path


def _pid(tmux: list[str]) -> int:
    shown = subprocess.run(
        [*tmux, "display", "-p", "#{pid}"], check=True, capture_output=True, text=True
    )
    return int(shown.stdout)


def _cpu(pid: int) -> float:
    """CPU seconds a process has used (user + system, from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_tmux(data: bytes) -> float:
    """Seconds for a detached tmux pane to take in `cat` of the stream."""
    cat = f"{BUSYBOX} cat" if os.access(BUSYBOX, os.X_OK) else "cat"
    with tempfile.TemporaryDirectory() as home:
        socket = Path(home, "tmux.sock")  # goes with the directory: tmux leaves it behind
        tmux = ["tmux", "-S", str(socket), "-f", "/dev/null"]
        path = _cat_file(data, home)
        subprocess.run(
            [*tmux, "new-session", "-d", "-x", str(COLUMNS), "-y", str(LINES), "sleep 600"],
            check=True,
        )
        try:
            # The pane must be at its size before the output starts, as ours is.
            subprocess.run([*tmux, "set", "-g", "window-size", "manual"], check=True)
            status = Path(home, "status")
            command = (
                f"{cat} {path}; echo $? >{status}; tmux -S {socket} wait-for -S done; sleep 600"
            )
            server = _pid(tmux)
            started = time.perf_counter() if clock is time.perf_counter else _cpu(server)
            subprocess.run([*tmux, "respawn-pane", "-k", command], check=True)
            subprocess.run([*tmux, "wait-for", "done"], check=True)
            finished = time.perf_counter() if clock is time.perf_counter else _cpu(server)
            elapsed = finished - started
            if status.read_text().strip() != "0":
                raise RuntimeError(f"cat in the tmux pane failed: {command}")
            return elapsed
        finally:
            subprocess.run([*tmux, "kill-server"], check=False)


def _profile(name: str, pieces: list[bytes]) -> None:
    import cProfile
    import pstats

    profile = cProfile.Profile()
    profile.runcall(bench_emulator, pieces, False)
    print(f"-- {name}: emulator, by own time")
    pstats.Stats(profile).sort_stats("tottime").print_stats(12)


def _report(stage: str, seconds: float, megabytes: float, extra: str = "") -> None:
    print(f"  {stage:<16} {megabytes / seconds:7.2f} MiB/s  ({seconds:6.2f} s){extra}")


def _bench_cat(data: bytes, megabytes: float) -> None:
    """`cat` of the stream through our widget and through tmux, side by side."""
    have_busybox = os.access(BUSYBOX, os.X_OK)
    if have_busybox:
        elapsed, stall, frames = asyncio.run(_bench_pty(data))
        note = f"  {frames} frames, longest loop stall {stall * 1000:.0f} ms"
        _report("widget+pty cat", elapsed, megabytes, note)
    else:
        print(f"  {'widget+pty cat':<16} skipped: no {BUSYBOX}")
    if shutil.which("tmux") is None:
        print(f"  {'tmux cat':<16} skipped: no tmux")
        return
    tmux = bench_tmux(data)
    note = f"  ours takes {elapsed / tmux:.1f}x tmux's time" if have_busybox else ""
    _report("tmux cat", tmux, megabytes, note)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=10.0, help="stream size in MiB")
    parser.add_argument(
        "--baseline-mb", type=float, default=2.0, help="MiB of each stream through raw pyte"
    )
    parser.add_argument("--streams", default=",".join(STREAMS), help="comma-separated")
    parser.add_argument("--profile", action="store_true", help="cProfile the emulator")
    parser.add_argument(
        "--cat-mb", type=float, default=50.0, help="then `cat` a plain file this big (0: none)"
    )
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="time stages in CPU seconds (ours: this process; tmux: its server), steadier "
        "than wall seconds on a shared machine",
    )
    args = parser.parse_args()
    global clock
    if args.cpu:
        clock = time.process_time
    unit = "CPU seconds" if args.cpu else "seconds"
    print(f"{COLUMNS}x{LINES} screen, {CHUNK // 1024} KiB chunks; MiB/s ({unit})")
    for name in args.streams.split(",") if args.streams else []:
        data = STREAMS[name](args.mb)
        pieces = chunks(data)
        if args.profile:
            _profile(name, pieces)
            continue
        megabytes = len(data) / (1024 * 1024)
        feeds = data.count(b"\n")
        print(f"{name}: {megabytes:.1f} MiB, {feeds} line feeds")
        baseline = data[: int(args.baseline_mb * 1024 * 1024)]
        _report("raw pyte", bench_raw_pyte(chunks(baseline)), len(baseline) / (1024 * 1024))
        _report("emulator", bench_emulator(pieces, render=False), megabytes)
        _report("emulator+render", bench_emulator(pieces, render=True), megabytes)
        elapsed, stall, frames = asyncio.run(_bench_widget(_MemorySession(pieces)))
        note = f"  {frames} frames, longest loop stall {stall * 1000:.0f} ms"
        _report("widget", elapsed, megabytes, note)
        _bench_cat(data, megabytes)
    if args.cat_mb and not args.profile:
        data = make_plain(args.cat_mb)
        megabytes = len(data) / (1024 * 1024)
        print(f"cat of a {megabytes:.0f} MiB text file:")
        _bench_cat(data, megabytes)


if __name__ == "__main__":
    main()
