"""The terminal emulator behind the pane: bytes in, rows of styled cells out (no Textual)."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import pyte
from pyte.screens import Char
from rich.color import Color, ColorParseError
from rich.style import Style
from wcwidth import wcwidth

from tui.terminal.parser import OutputParser
from tui.terminal.rows import PackedRow, packed_text
from tui.terminal.screen import EmulatedScreen, Line

_APP_CURSOR_KEYS = 1 << 5  # DECCKM; pyte stores private modes shifted left by 5
_BRACKETED_PASTE = 2004 << 5
_CURSOR_VISIBLE = pyte.modes.DECTCEM


class TerminalEmulator:
    """A VT/xterm screen fed incrementally with the raw bytes of a pty.

    Replies the terminal owes the program (cursor position reports, device
    attributes) are passed to `on_reply` as bytes, to be written back to it.

    Plain output scrolling at the bottom, and rows a full-screen program writes whole,
    are held as packed rows (runs of text) until a row is read as cells, so text that
    scrolls away or is rewritten between two repaints never becomes cells; a renderer
    may read the packed form itself (`packed_row`).
    """

    def __init__(
        self,
        columns: int = 80,
        lines: int = 24,
        scrollback: int = 5000,
        on_reply: Callable[[bytes], None] | None = None,
    ) -> None:
        self.on_reply = on_reply
        self._state = EmulatedScreen(columns, lines, scrollback, reply=self._reply)
        self._parser = OutputParser(self._state)

    @property
    def _screen(self) -> EmulatedScreen:
        """The screen, with output the parser is still collecting put on it first."""
        self._parser.finish_burst()
        return self._state

    def _reply(self, data: str) -> None:
        if self.on_reply is not None:
            self.on_reply(data.encode())

    # -- input --------------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        """Process output; a UTF-8 sequence or escape split across calls is fine."""
        self._parser.feed(data)

    @property
    def _settled(self) -> EmulatedScreen:
        """The screen with every row as cells, for changes that move or rewrite rows."""
        screen = self._screen
        screen.settle()
        return screen

    def resize(self, lines: int, columns: int) -> None:
        self._settled.resize(max(1, lines), max(1, columns))

    def enter_alt_screen(self) -> None:
        self._settled.enter_alt_screen()

    def leave_alt_screen(self) -> None:
        self._settled.leave_alt_screen()

    # -- state --------------------------------------------------------------------

    @property
    def columns(self) -> int:
        return int(self._screen.columns)

    @property
    def lines(self) -> int:
        return int(self._screen.lines)

    @property
    def cursor(self) -> tuple[int, int]:
        """(x, y) of the cursor; x is clamped to the last column while a wrap is pending."""
        screen = self._screen
        return min(screen.cursor.x, screen.columns - 1), screen.cursor.y

    @property
    def cursor_visible(self) -> bool:
        return _CURSOR_VISIBLE in self._screen.mode and not self._screen.cursor.hidden

    @property
    def in_alt_screen(self) -> bool:
        return self._screen.in_alt_screen

    @property
    def app_cursor_keys(self) -> bool:
        """DECCKM is set: arrows must be sent as SS3 sequences (vi, less do this)."""
        return _APP_CURSOR_KEYS in self._screen.mode

    @property
    def bracketed_paste(self) -> bool:
        return _BRACKETED_PASTE in self._screen.mode

    @property
    def title(self) -> str:
        return str(self._screen.title)

    @property
    def history_size(self) -> int:
        """Lines available in scrollback."""
        return len(self._screen.scrollback)

    @property
    def scrolled_total(self) -> int:
        """Lines ever scrolled into the history (grows while output arrives)."""
        return self._screen.scrolled_total

    def take_dirty(self) -> set[int]:
        """Rows changed since the last call, and forget them."""
        return self._screen.take_dirty()

    # -- rows ---------------------------------------------------------------------

    def row(self, y: int, scroll_offset: int = 0) -> Line:
        """Row `y` of the view scrolled back `scroll_offset` lines (0 is the live screen)."""
        history = self._screen.scrollback
        index = len(history) - scroll_offset + y
        if index < len(history):
            row = history[index]
            if isinstance(row, (tuple, str)):  # packed when it streamed by: unpack once
                row = history[index] = self._screen.unpack(row)
            return row
        screen = self._screen
        screen_y = index - len(history)
        screen.settle_row(screen_y)
        # .get reads without creating: a defaultdict lookup would insert the row.
        return screen.buffer.get(screen_y) or screen.blank_line()

    def packed_row(self, y: int, scroll_offset: int = 0) -> PackedRow | None:
        """Row `y` as `row` finds it, if it is still packed (runs of one-cell characters)."""
        screen = self._screen
        history = screen.scrollback
        index = len(history) - scroll_offset + y
        if index >= len(history):
            return screen.painted.get(index - len(history))
        row = history[index]
        return row if isinstance(row, (tuple, str)) else None

    @property
    def blank(self) -> Char:
        """What a cell never written reads as (DECSCNM reverses it)."""
        return self._screen.default_char

    def row_text(self, y: int, scroll_offset: int = 0) -> str:
        return line_text(self.row(y, scroll_offset), self.columns)

    @property
    def display(self) -> list[str]:
        """The live screen as text, one string per row (trailing blanks kept)."""
        return [self.row_text(y) for y in range(self.lines)]

    def text(self, scroll_offset: int = 0) -> str:
        """The visible rows as text with trailing blanks removed, for copying."""
        rows = [self.row_text(y, scroll_offset).rstrip() for y in range(self.lines)]
        while rows and not rows[-1]:
            rows.pop()
        return "\n".join(rows)

    def history_text(self) -> str:
        """Scrollback plus the screen, for tests and copying everything."""
        rows = [
            row_text.rstrip()
            for row_text in (
                packed_text(row)[: self.columns]
                if isinstance(row, (tuple, str))
                else line_text(row, self.columns)
                for row in self._screen.scrollback
            )
        ]
        rows.extend(row.rstrip() for row in self.display)
        return "\n".join(rows)


def line_text(line: Line, columns: int) -> str:
    """The characters of a row; the stub cell after a wide character is skipped."""
    chars: list[str] = []
    wide = False
    for x in range(columns):
        data = line[x].data
        if wide and data == "":
            wide = False
            continue
        wide = False
        if data == "":
            data = " "
        elif wcwidth(data[0]) == 2:
            wide = True
        chars.append(data)
    return "".join(chars)


def _colour(name: str) -> Color | None:
    if name == "default":
        return None
    try:
        return Color.parse(name)
    except ColorParseError:  # pyte passes through names from charsets it half-knows
        return None


@lru_cache(maxsize=4096)
def _style(
    fg: str,
    bg: str,
    bold: bool,
    italic: bool,
    underline: bool,
    strike: bool,
    reverse: bool,
    blink: bool,
) -> Style:
    return Style(
        color=_colour(fg),
        bgcolor=_colour(bg),
        bold=bold or None,
        italic=italic or None,
        underline=underline or None,
        strike=strike or None,
        reverse=reverse or None,
        blink=blink or None,
    )


def cell_style(char: Char) -> Style:
    """The rich Style of a cell; "default" colours are left for the widget to supply."""
    return _style(
        char.fg,
        char.bg,
        char.bold,
        char.italics,
        char.underscore,
        char.strikethrough,
        char.reverse,
        char.blink,
    )
