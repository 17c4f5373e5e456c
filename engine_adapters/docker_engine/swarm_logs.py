"""A service's merged logs (`/services/{id}/logs`), each line with its task and node."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from engine_adapters.docker_engine.logs import LineAssembler
from engine_adapters.docker_engine.sessions import FrameDecoder
from engine_adapters.errors import EngineError
from engine_adapters.models import LogLine
from engine_adapters.swarm.models import ServiceLogLine

_STREAMS = {0: "stdout", 1: "stdout", 2: "stderr"}
NODE_KEY = "com.docker.swarm.node.id"
TASK_KEY = "com.docker.swarm.task.id"

# Task id -> (task name, node hostname) for the ids asked; called when an unknown task speaks.
TaskNamer = Callable[[set[str]], dict[str, tuple[str, str]]]


def split_details(text: str) -> tuple[dict[str, str], str]:
    """`details=1` puts `k=v,k=v ` before each message: the node, service and task ids."""
    head, sep, rest = text.partition(" ")
    if not sep or "=" not in head:
        return {}, text
    details = dict(part.split("=", 1) for part in head.split(",") if "=" in part)
    return details, rest


def iter_service_logs(
    response: Any, tty: bool, timestamps: bool, namer: TaskNamer
) -> Iterator[ServiceLogLine]:
    """Reads the response until it ends or is closed; timestamps are always asked of the
    engine (the details follow them) and kept only when the caller wants them."""
    assembler = LineAssembler(timestamps=True)
    decoder = None if tty else FrameDecoder()
    names: dict[str, tuple[str, str]] = {}
    raw = response.raw

    def line(found: LogLine) -> ServiceLogLine:
        details, text = split_details(found.text)
        task_id = details.get(TASK_KEY, "")
        if task_id and task_id not in names:
            try:
                names.update(namer({task_id}))
            except EngineError:
                names[task_id] = ("", "")  # the line still shows; its names stay blank
        task_name, hostname = names.get(task_id, ("", ""))
        return ServiceLogLine(
            stream=found.stream,
            text=text,
            task_id=task_id,
            node_id=details.get(NODE_KEY, ""),
            timestamp=found.timestamp if timestamps else None,
            task_name=task_name,
            node_hostname=hostname,
        )

    while True:
        chunk = raw.read1(65536) if hasattr(raw, "read1") else raw.read(65536)
        if not chunk:
            break
        if decoder is None:
            yield from (line(found) for found in assembler.feed("stdout", chunk))
            continue
        for stream_id, payload in decoder.feed(chunk):
            stream = _STREAMS.get(stream_id, "stdout")
            yield from (line(found) for found in assembler.feed(stream, payload))
    yield from (line(found) for found in assembler.flush())
