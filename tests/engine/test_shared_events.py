"""Several readers of one engine's events share one stream, on dockerd, native and Podman."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import pytest

from engine_adapters.docker_engine import DockerEngine
from engine_adapters.models import Event, RunSpec
from engine_adapters.shared_events import SharedEvents
from tests.engine.conftest import TEST_IMAGE, Resources
from tests.waiting import eventually

pytestmark = pytest.mark.docker

LIFECYCLE = ["create", "start", "die", "destroy"]


class Reader:
    """One follower's events, collected by a task of its own."""

    def __init__(self, stream: AsyncGenerator[Event, None]) -> None:
        self.stream = stream
        self.seen: list[Event] = []
        self.task = asyncio.create_task(self._collect())

    async def _collect(self) -> None:
        async for event in self.stream:
            self.seen.append(event)

    def actions(self, container_id: str) -> list[str]:
        return [e.action for e in self.seen if e.actor_id == container_id]

    def lifecycle(self, container_id: str) -> list[str]:
        return [a for a in self.actions(container_id) if a in LIFECYCLE]

    async def close(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        await self.stream.aclose()


async def run_until_seen(engine: DockerEngine, res: Resources, readers: list[Reader]) -> str:
    """A container run and removed, again until every reader saw its whole life: a stream
    opening sees only what happens after the engine took the request."""
    for _ in range(10):
        container = await engine.run(RunSpec(TEST_IMAGE, name=res.container(), command=("true",)))
        await engine.wait(container.id)
        await engine.remove(container.id)

        def seen_whole(cid: str = container.id) -> bool:
            return all(r.lifecycle(cid) == LIFECYCLE for r in readers)

        try:
            await eventually(seen_whole, timeout=3)
        except AssertionError:
            continue
        return container.id
    raise AssertionError("no reader saw a container's whole life in ten tries")


async def test_two_readers_share_one_stream_and_see_the_same_events(
    engine: DockerEngine, res: Resources, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[float | None] = []
    events = engine.events

    def counted(since: float | None = None) -> object:
        opened.append(since)
        return events(since)

    monkeypatch.setattr(engine, "events", counted)
    shared = SharedEvents()
    first, second = Reader(shared.follow(engine)), Reader(shared.follow(engine))
    try:
        cid = await run_until_seen(engine, res, [first, second])
        assert len(opened) == 1
        assert second.actions(cid) == first.actions(cid)

        # One reader leaving keeps the stream for the other.
        await first.close()
        cid = await run_until_seen(engine, res, [second])
        assert len(opened) == 1
    finally:
        await first.close()
        await second.close()

    # The last reader gone, the stream is closed; the next reader opens a new one.
    third = Reader(shared.follow(engine))
    try:
        await run_until_seen(engine, res, [third])
        assert len(opened) == 2
    finally:
        await third.close()
