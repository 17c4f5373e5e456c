"""One shell tab: a terminal beside (or above) its container's live logs and a stats line."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Literal

from textual import work
from textual.app import ComposeResult
from textual.containers import Container as Box
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static, TabPane

from engine_adapters.models import Container, StatsSample
from engine_adapters.protocol import Engine, ExecSession
from tui.terminal import TerminalView
from tui.widgets.detail.log_panel import LogPanel
from tui.widgets.format import human_size, spark
from tui.widgets.stats_history import StatsHistory
from tui.widgets.worker_errors import ReportsWorkerErrors

LOG_TAIL = 50
STATS_INTERVAL = 2.0
CPU_TREND = 10
NAME_WIDTH = 16


@dataclass(frozen=True)
class SessionSpec:
    """What a tab runs: enough to label it and to run it again through the docker CLI."""

    container: Container
    kind: Literal["exec", "attach"]
    argv: tuple[str, ...] = ()
    user: str | None = None
    env: tuple[tuple[str, str], ...] = field(default=())

    @property
    def program(self) -> str:
        return "attach" if self.kind == "attach" else os.path.basename(self.argv[0])

    @property
    def short_name(self) -> str:
        name = self.container.name
        return name if len(name) <= NAME_WIDTH else name[: NAME_WIDTH - 1] + "…"

    def label(self, finished: bool = False, exit_code: int | None = None) -> str:
        """`web sh` while it runs; `web sh: exit 3` (or `web attach: detached`) once it ended."""
        base = f"{self.short_name} {self.program}"
        if not finished:
            return base
        return f"{base}: detached" if exit_code is None else f"{base}: exit {exit_code}"

    def cli_args(self, term: str | None) -> list[str]:
        """The docker CLI arguments for a pop-out of this session (after `docker -H URL`)."""
        if self.kind == "attach":
            return ["attach", self.container.id]
        args = ["exec", "-it"]
        if self.user:
            args += ["-u", self.user]
        env = dict(self.env)
        if term:
            env["TERM"] = term  # the real terminal, not the emulator we announce in the pane
        for key, value in env.items():
            args += ["-e", f"{key}={value}"]
        return [*args, self.container.id, *self.argv]


class StatsLine(Static):
    """`CPU 0.4% ▁▂▅  MEM 1.2MiB 0%  NET ↓0B/s ↑0B/s  PIDS 2` for one container."""

    DEFAULT_CSS = """
    StatsLine { height: 1; color: $text-muted; }
    """

    def show(self, history: StatsHistory, container_id: str) -> None:
        sample = history.latest(container_id)
        if sample is None:
            self.update("stats: waiting for a sample (none while the container is stopped)")
            return
        cpu = spark(history.series(container_id, "cpu_percent"), CPU_TREND).strip()
        rx = history.rates(container_id, "net_rx")
        tx = history.rates(container_id, "net_tx")
        net = f"↓{human_size(rx[-1])}/s ↑{human_size(tx[-1])}/s" if rx and tx else "-"
        mem = f"{human_size(sample.mem_used)} {sample.mem_percent:.0f}%"
        self.update(
            f"CPU {sample.cpu_percent:.1f}% {cpu}  MEM {mem}  NET {net}  PIDS {sample.pids}"
        )


class ShellPane(ReportsWorkerErrors, TabPane):
    """A tab owning one session; its stats and logs streams live and die with the tab."""

    DEFAULT_CSS = """
    ShellPane { height: 1fr; padding: 0; }
    ShellPane > .shell-body { layout: vertical; height: 1fr; }
    ShellPane .shell-side { height: 7; }
    ShellPane .shell-side LogPanel #log-status { display: none; }
    ShellPane TerminalView { height: 1fr; width: 1fr; }
    """

    @dataclass
    class StatsArrived(Message):
        """New samples for the tab's container; a queued one is replaced (the store has all)."""

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, ShellPane.StatsArrived)

    def __init__(self, spec: SessionSpec, session: ExecSession, engine: Engine, *, id: str) -> None:
        super().__init__(spec.label(), id=id)
        self.spec = spec
        self.session = session
        self.engine = engine
        self.history = StatsHistory(size=CPU_TREND + 1)

    def compose(self) -> ComposeResult:
        with Box(classes="shell-body"):
            yield TerminalView(self.session, close_on_unmount=True)
            with Vertical(classes="shell-side"):
                yield StatsLine("stats: starting")
                yield LogPanel()

    def on_mount(self) -> None:
        logs = self.query_one(LogPanel)
        logs.engine = self.engine
        logs.tail = LOG_TAIL
        logs.show_container(self.spec.container)
        self.watch_stats()

    @property
    def terminal(self) -> TerminalView:
        return self.query_one(TerminalView)

    @property
    def finished(self) -> bool:
        return self.terminal.finished

    @work(exclusive=True, group="shell-stats", exit_on_error=False)
    async def watch_stats(self) -> None:
        """The engine paces the stream, so a slow poll never overlaps the next."""
        stream = self.engine.stats([self.spec.container.id], interval=STATS_INTERVAL)
        try:
            async for batch in stream:
                self._record(batch)
        finally:
            await stream.aclose()

    def _record(self, batch: list[StatsSample]) -> None:
        self.history.add(batch)
        self.post_message(self.StatsArrived())

    def on_shell_pane_stats_arrived(self, message: ShellPane.StatsArrived) -> None:
        message.stop()
        self.query_one(StatsLine).show(self.history, self.spec.container.id)
