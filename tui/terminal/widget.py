"""TerminalView: an exec session's pty shown and typed into inside a pane.

Keys while the terminal has focus go to the process, with these exceptions:

- Ctrl+]            move focus out of the terminal (the one way out; like telnet's escape)
- Shift+PgUp/PgDn   browse the scrollback; while browsing, Up/Down scroll a line,
                    y copies the visible rows (OSC 52), Esc or q returns to the live screen
- the app's priority bindings (Textual's Ctrl+Q quit) still win.

The mouse wheel scrolls the history too. Dragging with the mouse selects text and
copies it when the button is released.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from time import monotonic
from typing import ClassVar

from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget

from engine_adapters.errors import EngineError
from engine_adapters.protocol import ExecSession
from tui.terminal.emulator import TerminalEmulator
from tui.terminal.keys import encode_key
from tui.terminal.rendering import CURSOR_FOCUSED, CURSOR_UNFOCUSED, RowRenderer
from tui.terminal.selection import Selection

FRAME_INTERVAL = 1 / 30
"""Heavy output repaints at most this often; the emulator still sees every byte."""

FEED_SLICE = 32768
"""Bytes fed to the emulator before yielding to the event loop, so keys get through.

A few milliseconds of work even for dense full-screen redraws; smaller slices only add
trips through the event loop."""

_BROWSE_EXIT_KEYS = frozenset({"escape", "q"})


class TerminalView(Widget, can_focus=True):
    """A terminal pane running one `ExecSession` (or showing a bare emulator)."""

    DEFAULT_CSS = """
    TerminalView {
        width: 1fr;
        height: 1fr;
        background: $background;
        color: $foreground;
    }
    """

    ALLOW_SELECT = False  # our own selection copies terminal cells; Textual's would fight it

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+right_square_bracket",
            "release_focus",
            "Leave terminal",
            id="terminal.release_focus",
        ),
        Binding(
            "shift+pageup",
            "history(-1)",
            "Scroll back",
            show=False,
            id="terminal.history_up",
        ),
        Binding(
            "shift+pagedown",
            "history(1)",
            "Scroll forward",
            show=False,
            id="terminal.history_down",
        ),
    ]

    @dataclass
    class Exited(Message):
        """The session's process ended; `exit_code` is None for a detached attach."""

        exit_code: int | None
        terminal: TerminalView

        @property
        def control(self) -> TerminalView:
            return self.terminal

    @dataclass
    class TitleChanged(Message):
        """The program set the window title (OSC 0/2); a tab may show it."""

        title: str
        terminal: TerminalView

        @property
        def control(self) -> TerminalView:
            return self.terminal

    @dataclass
    class FocusReleased(Message):
        """The user pressed the leave key; the parent may move focus somewhere specific."""

        terminal: TerminalView

        @property
        def control(self) -> TerminalView:
            return self.terminal

    def __init__(
        self,
        session: ExecSession | None = None,
        *,
        emulator: TerminalEmulator | None = None,
        close_on_unmount: bool = True,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.session = session
        self.emulator = emulator or TerminalEmulator()
        self.emulator.on_reply = self.send
        self.close_on_unmount = close_on_unmount
        self.exit_code: int | None = None
        self.finished = False
        self.bytes_received = 0
        self.history_offset = 0
        """Lines scrolled back into history; 0 is the live screen."""
        self.browsing = False
        self.selection = Selection()
        self._outbox: asyncio.Queue[bytes | tuple[int, int]] = asyncio.Queue()
        self._strips: dict[int, Strip] = {}
        self._renderer = RowRenderer(Style())
        self._base = Style()
        self._flush_timer: Timer | None = None
        self._last_flush = 0.0
        self._last_cursor: tuple[int, int, bool] = (-1, -1, False)
        self._scrolled_seen = 0
        self._session_size: tuple[int, int] | None = None
        self._title = ""

    # -- lifecycle ------------------------------------------------------------------

    def on_mount(self) -> None:
        if self.session is not None:
            self.run_worker(self._pump(), name="terminal-reader", exit_on_error=False)
            self.run_worker(self._drain_outbox(), name="terminal-writer", exit_on_error=False)

    async def on_unmount(self) -> None:
        if self.session is not None and self.close_on_unmount and not self.finished:
            await self.session.close()

    async def _pump(self) -> None:
        """Read the session until EOF, feeding the emulator in slices."""
        assert self.session is not None
        code: int | None = None
        note: str | None = None
        try:
            while data := await self.session.read():
                self.bytes_received += len(data)
                for start in range(0, len(data), FEED_SLICE):
                    self.emulator.feed(data[start : start + FEED_SLICE])
                    self._schedule_flush()
                    await asyncio.sleep(0)
            code = await self.session.wait()
        except (EngineError, OSError) as error:
            note = f"connection lost: {error}"
        self._finish(code, note)
        await self.session.close()

    async def _drain_outbox(self) -> None:
        """Write keys, replies and resizes in the order they were made."""
        assert self.session is not None
        while True:
            item = await self._outbox.get()
            if self.finished:
                continue
            try:
                if isinstance(item, bytes):
                    await self.session.write(item)
                else:
                    await self.session.resize(*item)
            except (EngineError, OSError):
                pass  # the process is going away; _pump reports how it ended

    def _finish(self, code: int | None, note: str | None = None) -> None:
        self.finished = True
        self.exit_code = code
        self.emulator.leave_alt_screen()
        if note is None:
            note = "detached" if code is None else f"exited with code {code}"
        self.emulator.feed(f"\x1b[0m\r\n\x1b[7m[{note}]\x1b[0m".encode())
        self._flush()
        self.post_message(self.Exited(code, self))

    # -- output to the process --------------------------------------------------------

    def send(self, data: bytes) -> None:
        """Queue bytes for the process (keys, paste, terminal replies)."""
        if self.session is not None and not self.finished:
            self._outbox.put_nowait(data)

    async def on_key(self, event: events.Key) -> None:
        if event.key in self._bindings.key_to_bindings:
            return  # ours (maybe remapped by the keymap): let the binding run
        if self.browsing and self._browse_key(event.key):
            event.stop()
            event.prevent_default()
            return
        data = encode_key(event.key, event.character, self.emulator.app_cursor_keys)
        if data is None:
            return
        event.stop()
        event.prevent_default()
        self._go_live()
        self.send(data)

    def on_paste(self, event: events.Paste) -> None:
        event.stop()
        # A terminal sends Enter as CR; a pasted ESC could forge the end of a bracketed paste.
        text = event.text.replace("\r\n", "\r").replace("\n", "\r").replace("\x1b", "")
        if self.emulator.bracketed_paste:
            text = f"\x1b[200~{text}\x1b[201~"
        self._go_live()
        self.send(text.encode())

    # -- size -------------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        rows, cols = self.size.height, self.size.width
        if rows <= 0 or cols <= 0:
            return
        self.emulator.resize(rows, cols)
        # The first size is always sent: the session may have started at another one.
        if self.session is not None and not self.finished and self._session_size != (rows, cols):
            self._session_size = (rows, cols)
            self._outbox.put_nowait((rows, cols))
        self._strips.clear()
        self._clamp_offset()
        self.refresh()

    # -- actions ----------------------------------------------------------------------

    def action_release_focus(self) -> None:
        self.post_message(self.FocusReleased(self))
        self.screen.focus_next()
        if self.screen.focused is self:  # nothing else can take focus
            self.screen.set_focus(None)

    def action_history(self, pages: int) -> None:
        """Scroll the view `pages` screens (negative is back in time)."""
        if self.emulator.in_alt_screen:
            return
        self.browsing = True
        self._scrolled_seen = self.emulator.scrolled_total
        if self.emulator.title != self._title:
            self._title = self.emulator.title
            self.post_message(self.TitleChanged(self._title, self))
        self._show_history_at(self.history_offset - pages * max(1, self.emulator.lines - 1))
        if self.history_offset == 0 and pages > 0:
            self.browsing = False

    def action_copy(self) -> None:
        """Copy the selection, or else the visible rows, through the app (OSC 52)."""
        text = self.selection.text(self.emulator, self.history_offset) or self.emulator.text(
            self.history_offset
        )
        self.app.copy_to_clipboard(text)
        lines = text.count("\n") + 1 if text else 0
        self.notify(f"Copied {lines} line{'s' * (lines != 1)} from the terminal")

    def _browse_key(self, key: str) -> bool:
        if key in _BROWSE_EXIT_KEYS:
            self._go_live()
        elif key == "up":
            self._show_history_at(self.history_offset + 1)
        elif key == "down":
            self._show_history_at(self.history_offset - 1)
        elif key == "y":
            self.action_copy()
        else:
            return False
        return True

    def _show_history_at(self, offset: int) -> None:
        self.history_offset = offset
        self._clamp_offset()
        self.refresh()

    def _clamp_offset(self) -> None:
        self.history_offset = max(0, min(self.history_offset, self.emulator.history_size))

    def _go_live(self) -> None:
        if self.browsing or self.history_offset or self.selection:
            self.browsing = False
            self.history_offset = 0
            self.selection.clear()
            self._strips.clear()
            self.refresh()

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        if not self.emulator.in_alt_screen:
            event.stop()
            self.browsing = True
            self._scrolled_seen = self.emulator.scrolled_total
            self._show_history_at(self.history_offset + 3)

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        if self.browsing:
            event.stop()
            self._show_history_at(self.history_offset - 3)
            if self.history_offset == 0:
                self.browsing = False

    # -- mouse selection --------------------------------------------------------------

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if event.button == 1:
            self.selection.start(event.x, event.y)
            self.capture_mouse()
            self._strips.clear()
            self.refresh()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self.selection.dragging:
            self.selection.extend(event.x, event.y)
            self._strips.clear()
            self.refresh()

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self.selection.dragging:
            self.capture_mouse(False)
            self.selection.finish(event.x, event.y)
            if self.selection:
                self.action_copy()

    # -- painting ---------------------------------------------------------------------

    def on_focus(self) -> None:
        self._strips.pop(self.emulator.cursor[1], None)
        self.refresh()

    def on_blur(self) -> None:
        self.on_focus()

    def _schedule_flush(self) -> None:
        if self._flush_timer is None:
            # Textual timers reject a zero delay; a millisecond is "now" for a repaint.
            delay = max(0.001, self._last_flush + FRAME_INTERVAL - monotonic())
            self._flush_timer = self.set_timer(delay, self._flush)

    def _flush(self) -> None:
        """Repaint the rows the emulator changed since the last frame."""
        self._flush_timer = None
        self._last_flush = monotonic()
        dirty = self.emulator.take_dirty()
        x, y = self.emulator.cursor
        cursor = (x, y, self.emulator.cursor_visible)
        if cursor != self._last_cursor:
            dirty.update({self._last_cursor[1], y})
            self._last_cursor = cursor
        for row in dirty:
            self._strips.pop(row, None)
        if self.history_offset and self.emulator.in_alt_screen:
            self._go_live()  # a full-screen program started: history is not its screen
        elif self.history_offset:
            # Keep the same history lines in view while new output scrolls in.
            grown = self.emulator.scrolled_total - self._scrolled_seen
            self._show_history_at(self.history_offset + grown)
        elif self.selection:
            self.selection.clear()
            self._strips.clear()
            self.refresh()
        elif len(dirty) > self.size.height // 2:
            self.refresh()
        else:
            width = self.size.width
            self.refresh(*(Region(0, row, width, 1) for row in dirty if row >= 0))
        self._scrolled_seen = self.emulator.scrolled_total
        if self.emulator.title != self._title:
            self._title = self.emulator.title
            self.post_message(self.TitleChanged(self._title, self))

    def render_lines(self, crop: Region) -> list[Strip]:
        # The widget's style is worked out from its ancestors and the theme, which costs
        # about as much as rendering a row: once a repaint, not once a row.
        self._base = self.rich_style
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self._base
        if base != self._renderer.base:  # first paint, or the theme changed
            self._strips.clear()
            self._renderer = RowRenderer(base)
        if y >= self.emulator.lines:
            return Strip.blank(width, base)
        live = self.history_offset == 0
        if live and (cached := self._strips.get(y)) is not None:
            return cached
        cursor_x = -1
        cursor_x_pos, cursor_y = self.emulator.cursor
        if live and y == cursor_y and self.emulator.cursor_visible and not self.finished:
            cursor_x = cursor_x_pos
        strip = self._renderer.render_view(
            self.emulator,
            y,
            width,
            self.history_offset,
            cursor_x,
            CURSOR_FOCUSED if self.has_focus else CURSOR_UNFOCUSED,
            self.selection.columns_on_row(y, self.emulator.columns),
        )
        if live:
            self._strips[y] = strip
        return strip
