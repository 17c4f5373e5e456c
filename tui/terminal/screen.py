"""A pyte screen with scrollback, an alternate screen and xterm colour attributes."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any

import pyte
from pyte.screens import Char, Cursor, StaticDefaultDict

from tui.terminal.cells import CellScreen, Line
from tui.terminal.rows import PackedRow, Row, RowCollector, unpack
from tui.terminal.sgr import SGR_PARAMS, apply_sgr, csi_params

__all__ = ["ALT_SCREEN_MODES", "EmulatedScreen", "Line"]

ALT_SCREEN_MODES = frozenset({47, 1047, 1049})
"""DEC private modes that switch to the alternate buffer (pyte ignores all three)."""

_DECAWM = pyte.modes.DECAWM
_IRM = pyte.modes.IRM
_DECOM = pyte.modes.DECOM
_DECSCNM = pyte.modes.DECSCNM >> 5  # as the private mode number a program sends


def _new_buffer(screen: pyte.Screen) -> dict[int, Line]:
    # The same factory pyte builds in Screen.__init__: rows appear on first access.
    return defaultdict(lambda: StaticDefaultDict[int, Char](screen.default_char))


class EmulatedScreen(CellScreen):
    """`pyte.Screen` plus what a shell pane needs and pyte leaves out.

    - Lines scrolled off the top of the main screen go to `scrollback`.
    - Private modes 47/1047/1049 swap in a separate alternate buffer, so leaving
      vi, top or less restores the shell's screen untouched.
    - Colours are stored as names rich understands: "red", "bright_red",
      "color(208)", "#ff8700", or "default".
    - Replies to device status/attribute queries go to `reply`.
    """

    def __init__(
        self,
        columns: int,
        lines: int,
        scrollback: int,
        reply: Callable[[str], None] | None = None,
    ) -> None:
        self.scrollback: deque[Row] = deque(maxlen=scrollback)
        """Rows scrolled off the top, oldest first; packed rows are unpacked when read."""
        self.scrolled_total = 0
        """Lines ever pushed to scrollback; lets a viewer keep its place while output arrives."""
        self._reply = reply
        self._main_buffer: dict[int, Line] | None = None
        self._main_cursor: Cursor | None = None
        self.scrolled = False
        """Rows moved since `take_dirty`: all need repainting (a flag, not a set update a line)."""
        self.sgr_results: dict[tuple[Char, tuple[int, ...] | str], Char] = {}
        """SGR outcomes by (attributes before, parameters or a chain of sequences)."""
        self.painted: dict[int, PackedRow] = {}
        """Rows a full-screen program wrote whole (see parser.py), still packed: their
        `buffer` rows are stale until `settle` makes them cells."""
        super().__init__(columns, lines)

    def settle(self) -> None:
        """Turn the painted rows into cells: anything but painting reads or changes rows after."""
        painted = self.painted
        if painted:
            buffer = self.buffer
            for y, row in painted.items():
                buffer[y] = self.unpack(row)
            painted.clear()

    def settle_row(self, y: int) -> None:
        """`settle` for one row, before a change that touches only that row."""
        row = self.painted.pop(y, None)
        if row is not None:
            self.buffer[y] = self.unpack(row)

    def can_paint(self) -> bool:
        """Modes under which text at column 0 lands as written (see parser.py)."""
        return (
            _IRM not in self.mode
            and _DECOM not in self.mode
            and not self.charset
            and self.g0_charset is pyte.charsets.LAT1_MAP
        )

    def take_dirty(self) -> set[int]:
        """Rows changed since the last call, and forget them."""
        dirty = set(self.dirty)
        if self.scrolled:
            dirty.update(range(self.lines))
            self.scrolled = False
        self.dirty.clear()
        return dirty

    # -- alternate screen ---------------------------------------------------------

    @property
    def in_alt_screen(self) -> bool:
        return self._main_buffer is not None

    def set_mode(self, *modes: int, **kwargs: Any) -> None:
        if kwargs.get("private"):
            if _DECSCNM in modes:  # SGR 0 means a different default now
                self.sgr_results.clear()
            if any(mode in ALT_SCREEN_MODES for mode in modes):
                self.enter_alt_screen(save_cursor=1049 in modes)
            modes = tuple(mode for mode in modes if mode not in ALT_SCREEN_MODES)
        if modes:
            super().set_mode(*modes, **kwargs)

    def reset_mode(self, *modes: int, **kwargs: Any) -> None:
        if kwargs.get("private"):
            if _DECSCNM in modes:
                self.sgr_results.clear()
            if any(mode in ALT_SCREEN_MODES for mode in modes):
                self.leave_alt_screen()
            modes = tuple(mode for mode in modes if mode not in ALT_SCREEN_MODES)
        if modes:
            super().reset_mode(*modes, **kwargs)

    def enter_alt_screen(self, save_cursor: bool = True) -> None:
        """Switch to a blank alternate buffer, keeping the main one aside."""
        if self._main_buffer is not None:
            return
        self._main_buffer = self.buffer
        if save_cursor:
            self._main_cursor = Cursor(self.cursor.x, self.cursor.y, self.cursor.attrs)
            self._main_cursor.hidden = self.cursor.hidden
        self.buffer = _new_buffer(self)
        self.dirty.update(range(self.lines))

    def leave_alt_screen(self) -> None:
        """Drop the alternate buffer and show the main screen as it was left."""
        if self._main_buffer is None:
            return
        self.buffer = self._main_buffer
        self._main_buffer = None
        # The pane may have been resized while the full-screen program ran.
        for y in [y for y in self.buffer if y >= self.lines]:
            del self.buffer[y]
        self._clip_columns(self.buffer)
        if self._main_cursor is not None:
            self.cursor = self._main_cursor
            self._main_cursor = None
        self.margins = None
        self.ensure_hbounds()
        self.ensure_vbounds()
        self.dirty.update(range(self.lines))

    def reset(self) -> None:
        # RIS (ESC c) returns to the main screen like a power-on would.
        self._main_buffer = None
        self._main_cursor = None
        super().reset()

    # -- scrollback ---------------------------------------------------------------

    def index(self) -> None:
        """Line feed; at the bottom margin the region scrolls, the top row into scrollback."""
        top, bottom = self.margins or (0, self.lines - 1)
        if self.cursor.y != bottom:
            if self.cursor.y > bottom:  # below the region: down, no scroll (pyte jumps up)
                self.cursor.y = min(self.cursor.y + 1, self.lines - 1)
            else:
                self.cursor_down()
            return
        buffer = self.buffer
        if top == 0 and self._main_buffer is None:
            # A painted row leaves as cells: its blanks read as the default of now, as
            # they would had it been settled (a packed row would take a later DECSCNM's).
            painted_top = self.painted.get(0)
            self.scrollback.append(buffer[0] if painted_top is None else self.unpack(painted_top))
            self.scrolled_total += 1
        if self.painted:
            self._shift_painted(top, bottom, -1)
        # One C-level pass moves the rows up (pyte does a Python step per row); each row
        # is read before the row above it is overwritten, so nothing is lost.
        buffer.update(
            zip(
                range(top, bottom), map(buffer.__getitem__, range(top + 1, bottom + 1)), strict=True
            )
        )
        buffer.pop(bottom, None)
        self.scrolled = True

    def reverse_index(self) -> None:
        top, bottom = self.margins or (0, self.lines - 1)
        if self.cursor.y != top:
            if self.cursor.y < top:  # above the region: up, no scroll (pyte jumps down)
                self.cursor.y = max(self.cursor.y - 1, 0)
            else:
                self.cursor_up()
            return
        if self.painted:
            self._shift_painted(top, bottom, 1)
        buffer = self.buffer
        buffer.update(
            zip(
                range(bottom, top, -1),
                map(buffer.__getitem__, range(bottom - 1, top - 1, -1)),
                strict=True,
            )
        )
        buffer.pop(top, None)
        self.scrolled = True

    def _shift_painted(self, top: int, bottom: int, step: int) -> None:
        """Painted rows of the region move with it; the one pushed out of it is gone."""
        painted = self.painted
        moved = [(y + step, painted.pop(y)) for y in list(painted) if top <= y <= bottom]
        painted.update((y, row) for y, row in moved if top <= y <= bottom)

    def erase_in_display(self, how: int = 0, *args: Any, **kwargs: Any) -> None:
        super().erase_in_display(how, *args, **kwargs)
        if how == 3:  # "clear" sends CSI 3 J to wipe the scrollback too.
            self.scrollback.clear()

    # -- streamed rows --------------------------------------------------------------

    def can_stream(self) -> bool:
        """The cursor starts a fresh bottom row that output scrolls: a RowCollector may follow."""
        cursor = self.cursor
        return (
            cursor.x == 0
            and cursor.y == self.lines - 1
            and self.margins is None
            and not self.buffer.get(cursor.y)
            and _DECAWM in self.mode
            and _IRM not in self.mode
            and not self.charset
            and self.g0_charset is pyte.charsets.LAT1_MAP
        )

    def stream_rows(self, rows: RowCollector, last_graphic: str) -> None:
        """Scroll in what `rows` collected after `can_stream`; the new rows stay packed
        (`painted`), and only those still visible when the screen is read become cells."""
        bottom = self.lines - 1
        buffer = self.buffer
        count = len(rows.rows)
        current = tuple(rows.runs)
        if count:
            sequence: list[Row] = [buffer[y] for y in range(bottom)]
            sequence.extend(rows.rows)
            sequence.append(current)
            if self._main_buffer is None:
                kept = self.scrollback.maxlen or count  # only rows that survive the limit
                self.scrollback.extend(sequence[max(0, count - kept) : count])
                self.scrolled_total += count
            for y, row in enumerate(sequence[count:]):
                if isinstance(row, (tuple, str)):
                    self.painted[y] = row
                else:
                    buffer[y] = row
            self.scrolled = True
        else:
            self.painted[bottom] = current
        self.cursor.x = rows.x
        self.dirty.add(bottom)
        if last_graphic:
            self._last_graphic = last_graphic

    def unpack(self, row: PackedRow) -> Line:
        return unpack(row, self.default_char, self._glyphs)

    # -- size ---------------------------------------------------------------------

    def resize(self, lines: int | None = None, columns: int | None = None) -> None:
        """Resize keeping the cursor row in view (pyte drops top rows regardless)."""
        lines = lines or self.lines
        columns = columns or self.columns
        if lines == self.lines and columns == self.columns:
            return
        if lines < self.lines:
            drop = max(0, self.cursor.y + 1 - lines)
            if drop:
                if self._main_buffer is None:
                    for y in range(drop):
                        self.scrollback.append(self.buffer[y])
                    self.scrolled_total += drop
                self._shift_up(self.buffer, drop)
                self.cursor.y -= drop
            for y in [y for y in self.buffer if y >= lines]:
                del self.buffer[y]
        self.lines, self.columns = lines, columns
        self._clip_columns(self.buffer)
        self.tabstops = {stop for stop in self.tabstops if stop < columns} | set(
            range(8, columns, 8)
        )
        self.margins = None
        self.ensure_hbounds()
        self.ensure_vbounds()
        self.dirty.update(range(lines))

    def _shift_up(self, buffer: dict[int, Line], count: int) -> None:
        rows = {y - count: line for y, line in buffer.items() if y >= count}
        buffer.clear()
        buffer.update(rows)

    def _clip_columns(self, buffer: dict[int, Line]) -> None:
        for line in buffer.values():
            for x in [x for x in line if x >= self.columns]:
                del line[x]

    # -- repeats and scrolls -------------------------------------------------------

    def repeat_character(self, count: int | None = None, *_extra: int) -> None:
        """REP (CSI n b): ncurses uses it under TERM=xterm-256color to draw runs."""
        if self._last_graphic:
            self.draw(self._last_graphic * min(max(count or 1, 1), self.columns * self.lines))

    def scroll_up(self, count: int | None = None, *_extra: int) -> None:
        """SU (CSI n S): the region moves up, blank lines enter at the bottom."""
        x, y = self.cursor.x, self.cursor.y
        self.cursor.y = (self.margins or (0, self.lines - 1))[1]
        for _ in range(min(max(count or 1, 1), self.lines)):
            self.index()
        self.cursor.x, self.cursor.y = x, y

    def scroll_down(self, count: int | None = None, *rest: int) -> None:
        """SD (CSI n T); with five parameters it is xterm mouse tracking, ignored."""
        if rest:
            return
        x, y = self.cursor.x, self.cursor.y
        self.cursor.y = (self.margins or (0, self.lines - 1))[0]
        for _ in range(min(max(count or 1, 1), self.lines)):
            self.reverse_index()
        self.cursor.x, self.cursor.y = x, y

    # -- attributes and replies ---------------------------------------------------

    def select_graphic_rendition(self, *attrs: int) -> None:
        if not attrs or attrs == (0,):
            self.cursor.attrs = self.default_char
            return
        # Coloured output repeats a few SGRs over and over: remember each outcome.
        key = (self.cursor.attrs, attrs)
        result = self.sgr_results.get(key)
        if result is None:
            if len(self.sgr_results) > 1024:
                self.sgr_results.clear()
            result = self.sgr_results[key] = apply_sgr(self.cursor.attrs, self.default_char, attrs)
        self.cursor.attrs = result

    def select_graphic_chain(self, chain: str) -> None:
        """SGR sequences back to back (ESC [ ... m, and ESC ( B which changes nothing)."""
        key = (self.cursor.attrs, chain)
        result = self.sgr_results.get(key)
        if result is None:
            for params in SGR_PARAMS.findall(chain):
                self.select_graphic_rendition(*csi_params(params))
            if len(self.sgr_results) > 1024:
                self.sgr_results.clear()
            result = self.sgr_results[key] = self.cursor.attrs
        self.cursor.attrs = result

    def write_process_input(self, data: str) -> None:
        if self._reply is not None:
            self._reply(data)
