"""The Logs tab: streams a container's (or a compose project's or swarm service's merged) logs."""

from __future__ import annotations

import contextlib
import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from engine_adapters.errors import EngineError
from engine_adapters.models import Container, ContainerState, LogLine
from engine_adapters.protocol import Engine
from tui.keymap import action_name, bindings_for, input_openers, run_spec
from tui.widgets.detail.log_view import Entry, LogView
from tui.widgets.worker_errors import ReportsWorkerErrors

if TYPE_CHECKING:
    from engine_adapters.swarm.models import ServiceLogLine, SwarmService
    from engine_adapters.swarm.protocol import SwarmEngine

FLUSH_SECONDS = 0.1


# What a terminal would act on instead of showing: escape sequences (colours, cursor moves,
# the cursor-position query busybox's shell sends on a tty) and other control characters.
# Drawn as they are, they would reach the user's terminal, move its cursor or make it answer.
TERMINAL_CONTROLS = re.compile(
    r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL or ST
    r"|\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b[@-Z\\-_]"  # two-character escapes
    r"|[\x00-\x08\x0b-\x1f\x7f]"  # C0 controls but tab and newline, and DEL
)


def printable(text: str) -> str:
    """A log line as a terminal would leave it: after a carriage return only the last
    state of the line (progress bars), without control sequences, tabs expanded."""
    text = text.rstrip("\r\n")
    if "\r" in text:
        text = text.rsplit("\r", 1)[-1]
    return TERMINAL_CONTROLS.sub("", text).expandtabs()


def to_entry(line: LogLine | ServiceLogLine, source: str = "", colour: int = 0) -> Entry:
    stamp = line.timestamp.strftime("%Y-%m-%dT%H:%M:%S") if line.timestamp else ""
    return Entry(printable(line.text), line.stream == "stderr", stamp, source, colour)


def compile_pattern(text: str) -> re.Pattern[str]:
    """A valid regex is used as typed; anything else is searched literally (case-insensitive)."""
    try:
        return re.compile(text, re.IGNORECASE)
    except re.error:
        return re.compile(re.escape(text), re.IGNORECASE)


class PromptInput(Input):
    """The search/filter line; escape closes it without applying."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="logs.prompt_cancel")]

    class Cancelled(Message):
        pass

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled())


class LogPanel(ReportsWorkerErrors, Vertical):
    BINDINGS = bindings_for("logs")
    DEFAULT_CSS = """
    LogPanel { height: 1fr; }
    LogPanel #log-status { height: 1; color: $text-muted; }
    LogPanel #log-prompt { display: none; height: 3; }
    LogPanel #log-prompt.visible { display: block; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.engine: Engine | None = None
        self.tail = 10_000
        self.copy_lines = 100
        self.title = ""
        self._pending: list[Entry] = []
        self._prompt_mode = "search"
        # The one container whose logs are followed, its last line's time, and whether its
        # stream ended (it stopped, or its engine went): `resume` follows it again.
        self._followed: Container | None = None
        self._last_at: datetime | None = None
        self._ended = False

    def compose(self) -> ComposeResult:
        yield Static("", id="log-status")
        yield LogView(id="log-view")
        yield PromptInput(placeholder="regex", id="log-prompt")

    def on_mount(self) -> None:
        self.set_interval(FLUSH_SECONDS, self._flush)
        self._show_status()

    @property
    def view(self) -> LogView:
        return self.query_one(LogView)

    # streaming --------------------------------------------------------------
    def show_container(self, container: Container | None) -> None:
        self.view.clear()
        self._pending.clear()
        self._followed, self._last_at, self._ended = container, None, False
        if container is None or self.engine is None:
            self.title = ""
            self.workers.cancel_group(self, "logs")
            self._show_status()
            return
        self.title = container.name
        self._show_status()  # now, not with the first line: a quiet container may have none
        self._follow(container)

    def resume(self, container: Container) -> None:
        """The shown container's newer state: if it runs again (a restart, its engine back)
        after its stream ended, its logs follow on from the last line shown."""
        followed = self._followed
        if not self._ended or followed is None or followed.id != container.id:
            return
        if container.state != ContainerState.RUNNING:
            return
        self._ended = False
        self._show_status()
        # Docker's `since` includes its own instant: the last line shown would come again.
        since = self._last_at.timestamp() + 1e-6 if self._last_at is not None else None
        self._follow(container, since)

    def show_project(self, project: str, containers: list[Container]) -> None:
        self.view.clear()
        self._pending.clear()
        self._followed, self._ended = None, False
        self.title = f"{project} (merged)"
        self._show_status()
        self._stream(sorted(containers, key=lambda c: c.compose_service or c.name))

    def show_service(self, swarm: SwarmEngine, service: SwarmService) -> None:
        """The service's tasks merged, each line named `<service>.<slot>@<node>`."""
        self.view.clear()
        self._pending.clear()
        self._followed, self._ended = None, False
        self.title = f"{service.name} (merged)"
        self._show_status()
        self._stream_service(swarm, service.id)

    @work(exclusive=True, group="logs", exit_on_error=False)
    async def _stream_service(self, swarm: SwarmEngine, service_id: str) -> None:
        colours: dict[str, int] = {}  # a colour per task, in the order they first speak
        stream = swarm.service_logs(service_id, tail=self.tail, follow=True, timestamps=True)
        try:
            async for line in stream:
                colour = colours.setdefault(line.task_id, len(colours))
                source = f"{line.task_name or line.task_id[:12]}@{line.node_hostname}"
                self._pending.append(to_entry(line, source, colour))
        finally:
            await stream.aclose()

    @work(exclusive=True, group="logs", exit_on_error=False)
    async def _follow(self, container: Container, since: float | None = None) -> None:
        engine = self.engine
        if engine is None:
            return
        tail = self.tail if since is None else None  # resumed: every line since the last
        stream = engine.logs(container.id, tail=tail, follow=True, since=since, timestamps=True)
        try:
            async for line in stream:
                self._last_at = line.timestamp or self._last_at
                self._pending.append(to_entry(line))
        except EngineError:
            self._stream_ended()
            raise
        finally:
            await stream.aclose()
        self._stream_ended()

    def _stream_ended(self) -> None:
        self._ended = True
        self._show_status()

    @work(exclusive=True, group="logs", exit_on_error=False)
    async def _stream(self, containers: list[Container]) -> None:
        """A compose project's members, merged; Compose (and its YAML) is loaded when a
        project's logs are first shown."""
        engine = self.engine
        if engine is None:
            return
        from engine_adapters.compose.logs import merged_logs

        colours = {c.id: index for index, c in enumerate(containers)}
        merged = merged_logs(engine, containers, follow=True, tail=self.tail, timestamps=True)
        async with contextlib.aclosing(merged):
            async for container, line in merged:
                source = container.compose_service or container.name
                self._pending.append(to_entry(line, source, colours[container.id]))

    def _flush(self) -> None:
        if self._pending:
            batch, self._pending = self._pending, []
            if any(entry.source for entry in batch):
                # Merged logs arrive per service; interleave each batch by time.
                batch.sort(key=lambda entry: entry.stamp)
            self.view.append(batch)
            self._show_status()

    def _show_status(self) -> None:
        v = self.view
        flags = [
            "stream ended" if self._ended else f"follow:{'on' if v.follow else 'off'}",
            f"time:{'on' if v.show_timestamps else 'off'}",
            f"wrap:{'on' if v.wrap else 'off'}",
        ]
        if v.filter is not None:
            flags.append(f"filter:/{v.filter.pattern}/")
        if v.search is not None:
            flags.append(f"search:/{v.search.pattern}/")
        if v.selection is not None:
            count = v.selected_lines()
            flags.append(f"selected:{count} line{'' if count == 1 else 's'} (y copies)")
        text = f"[b]{self.title or 'no container'}[/b]  {v.row_count} lines  " + "  ".join(flags)
        status = self.query_one("#log-status", Static)
        if status.content != text:
            status.update(text, layout=False)  # one line high: no new layout

    # actions ----------------------------------------------------------------
    async def action_act(self, spec_id: str) -> None:
        await run_spec(self, spec_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A priority key: while an input has focus, the character is the input's.
        action = action_name(action, parameters)
        return not (action in input_openers("logs") and isinstance(self.screen.focused, Input))

    def action_follow(self) -> None:
        self.view.follow = not self.view.follow
        if self.view.follow:
            self.view.current_match = None
            self.view.scroll_end(animate=False)
        self._show_status()

    def action_timestamps(self) -> None:
        selection = self.view.selection
        if selection is not None and not selection.lines:
            self.view.clear_selection()  # its columns would now point at other characters
        self.view.show_timestamps = not self.view.show_timestamps
        self.view._rebuild()
        self._show_status()

    def action_wrap(self) -> None:
        self.view.wrap = not self.view.wrap
        self.view._rebuild()
        self._show_status()

    def action_top(self) -> None:
        self.view.follow = False
        self.view.scroll_home(animate=False)

    def action_bottom(self) -> None:
        self.view.scroll_end(animate=False)

    def _prompt(self, mode: str) -> None:
        self._prompt_mode = mode
        prompt = self.query_one("#log-prompt", Input)
        prompt.placeholder = f"{mode} (regex; empty clears)"
        current = self.view.search if mode == "search" else self.view.filter
        prompt.value = current.pattern if current is not None else ""
        prompt.add_class("visible")
        self.screen.set_focus(prompt)  # at once: the next keys are the pattern

    def action_search(self) -> None:
        self._prompt("search")

    def action_filter_lines(self) -> None:
        self._prompt("filter")

    @on(Input.Submitted, "#log-prompt")
    def _prompt_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.apply(self._prompt_mode, event.value)
        event.input.remove_class("visible")
        self.view.focus()

    def apply(self, mode: str, text: str) -> None:
        """Set the search or the line filter; an empty text clears it."""
        pattern = compile_pattern(text) if text else None
        if mode == "search":
            self.view.search = pattern
            self.view.current_match = None
            if pattern is not None and not self.view.find(forward=True):
                self.notify(f"No match for {text!r}", severity="warning", timeout=3)
            self.view.refresh()
        else:
            self.view.filter = pattern
            self.view.current_match = None
            self.view._rebuild()
        self._show_status()

    @on(PromptInput.Cancelled)
    def _prompt_cancelled(self, event: PromptInput.Cancelled) -> None:
        event.stop()
        self.query_one("#log-prompt", Input).remove_class("visible")
        self.view.focus()

    def action_next_match(self) -> None:
        self.view.find(forward=True)

    def action_prev_match(self) -> None:
        self.view.find(forward=False)

    def visible_text(self, last: int | None = None) -> str:
        entries = self.view.visible_entries()
        if last is not None:
            entries = entries[-last:]
        return "\n".join(self.view.plain(e) for e in entries)

    def action_select_lines(self) -> None:
        """V starts a line selection (j/k extend it, y copies it); V again drops it."""
        if self.view.extending:
            self.view.clear_selection()
        else:
            self.view.start_line_selection()
            self.view.focus()  # run from the palette, j/k must reach the view
        self._show_status()

    def action_line_down(self) -> None:
        self.view.line(1)

    def action_line_up(self) -> None:
        self.view.line(-1)

    @on(LogView.SelectionChanged)
    def _selection_changed(self) -> None:
        self._show_status()

    def action_copy(self) -> None:
        """The selection, else the last lines; OSC 52 reaches the local clipboard over SSH too."""
        selection = self.view.selection
        text = self.view.selected_text()
        if text is None:
            text = self.visible_text(self.copy_lines)
        self.view.clear_selection()  # as vim's y: the copy is done, the highlight goes
        self.app.copy_to_clipboard(text)
        lines = text.count("\n") + 1 if text else 0
        note = " (its oldest lines had left the buffer)" if selection and selection.clipped else ""
        self.notify(
            f"Copied {lines} line{'' if lines == 1 else 's'}, {len(text)} characters{note}",
            timeout=2,
        )

    def action_save(self) -> None:
        from tui.dialogs.prompt import PromptDialog

        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", self.title or "logs").strip("_")
        default = str(Path.cwd() / f"{safe}.log")

        def save(path: str | None) -> None:
            if not path:
                return
            try:
                Path(path).expanduser().write_text(self.visible_text() + "\n")
            except OSError as error:
                self.notify(f"Cannot save: {error.strerror}", severity="error")
                return
            self.notify(f"Saved {self.view.row_count} lines to {path}", timeout=3)

        self.app.push_screen(PromptDialog("Save visible log lines to", default), save)
