"""Live data for the main screen: events drive refreshes; reconcile poll, stats, reconnects."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.message import Message

from engine_adapters.errors import EngineError, EngineUnavailable
from engine_adapters.models import (
    LIST_KINDS,
    Container,
    ContainerState,
    EngineInfo,
    Event,
    Listed,
    ListKind,
    StatsSample,
)
from engine_adapters.protocol import Engine
from tui.widgets.views.other_tables import VolumesTable
from tui.widgets.views.resource_table import ResourceTable

if TYPE_CHECKING:
    from tui.screens.main import MainScreen

# Which lists an event can change; an image pull or a network connect touches more than one.
EVENT_KINDS: dict[str, tuple[ListKind, ...]] = {
    "container": ("containers", "networks", "volumes"),
    "image": ("images",),
    "volume": ("volumes",),
    "network": ("networks", "containers"),
}
DEBOUNCE = 0.15
FIRST_PAINT_WAIT = 1.0


@dataclass
class ResourcesFetched(Message):
    kind: str
    items: list[Listed]


@dataclass
class InfoFetched(Message):
    info: EngineInfo


@dataclass
class EngineEventArrived(Message):
    event: Event


class StatsUpdated(Message):
    """New samples are in the store; a queued one is replaced, since the store holds them all."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, StatsUpdated)


@dataclass
class ConnectionChanged(Message):
    connected: bool
    reason: str = ""


class LiveFeed:
    """Workers that read the engine and only post messages to the screen, which updates widgets."""

    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen
        self._stale: set[ListKind] = set()
        self._stats_ids: frozenset[str] = frozenset()

    @property
    def engine(self) -> Engine:
        return self.screen.app.engine

    def start(self, read: bool = True) -> None:
        """Events, stats and the lists; `read=False` when the containers are already shown."""
        self._stale = set()
        self._stats_ids = frozenset()
        self.reconcile(first=True, read=read)

    def _run(self, work: Callable[[], Awaitable[None]], group: str) -> None:
        """A function, not a coroutine, so a worker cancelled before it starts (exclusive)
        leaves no coroutine that was never awaited."""
        self.screen.run_worker(work, group=group, exclusive=True, exit_on_error=False)

    def reconcile(self, first: bool = False, read: bool = True) -> None:
        self._run(partial(self._reconcile, first, read), "reconcile")

    async def _reconcile(self, first: bool, read: bool) -> None:
        """The safety net: a full reread, whatever events may have been missed.

        Containers come first: they are the first screen. On the first run the list reaches
        the screen before anything else starts (events and stats load the engine's SDK, which
        the first list was read without); the containers are read again after the events
        stream opened, so a change between the two is not missed.
        """
        screen = self.screen
        if read:
            await self._fetch(LIST_KINDS[:1])
        if first:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(screen.wait_for_refresh(), FIRST_PAINT_WAIT)
        await screen.hidden_mounted.wait()  # the other lists' tables
        if first:
            self._run(self._watch_events, "events")
        screen.post_message(InfoFetched(await self.engine.info()))
        await self._fetch(LIST_KINDS[1:] + (LIST_KINDS[:1] if first else ()))

    async def _fetch(self, kinds: tuple[ListKind, ...]) -> None:
        """The lists in one pass over the engine, each into its table."""
        for kind, items in (await self.engine.lists(kinds)).items():
            self.screen.post_message(ResourcesFetched(kind, list(items)))

    async def _watch_events(self) -> None:
        stream = self.screen.app.engine_events.follow(self.engine)
        try:
            async for event in stream:
                self.screen.post_message(EngineEventArrived(event))
        finally:
            await stream.aclose()

    async def _watch_stats(self, ids: list[str]) -> None:
        """One stream for every running container; the engine paces it, so polls never overlap."""
        if not ids:
            return
        stream = self.engine.stats(ids, interval=self.screen.app.config.stats_interval)
        try:
            async for batch in stream:
                self.record_stats(batch)
        finally:
            await stream.aclose()

    def record_stats(self, batch: list[StatsSample]) -> None:
        self.screen.stats.add(batch)
        self.screen.post_message(StatsUpdated())

    async def _reconnect(self) -> None:
        delay = 1.0
        while True:
            await asyncio.sleep(delay)  # a retry backoff, not synchronisation
            try:
                await self.engine.ping()
            except EngineError:
                delay = min(delay * 2, 10.0)
                continue
            self.screen.post_message(ConnectionChanged(True))
            return

    # what the screen's handlers ask for ------------------------------------------------
    def apply(self, kind: str, items: list[Listed]) -> None:
        """A fresh list into its table: only the rows that changed are redrawn."""
        screen = self.screen
        table = screen.mounted_table(kind)
        if table is None:
            return  # read again once mounted (reconcile waits for that)
        table.items = {table.key_of(item): item for item in items}
        table.filled = True
        table.marked &= set(table.items)
        table.now = screen.app.clock()
        if kind == "containers":
            containers = [c for c in items if isinstance(c, Container)]
            screen.id_names = {c.id: c.name for c in containers}
            self.share_names()
            self.restart_stats_if_needed(containers)
            screen.header.connected = True
        table.refresh_rows()
        table.refresh_guards()
        self.update_counts()
        screen.show_view_tabs()
        screen.refresh_shown_item(table)

    def share_names(self) -> None:
        volumes = self.screen.mounted_table("volumes")
        if isinstance(volumes, VolumesTable):
            volumes.id_names = self.screen.id_names

    def update_counts(self) -> None:
        screen = self.screen
        containers = screen.containers_table.items.values()
        running = sum(c.state == ContainerState.RUNNING for c in containers)
        total = screen.count_of("containers")
        screen.header.counts = (
            total,
            None if total is None else running,
            *(screen.count_of(view) for view in LIST_KINDS[1:]),
        )

    def tick_clock(self) -> None:
        """Uptimes age without any event, so the clock advances them now and then."""
        for table in self.screen.query(ResourceTable):
            table.now = self.screen.app.clock()
            table.refresh_rows()

    def event_arrived(self, event: Event) -> None:
        kinds = EVENT_KINDS.get(event.type, ())
        if not kinds:
            return
        if not self._stale:
            self.screen.set_timer(DEBOUNCE, self._refresh_stale)
        self._stale.update(kinds)

    def _refresh_stale(self) -> None:
        kinds, self._stale = tuple(k for k in LIST_KINDS if k in self._stale), set()
        if kinds:
            self._run(partial(self._fetch, kinds), "refresh")

    def restart_stats_if_needed(self, containers: list[Container]) -> None:
        running = frozenset(c.id for c in containers if c.state == ContainerState.RUNNING)
        if running != self._stats_ids:
            self._stats_ids = running
            self.screen.stats.forget(running)
            if self.screen.fleet_feed.streams_stats_of(self.engine):
                # The fleet's worker for this engine feeds the store: one stream, not two.
                self.screen.workers.cancel_group(self.screen, "stats")
                return
            # After this list is painted: the first poll loads the SDK and asks every container.
            ids = sorted(running)
            self.screen.call_after_refresh(self._run, partial(self._watch_stats, ids), "stats")

    def connection_lost(self, error: EngineUnavailable) -> None:
        """A banner; every stream stops and a poll waits until the engine answers again."""
        screen = self.screen
        if screen.header.connected is False:
            return
        screen.header.connected = False
        screen.banner.update(f"Engine unavailable: {error}. Retrying…")
        screen.banner.display = True
        for group in ("events", "stats", "reconcile", "refresh"):
            self.screen.workers.cancel_group(self.screen, group)
        self._stats_ids = frozenset()
        self._run(self._reconnect, "reconnect")

    def connection_restored(self) -> None:
        screen = self.screen
        screen.banner.display = False
        screen.header.connected = True
        screen.notify("Engine connection restored", timeout=3)
        self.start()
