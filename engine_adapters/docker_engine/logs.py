"""Container logs over the Docker API, with stdout and stderr kept apart."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine_adapters.docker_engine.convert import parse_time
from engine_adapters.docker_engine.sessions import FrameDecoder
from engine_adapters.models import LogLine

_STREAMS = {0: "stdout", 1: "stdout", 2: "stderr"}


def split_timestamp(line: str) -> tuple[str, Any]:
    """`2024-01-01T00:00:00.123456789Z text` -> (text, datetime)."""
    stamp, sep, rest = line.partition(" ")
    when = parse_time(stamp) if sep else None
    if when is None:
        return line, None
    return rest, when


class LineAssembler:
    """Joins frames into whole lines per stream; a frame may hold part of a line or many."""

    def __init__(self, timestamps: bool) -> None:
        self._timestamps = timestamps
        self._partial: dict[str, str] = {}

    def feed(self, stream: str, data: bytes) -> Iterator[LogLine]:
        text = self._partial.pop(stream, "") + data.decode("utf-8", errors="replace")
        *lines, rest = text.split("\n")
        if rest:
            self._partial[stream] = rest
        for line in lines:
            yield self._line(stream, line)

    def flush(self) -> Iterator[LogLine]:
        for stream, rest in sorted(self._partial.items()):
            yield self._line(stream, rest)
        self._partial.clear()

    def _line(self, stream: str, line: str) -> LogLine:
        line = line.removesuffix("\r")
        if self._timestamps:
            text, when = split_timestamp(line)
            return LogLine(stream, text, when)
        return LogLine(stream, line)


def iter_log_lines(response: Any, tty: bool, timestamps: bool) -> Iterator[LogLine]:
    """Reads a `/containers/{id}/logs` response body until it ends or is closed."""
    assembler = LineAssembler(timestamps)
    decoder = None if tty else FrameDecoder()
    raw = response.raw
    while True:
        chunk = raw.read1(65536) if hasattr(raw, "read1") else raw.read(65536)
        if not chunk:
            break
        if decoder is None:
            yield from assembler.feed("stdout", chunk)
            continue
        for stream_id, payload in decoder.feed(chunk):
            yield from assembler.feed(_STREAMS.get(stream_id, "stdout"), payload)
    yield from assembler.flush()
