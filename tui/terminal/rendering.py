"""Turn emulator rows into Textual strips: runs of equal attributes become one segment."""

from __future__ import annotations

from itertools import groupby, repeat
from operator import itemgetter

from pyte.screens import Char
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from wcwidth import wcwidth

from tui.terminal.emulator import TerminalEmulator, cell_style
from tui.terminal.rows import PLAIN, PackedRow
from tui.terminal.screen import Line

CURSOR_FOCUSED = Style(reverse=True)
CURSOR_UNFOCUSED = Style(underline=True)

_Attrs = tuple[object, ...]
"""A cell's attributes without its character: pyte's Char minus `data`."""

_DATA = itemgetter(0)
"""A cell's character (`Char.data`)."""


class _CellStyles(dict[Char, Style]):
    """The style of each cell, keyed by the whole (shared) Char so a row maps at C speed."""

    __slots__ = ("_renderer",)

    def __init__(self, renderer: RowRenderer) -> None:
        super().__init__()
        self._renderer = renderer

    def __missing__(self, char: Char) -> Style:
        if len(self) > 8192:  # a program cycling through truecolours
            self.clear()
        style = self[char] = self._renderer.style(char[1:], char)
        return style


class RowRenderer:
    """Renders rows over one base style (the widget's colours), caching combined styles."""

    def __init__(self, base: Style) -> None:
        self.base = base
        self._styles: dict[_Attrs, Style] = {}
        self._reversed: dict[_Attrs, Style] = {}
        self._cells = _CellStyles(self)

    def style(self, attrs: _Attrs, char: Char) -> Style:
        style = self._styles.get(attrs)
        if style is None:
            style = self._styles[attrs] = self.base + cell_style(char)
        return style

    def _inverse(self, attrs: _Attrs, char: Char) -> Style:
        # Reverse twice would cancel, so a reversed cell shows the cursor as plain.
        style = self._reversed.get(attrs)
        if style is None:
            style = self.style(attrs, char) + Style(reverse=not char.reverse)
            self._reversed[attrs] = style
        return style

    def render(
        self,
        line: Line,
        columns: int,
        width: int,
        cursor_x: int = -1,
        cursor_style: Style = CURSOR_FOCUSED,
        selected: tuple[int, int] | None = None,
    ) -> Strip:
        """One row `width` cells wide; `selected` is a [start, end) column range to highlight."""
        base = self.base
        if not line and cursor_x < 0 and selected is None:
            return Strip.blank(width, base)
        if cursor_x < 0 and selected is None:
            # dict.get with the row's default reads unwritten cells at C speed (indexing
            # would call the row's __missing__ in Python for each).
            count = min(columns, width)
            cells = list(map(line.get, range(count), repeat(line.default, count)))
            text = "".join(map(_DATA, cells))
            # One cell per character (no wide character, stub or combining mark): runs of
            # equal styles are found at C speed.
            if len(text) == len(cells) and text.isascii():
                return self._render_plain(text, cells, width)
        sel_start, sel_end = selected if selected is not None else (-1, -1)
        segments: list[Segment] = []
        run: list[str] = []
        run_style: Style | None = None
        length = 0
        skip_stub = False
        for x in range(min(columns, width)):
            char = line[x]
            data = char.data
            if data == "":
                if skip_stub:  # the second half of a wide character
                    skip_stub = False
                    continue
                data = " "
            skip_stub = not data.isascii() and wcwidth(data[0]) == 2
            attrs = char[1:]
            if x == cursor_x:
                if cursor_style is CURSOR_FOCUSED:
                    style = self._inverse(attrs, char)
                else:
                    style = self.style(attrs, char) + cursor_style
            elif sel_start <= x < sel_end:
                style = self._inverse(attrs, char)
            else:
                style = self.style(attrs, char)
            if style is not run_style and run:
                segments.append(Segment("".join(run), run_style))
                run = []
            run_style = style
            run.append(data)
            length += 2 if skip_stub else 1
        if run:
            segments.append(Segment("".join(run), run_style))
        if length < width:
            segments.append(Segment(" " * (width - length), base))
            length = width
        strip = Strip(segments, length)
        return strip.crop(0, width) if length > width else strip

    def render_packed(self, row: PackedRow, blank: Char, columns: int, width: int) -> Strip:
        """A packed row without cursor or selection: a segment per run, no cells built.

        The same strip `render` makes of the row's cells: `blank` is what the cells
        after the runs read as; only the first `columns` cells show.
        """
        if not row:
            return Strip.blank(width, self.base)
        styles = self._cells
        if isinstance(row, str):
            segments = [Segment(row, styles[PLAIN])]
            length = len(row)
        else:
            segments = [Segment(text, styles[attrs]) for attrs, text in row]
            length = sum(len(text) for _, text in row)
        shown = min(columns, width)
        if length > shown:
            segments = list(Segment.adjust_line_length(segments, shown))
            length = shown
        if length < width:
            segments.append(Segment(" " * (width - length), styles[blank]))
        return Strip(segments, width)

    def render_view(
        self,
        emulator: TerminalEmulator,
        y: int,
        width: int,
        scroll_offset: int = 0,
        cursor_x: int = -1,
        cursor_style: Style = CURSOR_FOCUSED,
        selected: tuple[int, int] | None = None,
    ) -> Strip:
        """Row `y` of the emulator's view: from its packed form if it has one and neither
        the cursor nor a selection is on it, else from its cells."""
        if cursor_x < 0 and selected is None:
            packed = emulator.packed_row(y, scroll_offset)
            if packed is not None:
                return self.render_packed(packed, emulator.blank, emulator.columns, width)
        line = emulator.row(y, scroll_offset)
        return self.render(line, emulator.columns, width, cursor_x, cursor_style, selected)

    def _render_plain(self, text: str, cells: list[Char], width: int) -> Strip:
        segments: list[Segment] = []
        pos = 0
        for style, run in groupby(map(self._cells.__getitem__, cells)):
            end = pos + len(list(run))
            segments.append(Segment(text[pos:end], style))
            pos = end
        if pos < width:
            segments.append(Segment(" " * (width - pos), self.base))
        return Strip(segments, width)


def render_row(line: Line, columns: int, width: int, base: Style) -> Strip:
    """A one-off rendering of a row (benchmarks and tests); widgets keep a RowRenderer."""
    return RowRenderer(base).render(line, columns, width)
