"""A pyte screen with scrollback, an alternate screen and xterm colour attributes."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any

import pyte
from pyte.screens import Char, Cursor, StaticDefaultDict

Line = StaticDefaultDict[int, Char]
"""One row of cells; columns that were never written read as the default char."""

ALT_SCREEN_MODES = frozenset({47, 1047, 1049})
"""DEC private modes that switch to the alternate buffer (pyte ignores all three)."""

_ANSI_NAMES = ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")

# SGR on/off pairs for the boolean attributes pyte's Char carries. SGR 2 (dim) and
# 8 (hidden) have no Char field, so they are accepted and ignored.
_SGR_FLAGS: dict[int, tuple[str, bool]] = {
    1: ("bold", True),
    3: ("italics", True),
    4: ("underscore", True),
    5: ("blink", True),
    7: ("reverse", True),
    9: ("strikethrough", True),
    22: ("bold", False),
    23: ("italics", False),
    24: ("underscore", False),
    25: ("blink", False),
    27: ("reverse", False),
    29: ("strikethrough", False),
}


def _new_buffer(screen: pyte.Screen) -> dict[int, Line]:
    # The same factory pyte builds in Screen.__init__: rows appear on first access.
    return defaultdict(lambda: StaticDefaultDict[int, Char](screen.default_char))


class EmulatedScreen(pyte.Screen):
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
        self.scrollback: deque[Line] = deque(maxlen=scrollback)
        self.scrolled_total = 0
        """Lines ever pushed to scrollback; lets a viewer keep its place while output arrives."""
        self._reply = reply
        self._glyphs: dict[Char, dict[str, Char]] = {}
        self._last_graphic = ""
        self._main_buffer: dict[int, Line] | None = None
        self._main_cursor: Cursor | None = None
        super().__init__(columns, lines)

    # -- alternate screen ---------------------------------------------------------

    @property
    def in_alt_screen(self) -> bool:
        return self._main_buffer is not None

    def set_mode(self, *modes: int, **kwargs: Any) -> None:
        if kwargs.get("private"):
            if any(mode in ALT_SCREEN_MODES for mode in modes):
                self.enter_alt_screen(save_cursor=1049 in modes)
            modes = tuple(mode for mode in modes if mode not in ALT_SCREEN_MODES)
        if modes:
            super().set_mode(*modes, **kwargs)

    def reset_mode(self, *modes: int, **kwargs: Any) -> None:
        if kwargs.get("private"):
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
        top, bottom = self.margins or (0, self.lines - 1)
        if self.cursor.y == bottom and top == 0 and self._main_buffer is None:
            self.scrollback.append(self.buffer[top])
            self.scrolled_total += 1
        super().index()

    def erase_in_display(self, how: int = 0, *args: Any, **kwargs: Any) -> None:
        super().erase_in_display(how, *args, **kwargs)
        if how == 3:  # "clear" sends CSI 3 J to wipe the scrollback too.
            self.scrollback.clear()

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

    # -- drawing --------------------------------------------------------------------

    def draw(self, data: str) -> None:
        """pyte's draw, with a fast path for plain ASCII text (most of any output).

        pyte builds a new Char per cell; here each (attributes, character) pair is
        built once and shared, which is what makes `cat` of a big file bearable.
        """
        if data:
            self._last_graphic = data[-1]
        if (
            len(data) < 4  # setting up the fast path costs more than it saves
            or self.charset
            or self.g0_charset is not pyte.charsets.LAT1_MAP
            or pyte.modes.IRM in self.mode
            or not data.isascii()
            or not data.isprintable()
        ):
            super().draw(data)
            return
        attrs = self.cursor.attrs
        glyphs = self._glyphs.get(attrs)
        if glyphs is None:
            if len(self._glyphs) > 512:
                self._glyphs.clear()
            glyphs = self._glyphs[attrs] = {}
        autowrap = pyte.modes.DECAWM in self.mode
        pos = 0
        while pos < len(data):
            if self.cursor.x >= self.columns:
                if autowrap:
                    self.dirty.add(self.cursor.y)
                    self.carriage_return()
                    self.linefeed()
                else:  # without autowrap each further character lands in the last column
                    self.cursor.x = self.columns - 1
            line = self.buffer[self.cursor.y]
            x = self.cursor.x
            chunk = data[pos : pos + self.columns - x]
            for offset, char in enumerate(chunk):
                glyph = glyphs.get(char)
                if glyph is None:
                    glyph = glyphs[char] = attrs._replace(data=char)
                line[x + offset] = glyph
            self.cursor.x = x + len(chunk)
            pos += len(chunk)
        self.dirty.add(self.cursor.y)

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
        replace: dict[str, Any] = {}
        params = list(attrs)
        while params:
            attr = params.pop(0)
            if attr == 0:
                replace.update(self.default_char._asdict())
                del replace["data"]
            elif attr in _SGR_FLAGS:
                name, value = _SGR_FLAGS[attr]
                replace[name] = value
            elif 30 <= attr <= 37:
                replace["fg"] = _ANSI_NAMES[attr - 30]
            elif 40 <= attr <= 47:
                replace["bg"] = _ANSI_NAMES[attr - 40]
            elif 90 <= attr <= 97:
                replace["fg"] = "bright_" + _ANSI_NAMES[attr - 90]
            elif 100 <= attr <= 107:
                replace["bg"] = "bright_" + _ANSI_NAMES[attr - 100]
            elif attr == 39:
                replace["fg"] = "default"
            elif attr == 49:
                replace["bg"] = "default"
            elif attr in (38, 48):
                colour = _extended_colour(params)
                if colour is not None:
                    replace["fg" if attr == 38 else "bg"] = colour
        self.cursor.attrs = self.cursor.attrs._replace(**replace)

    def write_process_input(self, data: str) -> None:
        if self._reply is not None:
            self._reply(data)


def _extended_colour(params: list[int]) -> str | None:
    """Consume `5;n` or `2;r;g;b` after SGR 38/48 and name the colour for rich."""
    if not params:
        return None
    kind = params.pop(0)
    if kind == 5 and params:
        index = params.pop(0)
        return f"color({index})" if 0 <= index <= 255 else None
    if kind == 2 and len(params) >= 3:
        red, green, blue = (min(max(value, 0), 255) for value in params[:3])
        del params[:3]
        return f"#{red:02x}{green:02x}{blue:02x}"
    return None
