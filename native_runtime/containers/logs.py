"""Container logs from conmon's k8s-file log: tail, since, timestamps, follow."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from native_runtime.containers.model import Container
from native_runtime.runtime import Runtime

POLL_INTERVAL = 0.05
# `start` answers once the process runs, often before a quick command has printed; dockerd
# answers some tens of ms later, so there `start` then `logs` shows the output (docker-py's
# build tests count on it). A read that soon after a start waits for the exit, this long.
FIRST_OUTPUT_GRACE = 0.1


@dataclass(frozen=True)
class LogLine:
    """One k8s-file record: `<RFC3339Nano> <stdout|stderr> <P|F> <text>`."""

    timestamp: str
    stream: str
    data: bytes

    @property
    def epoch_ns(self) -> int:
        return parse_time_ns(self.timestamp)


def parse_time_ns(stamp: str) -> int:
    """Nanoseconds since the epoch; floats would lose the last digits conmon writes."""
    head, _, rest = stamp.partition(".")
    digits = ""
    for ch in rest:
        if not ch.isdigit():
            break
        digits += ch
    offset = rest[len(digits) :].replace("Z", "+00:00") or "+00:00"
    seconds = int(datetime.fromisoformat(head + offset).timestamp())
    return seconds * 1_000_000_000 + int((digits + "000000000")[:9])


def parse_since(value: str) -> int:
    """Docker sends `seconds[.nanoseconds]`; 0 or empty means no bound."""
    if not value:
        return 0
    whole, _, frac = value.partition(".")
    return int(whole) * 1_000_000_000 + int((frac + "000000000")[:9])


def parse_line(raw: bytes) -> LogLine | None:
    parts = raw.split(b" ", 3)
    if len(parts) < 4:
        if len(parts) == 3:
            parts.append(b"")
        else:
            return None
    stamp, stream, flag, text = parts
    data = text if flag == b"P" else text + b"\n"
    return LogLine(stamp.decode(), stream.decode(), data)


def docker_timestamp(stamp: str) -> str:
    """conmon writes `+00:00`; Docker prints UTC as `Z`."""
    return stamp.replace("+00:00", "Z")


class LogReader:
    """Reads complete records from an offset, keeping the file open once it exists.

    An open file stays readable after `docker rm` deletes it, so a client that
    removes the container before reading the body (docker-py's run) loses nothing.
    """

    def __init__(self, path: Path, offset: int = 0) -> None:
        self.path = path
        self.offset = offset
        self.file: BinaryIO | None = None
        self.partial = b""

    def read(self) -> list[LogLine]:
        if self.file is None:
            try:
                self.file = open(self.path, "rb")  # noqa: SIM115 - closed in close()
            except FileNotFoundError:
                return []
            self.file.seek(self.offset)
        data = self.partial + self.file.read()
        end = data.rfind(b"\n")
        if end < 0:
            self.partial = data
            return []
        self.partial = data[end + 1 :]
        lines = [parse_line(raw) for raw in data[:end].split(b"\n")]
        return [line for line in lines if line is not None]

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


@dataclass(frozen=True)
class LogOptions:
    stdout: bool = True
    stderr: bool = True
    follow: bool = False
    tail: int | None = None
    since_ns: int = 0
    until_ns: int = 0
    timestamps: bool = False


def _wanted(line: LogLine, opts: LogOptions) -> bool:
    if line.stream == "stdout" and not opts.stdout:
        return False
    if line.stream == "stderr" and not opts.stderr:
        return False
    if opts.since_ns and line.epoch_ns < opts.since_ns:
        return False
    return not (opts.until_ns and line.epoch_ns > opts.until_ns)


async def after_start(rt: Runtime, ctr: Container) -> None:
    """For a read right behind `start`: the process's end, if it comes within
    FIRST_OUTPUT_GRACE of the start (a command that prints and ends at once)."""
    if not ctr.running:
        return
    left = FIRST_OUTPUT_GRACE - (time.time_ns() - parse_time_ns(ctr.state.started_at)) / 1e9
    if left > 0:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(rt.next_exit(ctr), left)


async def stream(rt: Runtime, ctr: Container, opts: LogOptions) -> AsyncIterator[LogLine]:
    """Yield the log's lines, then (with follow) new ones until the container stops."""
    reader = LogReader(rt.dirs(ctr).log)
    try:
        lines = [line for line in reader.read() if _wanted(line, opts)]
        if opts.tail is not None:
            lines = lines[-opts.tail :] if opts.tail > 0 else []
        for line in lines:
            yield line
        if not opts.follow:
            return
        while True:
            alive = ctr.running and ctr.id in rt.containers.by_id
            for line in reader.read():
                if _wanted(line, opts):
                    yield line
            if not alive:
                return
            await asyncio.sleep(POLL_INTERVAL)
    finally:
        reader.close()


def log_size(rt: Runtime, ctr: Container) -> int:
    try:
        return os.path.getsize(rt.dirs(ctr).log)
    except OSError:
        return 0
