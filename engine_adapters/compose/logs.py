"""The logs of a project's containers merged into one stream, in arrival order."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Sequence

from engine_adapters.errors import EngineError
from engine_adapters.models import Container, LogLine
from engine_adapters.protocol import Engine, Stream

_DONE = object()


async def merged_logs(
    engine: Engine,
    containers: Sequence[Container],
    follow: bool = False,
    tail: int | None = None,
    timestamps: bool = False,
) -> AsyncGenerator[tuple[Container, LogLine], None]:
    """Each line with the container it came from; ends when every container's log has ended.

    Without `follow` each log is read to its end in turn, so the output is stable;
    with it, lines interleave as they arrive.
    """
    if not follow:
        for container in containers:
            stream = engine.logs(container.id, tail=tail, follow=False, timestamps=timestamps)
            try:
                async for line in stream:
                    yield container, line
            finally:
                await stream.aclose()
        return

    queue: asyncio.Queue[object] = asyncio.Queue(maxsize=1000)
    streams: list[Stream[LogLine]] = []

    async def pump(container: Container, stream: Stream[LogLine]) -> None:
        try:
            async for line in stream:
                await queue.put((container, line))
        except EngineError:
            pass  # a container removed while followed: its log simply ends
        finally:
            await queue.put(_DONE)

    tasks = []
    for container in containers:
        stream = engine.logs(container.id, tail=tail, follow=True, timestamps=timestamps)
        streams.append(stream)
        tasks.append(asyncio.create_task(pump(container, stream)))
    remaining = len(tasks)
    try:
        while remaining:
            item = await queue.get()
            if item is _DONE:
                remaining -= 1
                continue
            yield item  # type: ignore[misc]
    finally:
        for stream in streams:
            with contextlib.suppress(EngineError):
                await stream.aclose()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
