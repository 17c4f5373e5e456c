"""Stream framing and the docker CLI's stats arithmetic."""

from __future__ import annotations

import struct

from engine_adapters.docker_engine.logs import LineAssembler
from engine_adapters.docker_engine.sessions import FrameDecoder
from engine_adapters.docker_engine.stats import CpuReading, cpu_percent, memory_used


def frame(stream: int, payload: bytes) -> bytes:
    return struct.pack(">BxxxL", stream, len(payload)) + payload


def test_frames_split_across_reads_are_reassembled() -> None:
    data = frame(1, b"hello ") + frame(2, b"oops\n") + frame(1, b"world\n")
    decoder = FrameDecoder()
    frames = []
    for i in range(0, len(data), 5):
        frames += decoder.feed(data[i : i + 5])
    assert frames == [(1, b"hello "), (2, b"oops\n"), (1, b"world\n")]


def test_lines_join_partial_frames_per_stream() -> None:
    lines = LineAssembler(timestamps=True)
    out = list(lines.feed("stdout", b"2024-01-01T00:00:00.5Z par"))
    out += list(lines.feed("stderr", b"2024-01-01T00:00:01Z err\n"))
    out += list(lines.feed("stdout", "tial é\n".encode()))
    out += list(lines.flush())
    assert [(line.stream, line.text) for line in out] == [
        ("stderr", "err"),
        ("stdout", "partial é"),
    ]
    assert out[1].timestamp is not None and out[1].timestamp.microsecond == 500000


def test_cpu_percent_matches_the_docker_cli_formula() -> None:
    before = CpuReading(total_usage=1_000, system_usage=10_000, online_cpus=2)
    now = CpuReading(total_usage=3_000, system_usage=14_000, online_cpus=2)
    assert cpu_percent(now, before) == 2_000 / 4_000 * 2 * 100
    assert cpu_percent(now, None) == 0.0
    assert cpu_percent(before, now) == 0.0


def test_memory_used_leaves_out_inactive_file_cache_v1_and_v2() -> None:
    assert memory_used({"usage": 100, "stats": {"total_inactive_file": 30}}) == 70  # cgroup v1
    assert memory_used({"usage": 100, "stats": {"inactive_file": 40}}) == 60  # cgroup v2
    assert memory_used({"usage": 100, "stats": {"inactive_file": 400}}) == 100
