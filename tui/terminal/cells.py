"""A pyte screen whose text writes, inserts and erases handle whole runs of cells at once."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

import pyte
from pyte import control
from pyte.screens import Char, StaticDefaultDict
from wcwidth import wcwidth

Line = StaticDefaultDict[int, Char]
"""One row of cells; columns that were never written read as the default char."""

_DECAWM = pyte.modes.DECAWM
_DECOM = pyte.modes.DECOM
_DECSCNM = pyte.modes.DECSCNM
_IRM = pyte.modes.IRM
_DEFAULT = Char(" ", "default", "default")
_DEFAULT_REVERSED = Char(" ", "default", "default", reverse=True)
_IDENTITY_CHARSET = pyte.charsets.LAT1_MAP

# Blocks of non-ASCII text seen in terminal output (accented Latin, Greek, Cyrillic,
# punctuation, arrows, box drawing) whose characters are one cell wide. The class is
# built from wcwidth itself, so a run matched here draws exactly as one character at a
# time would; anything else (wide, combining, zero-width) goes the per-character way.
_NARROW_BLOCKS = (
    (0x00A0, 0x02FF),
    (0x0370, 0x058F),
    (0x1E00, 0x1FFF),
    (0x2010, 0x27BF),
)


def _narrow_class() -> str:
    spans: list[str] = []
    for first, last in _NARROW_BLOCKS:
        start: int | None = None
        for code in range(first, last + 2):
            char = chr(code)
            narrow = (
                code <= last
                and wcwidth(char) == 1
                and not unicodedata.combining(char)
                and unicodedata.category(char)[0] != "C"
            )
            if narrow and start is None:
                start = code
            elif not narrow and start is not None:
                spans.append(f"{re.escape(chr(start))}-{re.escape(chr(code - 1))}")
                start = None
    return "".join(spans)


_NARROW_RUN = re.compile(f"[\x20-\x7e{_narrow_class()}]+")


@lru_cache(maxsize=4096)
def char_width(char: str) -> int:
    """Cells a character takes: 1 or 2; 0 for a combining mark; -1 for one that is ignored."""
    width = wcwidth(char)
    if width == 0 and not unicodedata.combining(char):
        return -1  # zero-width joiners, selectors, format characters: not drawn
    return min(width, 2)


class _Glyphs(dict[str, Char]):
    """The cells of one set of attributes, one shared Char per character."""

    __slots__ = ("attrs",)

    def __init__(self, attrs: Char) -> None:
        super().__init__()
        self.attrs = attrs

    def __missing__(self, char: str) -> Char:
        glyph = self[char] = self.attrs._replace(data=char)
        return glyph


class CellScreen(pyte.Screen):
    """`pyte.Screen` with run-at-a-time drawing and C-speed cell shifts and erases.

    pyte writes one cell per Python step and builds a new Char for each; here a run of
    one-cell characters is written with one `dict.update`, and every (attributes,
    character) pair is built once and shared. Behaviour follows pyte except where pyte
    is plainly wrong, and then as xterm does:

    - a character that cannot be drawn (a control, a zero-width joiner) is skipped;
      pyte drops the rest of the run after it, so output depended on read boundaries;
    - a wide character that does not fit in the last column wraps whole;
    - a combining mark after the last column does not wrap the line first;
    - erasing fills the span with the current background ("bce" in xterm's terminfo),
      where pyte's ED changed only cells written before;
    - characters pushed past the right margin (ICH, insert mode) are gone, not kept in
      an invisible column that DCH would bring back;
    - DL clears the rows it uncovers (pyte keeps a row whose replacement was never drawn);
    - VPA and the cursor report in origin mode without a scroll region do not assert.
    """

    def __init__(self, columns: int, lines: int) -> None:
        self._glyph_sets: dict[Char, _Glyphs] = {}
        self._last_graphic = ""
        self._blank_row = Line(Char(" "))
        self._blanks: dict[tuple[Char, int, int], dict[int, Char]] = {}
        super().__init__(columns, lines)

    def blank_line(self) -> Line:
        """A row never drawn on, as it reads now (DECSCNM reverses the default); not stored."""
        default = self.default_char
        if self._blank_row.default != default:
            self._blank_row = Line(default)
        return self._blank_row

    @property
    def default_char(self) -> Char:
        # pyte builds a new Char on every read; programs reset attributes constantly.
        return _DEFAULT_REVERSED if _DECSCNM in self.mode else _DEFAULT

    def _glyphs(self, attrs: Char) -> _Glyphs:
        glyphs = self._glyph_sets.get(attrs)
        if glyphs is None:
            if len(self._glyph_sets) > 512:  # a program cycling through truecolours
                self._glyph_sets.clear()
            glyphs = self._glyph_sets[attrs] = _Glyphs(attrs)
        return glyphs

    # -- text -----------------------------------------------------------------------

    def draw(self, data: str) -> None:
        if not data:
            return
        self._last_graphic = data[-1]
        if self.charset or self.g0_charset is not _IDENTITY_CHARSET:
            data = data.translate(self.g1_charset if self.charset else self.g0_charset)
        cursor = self.cursor
        if data.isascii() and data.isprintable():
            x = cursor.x
            end = x + len(data)
            if end <= self.columns and _IRM not in self.mode:  # the common case, inline
                glyphs = self._glyph_sets.get(cursor.attrs)
                if glyphs is None:
                    glyphs = self._glyphs(cursor.attrs)
                self.buffer[cursor.y].update(
                    zip(range(x, end), map(glyphs.__getitem__, data), strict=True)
                )
                cursor.x = end
            else:
                self._draw_narrow(data)
        else:
            self._draw_mixed(data)
        self.dirty.add(cursor.y)

    def _draw_narrow(self, data: str) -> None:
        """Draw characters that are all one cell wide, a row's worth at a time."""
        cursor = self.cursor
        columns = self.columns
        lookup = self._glyphs(cursor.attrs).__getitem__
        insert = _IRM in self.mode
        pos, end = 0, len(data)
        while pos < end:
            x = cursor.x
            if x >= columns:
                if _DECAWM in self.mode:
                    self.dirty.add(cursor.y)
                    self.carriage_return()
                    self.linefeed()
                    x = cursor.x
                else:  # without autowrap each further character overwrites the last column
                    x = columns - 1
                    pos = end - 1
            stop = min(end, pos + columns - x)
            count = stop - pos
            line = self.buffer[cursor.y]
            if insert:
                self._shift_right(line, x, count)
            line.update(zip(range(x, x + count), map(lookup, data[pos:stop]), strict=True))
            cursor.x = x + count
            pos = stop

    def _draw_mixed(self, data: str) -> None:
        """Draw text with wide, combining or unprintable characters among the narrow ones."""
        pos, end = 0, len(data)
        match = _NARROW_RUN.match
        while pos < end:
            run = match(data, pos)
            if run is not None:
                self._draw_narrow(run.group())
                pos = run.end()
            else:
                self._draw_char(data[pos])
                pos += 1

    def _draw_char(self, char: str) -> None:
        width = char_width(char)
        if width < 0:
            return
        if width == 0:
            self._combine(char)
            return
        cursor = self.cursor
        columns = self.columns
        if cursor.x + width > columns:
            if _DECAWM in self.mode:
                self.dirty.add(cursor.y)
                self.carriage_return()
                self.linefeed()
            else:
                cursor.x = max(0, columns - width)
        x = cursor.x
        line = self.buffer[cursor.y]
        if _IRM in self.mode:
            self._shift_right(line, x, width)
        glyphs = self._glyphs(cursor.attrs)
        line[x] = glyphs[char]
        if width == 2 and x + 1 < columns:
            line[x + 1] = glyphs[""]  # the stub cell a wide character covers
        cursor.x = min(x + width, columns)

    def _combine(self, mark: str) -> None:
        """Add a combining mark to the character before the cursor (pyte's rule)."""
        x, y = min(self.cursor.x, self.columns), self.cursor.y
        if x:
            line = self.buffer[y]
            x -= 1
            if x and line[x].data == "":  # the stub of a wide character
                x -= 1
        elif y:
            line = self.buffer[y - 1]
            x = self.columns - 1
        else:
            return
        last = line[x]
        line[x] = last._replace(data=unicodedata.normalize("NFC", last.data + mark))

    # -- cursor ---------------------------------------------------------------------

    def cursor_position(self, line: int | None = None, column: int | None = None) -> None:
        """CUP as pyte does it, in one step (redraws send one per row)."""
        y = (line or 1) - 1
        top, bottom = 0, self.lines - 1
        if self.margins is not None and _DECOM in self.mode:
            top, bottom = self.margins
            y += top
            if not top <= y <= bottom:
                return
        self.cursor.x = min(max(0, (column or 1) - 1), self.columns - 1)
        self.cursor.y = min(max(top, y), bottom)

    def cursor_to_line(self, line: int | None = None) -> None:
        """VPA; pyte asserts a scroll region exists when origin mode (DECOM) is on."""
        y = (line or 1) - 1
        if self.margins is not None and _DECOM in self.mode:
            y += self.margins.top
        self.cursor.y = y
        self.ensure_vbounds()

    def report_device_status(self, mode: int) -> None:
        """DSR; the cursor report counts from the region's top in origin mode, if there is one."""
        if mode == 6:
            y = self.cursor.y + 1
            if self.margins is not None and _DECOM in self.mode:
                y -= self.margins.top
            x = min(self.cursor.x, self.columns - 1) + 1  # a pending wrap is still the last column
            self.write_process_input(f"{control.CSI}{y};{x}R")
        else:
            super().report_device_status(mode)

    # -- inserting and deleting cells ---------------------------------------------------

    def _shift_right(self, line: Line, start: int, count: int) -> None:
        """Move cells at `start` and after right by `count`; those pushed past the edge go."""
        limit = self.columns - count
        moved = [(x + count, cell) for x, cell in line.items() if start <= x < limit]
        for x in [x for x in line if x >= start]:
            del line[x]
        line.update(moved)

    def insert_characters(self, count: int | None = None) -> None:
        self.dirty.add(self.cursor.y)
        self._shift_right(self.buffer[self.cursor.y], self.cursor.x, max(count or 1, 1))

    def delete_characters(self, count: int | None = None) -> None:
        self.dirty.add(self.cursor.y)
        count = max(count or 1, 1)
        start = self.cursor.x
        line = self.buffer[self.cursor.y]
        moved = [(x - count, cell) for x, cell in line.items() if start + count <= x < self.columns]
        for x in [x for x in line if x >= start]:
            del line[x]
        line.update(moved)

    def delete_lines(self, count: int | None = None) -> None:
        """DL; pyte leaves a row in place when the row that should replace it was never drawn."""
        count = max(count or 1, 1)
        top, bottom = self.margins or (0, self.lines - 1)
        if not top <= self.cursor.y <= bottom:
            return
        self.dirty.update(range(self.cursor.y, self.lines))
        buffer = self.buffer
        for y in range(self.cursor.y, bottom + 1):
            row = buffer.pop(y + count, None) if y + count <= bottom else None
            if row is None:
                buffer.pop(y, None)
            else:
                buffer[y] = row
        self.carriage_return()

    # -- erasing --------------------------------------------------------------------

    def _blank(self, line: Line, start: int, stop: int) -> None:
        """Cells [start, stop) become spaces in the cursor's attributes."""
        attrs = self.cursor.attrs
        if start <= 0 and stop >= self.columns and attrs == line.default:
            line.clear()
        elif start < stop:
            # Redraws erase the same spans over and over: keep each span's cells.
            key = (attrs, start, stop)
            cells = self._blanks.get(key)
            if cells is None:
                if len(self._blanks) > 256:
                    self._blanks.clear()
                cells = self._blanks[key] = dict.fromkeys(range(start, stop), attrs)
            line.update(cells)

    def erase_characters(self, count: int | None = None) -> None:
        self.dirty.add(self.cursor.y)
        start = self.cursor.x
        stop = min(start + max(count or 1, 1), self.columns)
        self._blank(self.buffer[self.cursor.y], start, stop)

    def erase_in_line(self, how: int = 0, private: bool = False) -> None:
        x = self.cursor.x
        if how == 0:
            start, stop = x, self.columns
        elif how == 1:
            start, stop = 0, min(x + 1, self.columns)
        elif how == 2:
            start, stop = 0, self.columns
        else:
            return  # pyte raises on an unknown mode; a terminal ignores it
        self.dirty.add(self.cursor.y)
        self._blank(self.buffer[self.cursor.y], start, stop)

    def erase_in_display(self, how: int = 0, *args: Any, **kwargs: Any) -> None:
        y = self.cursor.y
        if how == 0:
            rows = range(y + 1, self.lines)
        elif how == 1:
            rows = range(y)
        elif how in (2, 3):
            rows = range(self.lines)
        else:
            return
        self.dirty.update(rows)
        for row in rows:
            self._blank(self.buffer[row], 0, self.columns)
        if how in (0, 1):
            self.erase_in_line(how)
