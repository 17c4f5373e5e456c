"""One events stream per engine, however many readers follow it.

The main list, the fleet's worker for the same engine and the topology screen each follow
an engine's events. Each reader gets every event from the moment it joins, then the
stream's end or its failure, as if the stream were its own. The first reader opens the
stream; the last one to leave closes it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field

from engine_adapters.models import Event
from engine_adapters.protocol import Engine


@dataclass(eq=False)
class _End:
    """What a reader gets after the last event: the stream's failure, if it failed."""

    error: Exception | None = None


@dataclass(eq=False)
class _Source:
    readers: set[asyncio.Queue[Event | _End]] = field(default_factory=set)
    task: asyncio.Task[None] | None = None


class SharedEvents:
    def __init__(self) -> None:
        # By identity: two engines for one endpoint are two connections, as the UI made them.
        self._sources: dict[int, _Source] = {}

    def follow(self, engine: Engine) -> AsyncGenerator[Event, None]:
        """The engine's events from now on; `aclose()` leaves the stream."""
        return self._read(engine)

    async def _read(self, engine: Engine) -> AsyncGenerator[Event, None]:
        source = self._sources.get(id(engine))
        if source is None:
            source = self._sources[id(engine)] = _Source()
            source.task = asyncio.create_task(self._pump(engine, source))
        queue: asyncio.Queue[Event | _End] = asyncio.Queue()
        source.readers.add(queue)
        try:
            while not isinstance(item := await queue.get(), _End):
                yield item
            if item.error is not None:
                raise item.error
        finally:
            source.readers.discard(queue)
            if not source.readers and source.task is not None:
                self._forget(engine, source)
                source.task.cancel()
                await asyncio.wait({source.task})  # the stream closed before the reader goes

    async def _pump(self, engine: Engine, source: _Source) -> None:
        stream = engine.events()
        end = _End()
        try:
            async for event in stream:
                for reader in source.readers:
                    reader.put_nowait(event)
        except Exception as error:  # every reader raises it, as its own stream would have
            end = _End(error)
        finally:
            # The next reader opens a new stream: after a failure, that is the reconnection.
            self._forget(engine, source)
            await stream.aclose()
        for reader in source.readers:
            reader.put_nowait(end)

    def _forget(self, engine: Engine, source: _Source) -> None:
        if self._sources.get(id(engine)) is source:
            del self._sources[id(engine)]
