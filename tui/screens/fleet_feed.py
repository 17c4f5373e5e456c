"""The fleet view's data: one worker per engine, so a slow or dead engine never holds the others.

Each worker lists its engine's containers, then lists again on each container event or
every reconcile interval, and streams stats for its running containers. When the engine
fails (its events stream ends, a list times out), the worker posts that it dropped and
tries again with a backoff; the engine's rows stay, greyed, until it answers.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.message import Message

from engine_adapters import NativeEngine
from engine_adapters.errors import EngineError, EngineUnavailable
from engine_adapters.fleet import FleetEngine
from engine_adapters.models import Container, ContainerState
from engine_adapters.protocol import Engine
from tui.widgets.stats_history import StatsHistory

if TYPE_CHECKING:
    from tui.screens.main import MainScreen
    from tui.widgets.views.fleet_table import FleetTable

# A list slower than this counts as the engine dropping out: its rows grey, the others go on.
# The first list of a connection may wait for more (an ssh handshake on a loaded host).
LIST_TIMEOUT, FIRST_LIST_TIMEOUT = 5.0, 15.0
# Events in a burst (a compose up) are read as one change.
DEBOUNCE = 0.15
RETRY_FIRST, RETRY_MOST = 1.0, 5.0
# The least time a stats stream runs before a changed running set restarts it.
STATS_SETTLE = 5.0
# The engines' streams read at the same instants: their batches within this reach the
# screen as one update.
STATS_GATHER = 0.1


@dataclass
class FleetListed(Message):
    """One engine's containers, freshly listed."""

    label: str
    containers: list[Container]


@dataclass
class FleetDropped(Message):
    """One engine stopped answering; `reason` is its one-line error."""

    label: str
    reason: str


class FleetStatsUpdated(Message):
    """New samples in the fleet's store; a queued one is replaced, the store holds them all."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, FleetStatsUpdated)


class FleetFeed:
    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen
        self.stats = StatsHistory()
        self._started = False
        self._tab: tuple[int, int] = (-1, -1)
        self._gathering = False
        self._known: dict[str, list[Container]] = {}  # an engine's list read before the UI

    @property
    def fleet(self) -> list[FleetEngine]:
        return self.screen.app.fleet

    @property
    def active(self) -> bool:
        return len(self.fleet) > 1

    def engine_named(self, label: str) -> FleetEngine | None:
        return next((f for f in self.fleet if f.label == label), None)

    def streams_stats_of(self, engine: Engine) -> bool:
        """Whether a fleet worker reads this engine's stats (the other views' engine is one
        of the fleet's unless switched away): its samples go to the screen's store too."""
        return self.active and any(member.engine is engine for member in self.fleet)

    def start(self, first: list[Container] | None = None) -> None:
        """The workers; `first`, the first engine's containers read before the UI, are on
        the screen at once."""
        if self._started or not self.active:
            return
        self._started = True
        from tui.widgets.views.fleet_table import EngineStatus

        self.screen.fleet_table.set_engines(
            [EngineStatus(f.label, f.engine.endpoint) for f in self.fleet]
        )
        if first is not None:
            self.listed(FleetListed(self.fleet[0].label, first))
            self._known[self.fleet[0].label] = first  # its worker's first list too
        for index, member in enumerate(self.fleet):
            work: Callable[[], Awaitable[None]] = partial(self._watch, member)
            self.screen.run_worker(
                work, group=f"fleet-{index}", exclusive=True, exit_on_error=False
            )

    async def _watch(self, member: FleetEngine) -> None:
        engine = member.engine
        if isinstance(engine, NativeEngine):
            # As `--engine native` alone does: the daemon starts when it does not answer.
            with contextlib.suppress(EngineError):
                await engine.ensure_started()
        delay = RETRY_FIRST
        while True:
            answered = asyncio.Event()
            try:
                await self._follow(member, answered)
            except EngineError as error:
                reason = str(error)
            except TimeoutError:
                reason = "its container list did not come in time"
            self.screen.post_message(FleetDropped(member.label, reason))
            delay = RETRY_FIRST if answered.is_set() else min(delay * 2, RETRY_MOST)
            await asyncio.sleep(delay)  # a retry backoff, not synchronisation

    async def _follow(self, member: FleetEngine, answered: asyncio.Event) -> None:
        """Lists on every change until the engine fails; raises that failure."""
        engine = member.engine
        changed = asyncio.Event()
        events = asyncio.create_task(self._events(engine, changed))
        stats: asyncio.Task[None] | None = None
        running: frozenset[str] = frozenset()
        since = 0.0
        interval = self.screen.app.config.reconcile_interval
        try:
            while True:
                changed.clear()
                first = not answered.is_set()
                limit = FIRST_LIST_TIMEOUT if first else LIST_TIMEOUT
                containers = await asyncio.wait_for(self._list(member, first), limit)
                answered.set()
                self.screen.post_message(FleetListed(member.label, containers))
                now = frozenset(c.id for c in containers if c.state == ContainerState.RUNNING)
                clock = asyncio.get_running_loop().time()
                # On a busy engine the running set changes every second or so: a stream
                # restarted each time would never give its first sample.
                if now != running and (stats is None or clock - since >= STATS_SETTLE):
                    running, since = now, clock
                    if stats is not None:
                        stats.cancel()
                    stats = asyncio.create_task(self._stats(engine, sorted(running)))
                waiter = asyncio.create_task(changed.wait())
                done, _ = await asyncio.wait(
                    {waiter, events}, timeout=interval, return_when=asyncio.FIRST_COMPLETED
                )
                waiter.cancel()
                if events in done:
                    events.result()  # the stream's error, if it had one
                    raise EngineUnavailable(f"{member.label}: the events stream ended")
                await asyncio.sleep(DEBOUNCE)  # the rest of a burst of events
        finally:
            for task in (events, stats):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, EngineError):
                        await task

    async def _list(self, member: FleetEngine, first: bool) -> list[Container]:
        """A first list is the one read before the UI (the first engine's), or a local
        engine's read without the SDK: its rows show while the SDK loads for the events and
        stats."""
        if first:
            if (known := self._known.pop(member.label, None)) is not None:
                return known
            if (listed := await member.engine.first_contact()) is not None:
                return listed
        return await member.engine.containers()

    # what the screen's handlers ask for ------------------------------------------------
    def listed(self, message: FleetListed) -> None:
        table = self.screen.fleet_table
        was_down = table.is_down(message.label)
        before = {cid for cid, owner in table.engine_of.items() if owner == message.label}
        table.listed(message.label, message.containers)
        # Only this engine's containers that went: another engine's first samples may be in
        # before its list is.
        gone = before - table.items.keys()
        if gone:
            self.stats.forget(self.stats.samples.keys() - gone)
        self._show(table)
        self.screen.refresh_shown_item(table)
        if was_down:
            self.screen.notify(f"{message.label} is back", timeout=3)

    def dropped(self, message: FleetDropped) -> None:
        table = self.screen.fleet_table
        was_down = table.is_down(message.label)
        table.dropped(message.label, message.reason)
        self._show(table)
        if not was_down:
            self.screen.notify(
                f"{message.label} dropped out: {message.reason}", severity="warning", timeout=5
            )

    def _show(self, table: FleetTable) -> None:
        table.now = self.screen.app.clock()
        table.refresh_rows()
        table.refresh_guards()
        # The view tabs are found by querying the screen: only when their text would change.
        tab = (len(table.items), len(table.down))
        if tab != self._tab:
            self._tab = tab
            self.screen.show_view_tabs()

    def stats_updated(self) -> None:
        # Three engines' samples, each a second: the rows on screen now, the rest as they
        # scroll into view, so a key never waits behind a hundred rows it cannot see.
        with self.screen.app.batch_update():
            self.screen.fleet_table.update_rows(self.stats.take_dirty())

    async def _events(self, engine: Engine, changed: asyncio.Event) -> None:
        """The engine's events, on the stream the main list may be reading too."""
        stream = self.screen.app.engine_events.follow(engine)
        try:
            async for event in stream:
                if event.type in ("container", "network"):
                    changed.set()
        finally:
            await stream.aclose()

    async def _stats(self, engine: Engine, ids: list[str]) -> None:
        """Samples of one engine into the fleet's store; its failure is the events stream's
        to report, so a stats error only ends the stream."""
        if not ids:
            return
        stream = engine.stats(ids, interval=self.screen.app.config.stats_interval)
        try:
            async for batch in stream:
                self.stats.add(batch)
                if engine is self.screen.app.engine:
                    self.screen.live.record_stats(batch)  # one stream for both stores
                self._gather()
        except EngineError:
            return
        finally:
            await stream.aclose()

    def _gather(self) -> None:
        """One FleetStatsUpdated for the engines' batches of one tick, not one per engine."""
        if not self._gathering:
            self._gathering = True
            asyncio.get_running_loop().call_later(STATS_GATHER, self._post_stats)

    def _post_stats(self) -> None:
        self._gathering = False
        self.screen.post_message(FleetStatsUpdated())
