"""Live data for the main screen: events drive refreshes; reconcile poll, stats, reconnects."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any

from textual import work
from textual.message import Message

from engine_adapters.errors import EngineError
from engine_adapters.models import ContainerState, EngineInfo, Event, StatsSample
from tui.screens.main_base import MainScreenBase

KINDS = ("containers", "images", "volumes", "networks")
# Which lists an event can change; an image pull or a network connect touches more than one.
EVENT_KINDS = {
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
    items: list[Any]


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


class LiveMixin(MainScreenBase):
    """Workers read the engine and only post messages; handlers on the screen update widgets."""

    _stale: set[str]
    _stats_ids: frozenset[str]

    def start_live(self, read: bool = True) -> None:
        """Events, stats and the lists; `read=False` when the containers are already shown."""
        self._stale = set()
        self._stats_ids = frozenset()
        self.reconcile(first=True, read=read)

    @work(exclusive=True, group="reconcile", exit_on_error=False)
    async def reconcile(self, first: bool = False, read: bool = True) -> None:
        """The safety net: a full reread, whatever events may have been missed.

        Containers come first: they are the first screen. On the first run the list reaches
        the screen before anything else starts (events and stats load the engine's SDK, which
        the first list was read without); the containers are read again after the events
        stream opened, so a change between the two is not missed.
        """
        if read:
            await self._fetch(KINDS[:1])
        if first:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wait_for_refresh(), FIRST_PAINT_WAIT)
        await self.hidden_mounted.wait()  # the other lists' tables
        if first:
            self.watch_events()
        self.post_message(InfoFetched(await self.engine.info()))
        await self._fetch(KINDS[1:] + (KINDS[:1] if first else ()))

    @work(exclusive=True, group="refresh", exit_on_error=False)
    async def refresh_kinds(self, kinds: tuple[str, ...]) -> None:
        await self._fetch(kinds)

    async def _fetch(self, kinds: tuple[str, ...]) -> None:
        for kind in kinds:
            items = await getattr(self.engine, kind)()
            self.post_message(ResourcesFetched(kind, items))

    @work(exclusive=True, group="events", exit_on_error=False)
    async def watch_events(self) -> None:
        stream = self.engine.events()
        try:
            async for event in stream:
                self.post_message(EngineEventArrived(event))
        finally:
            await stream.aclose()

    @work(exclusive=True, group="stats", exit_on_error=False)
    async def watch_stats(self, ids: list[str]) -> None:
        """One stream for every running container; the engine paces it, so polls never overlap."""
        if not ids:
            return
        stream = self.engine.stats(ids, interval=self.app_config.stats_interval)
        try:
            async for batch in stream:
                self.record_stats(batch)
        finally:
            await stream.aclose()

    def record_stats(self, batch: list[StatsSample]) -> None:
        self.stats.add(batch)
        self.post_message(StatsUpdated())

    @work(exclusive=True, group="reconnect", exit_on_error=False)
    async def reconnect(self) -> None:
        delay = 1.0
        while True:
            await asyncio.sleep(delay)  # a retry backoff, not synchronisation
            try:
                await self.engine.ping()
            except EngineError:
                delay = min(delay * 2, 10.0)
                continue
            self.post_message(ConnectionChanged(True))
            return

    # handlers -----------------------------------------------------------------
    def on_engine_event_arrived(self, message: EngineEventArrived) -> None:
        kinds = EVENT_KINDS.get(message.event.type, ())
        if not kinds:
            return
        if not self._stale:
            self.set_timer(DEBOUNCE, self._refresh_stale)
        self._stale.update(kinds)

    def _refresh_stale(self) -> None:
        kinds, self._stale = tuple(k for k in KINDS if k in self._stale), set()
        if kinds:
            self.refresh_kinds(kinds)

    def restart_stats_if_needed(self, containers: list[Any]) -> None:
        running = frozenset(c.id for c in containers if c.state == ContainerState.RUNNING)
        if running != self._stats_ids:
            self._stats_ids = running
            self.stats.forget(running)
            # After this list is painted: the first poll loads the SDK and asks every container.
            self.call_after_refresh(self.watch_stats, sorted(running))

    def connection_lost(self, reason: str) -> None:
        if self.header.connected is False:
            return
        self.header.connected = False
        self.banner.update(f"Engine unavailable: {reason}. Retrying…")
        self.banner.display = True
        for group in ("events", "stats", "reconcile", "refresh"):
            self.workers.cancel_group(self, group)
        self._stats_ids = frozenset()
        self.reconnect()

    def on_connection_changed(self, message: ConnectionChanged) -> None:
        if message.connected:
            self.banner.display = False
            self.header.connected = True
            self.notify("Engine connection restored", timeout=3)
            self.start_live()
